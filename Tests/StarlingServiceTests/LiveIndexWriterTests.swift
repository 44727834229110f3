// The live writer on a real index: upsert statuses, deletes by id and by author, group commit, visibility to
// readers right after acknowledgement, changes in place, and a clean close that leaves everything committed.
import Foundation
import StarlingIndex
import StarlingModel
import Testing
import XapianKit

@Suite("Live index writer")
struct LiveIndexWriterTests {
    static func post(_ id: String, _ text: String, author: String = "ann") -> Post {
        Post(id: id, text: text, author: author)
    }

    @Test("upsert says added, unchanged or updated; deletes by id and by author")
    func statuses() async throws {
        let dir = try makeTempDir("writer")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index").path
        let writer = try LiveIndexWriter(path: path)
        let first = try await writer.upsert([Self.post("1", "alpha #one"), Self.post("2", "beta", author: "Bo"),
                                             Self.post("3", "gamma", author: "bo")])
        #expect(first.map(\.status) == [.added, .added, .added])
        let second = try await writer.upsert([Self.post("1", "alpha #one"), Self.post("2", "beta edited", author: "Bo")])
        #expect(second.map(\.status) == [.unchanged, .updated])
        #expect(try await writer.delete(id: "1"))
        #expect(try await !writer.delete(id: "1"))
        #expect(try await writer.deleteAll(byAuthor: "BO").sorted() == ["2", "3"])
        #expect(try await writer.deleteAll(byAuthor: "bo").isEmpty)
        let reader = try Database(path: path)
        #expect(try reader.documentCount() == 0)
        try await writer.close()
        try await writer.close()  // idempotent
        await #expect(throws: LiveWriterError.self) { _ = try await writer.upsert([Self.post("9", "late")]) }
    }

    @Test("an acknowledged post is visible to a reader that reopens at the new generation")
    func visibility() async throws {
        let dir = try makeTempDir("visible")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index").path
        let writer = try LiveIndexWriter(path: path)
        let searcher = try Searcher(path: path)
        for i in 0..<5 {
            let g = writer.generation
            _ = try await writer.upsert([Self.post("v\(i)", "visible token\(i)")])
            #expect(writer.generation > g)
            try searcher.database.reopen()
            #expect(try searcher.search(SearchRequest(query: "token\(i)")).hits.map(\.id) == ["v\(i)"])
        }
        try await writer.close()
    }

    @Test("requests arriving together share one commit")
    func groupCommit() async throws {
        let dir = try makeTempDir("group")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index").path
        var options = LiveWriterOptions()
        options.gatherDelay = 0.2
        let writer = try LiveIndexWriter(path: path, options: options)
        let batches = try (0..<20).map { b in try writer.prepare((0..<10).map { Self.post("g\(b)-\($0)", "group \(b) \($0)") }) }
        let before = writer.statistics.commits
        try await withThrowingTaskGroup(of: Int.self) { group in
            for batch in batches { group.addTask { try await writer.upsert(prepared: batch).count { $0.status == .added } } }
            var added = 0
            for try await n in group { added += n }
            #expect(added == 200)
        }
        let stats = writer.statistics
        #expect(stats.commits - before < 20)
        #expect(stats.postsWritten == 200)
        try await writer.close()
        #expect(try Database(path: path).documentCount() == 200)
    }

    @Test("modify changes stored posts in place under the same docid, skips unknown ids, and commits")
    func modifyInPlace() async throws {
        let dir = try makeTempDir("modify")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index").path
        let writer = try LiveIndexWriter(path: path)
        _ = try await writer.upsert([Self.post("m1", "harbour lights"), Self.post("m2", "harbour fog")])
        let before = try Database(path: path)
        let docid = try before.postings("Qm1")
        try before.close()
        let generation = writer.generation
        let changed = try await writer.modify(ids: ["m1", "m2", "gone"]) { id, document, terms in
            #expect(terms.contains { $0.term == "Q" + id })
            guard id == "m1" else { return false }  // m2 is looked at but left alone
            document.addBooleanTerm("XDadded.example")
            return true
        }
        #expect(changed == ["m1"])
        #expect(writer.generation > generation)
        let reader = try Database(path: path)
        #expect(try reader.postings("XDadded.example") == docid)
        #expect(try reader.postings("harbour").count == 2)  // the rest of the document is kept
        #expect(try reader.documentCount() == 2)
        try reader.close()
        struct Refused: Error {}
        await #expect(throws: Refused.self) { _ = try await writer.modify(ids: ["m2"]) { _, _, _ in throw Refused() } }
        try await writer.close()
        await #expect(throws: LiveWriterError.self) { _ = try await writer.modify(ids: ["m1"]) { _, _, _ in true } }
    }

    @Test("close commits and releases the lock; the index reopens for writing with everything in it")
    func closeReleases() async throws {
        let dir = try makeTempDir("close")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("index").path
        let writer = try LiveIndexWriter(path: path)
        #expect(throws: IndexError.self) { _ = try LiveIndexWriter(path: path) }
        _ = try await writer.upsert((0..<50).map { Self.post("c\($0)", "closing text \($0)") })
        try await writer.close()
        let again = try LiveIndexWriter(path: path)
        let r = try await again.upsert([Self.post("c0", "closing text 0")])
        #expect(r.first?.status == .unchanged)
        try again.closeBlocking()
        #expect(try Database(path: path).documentCount() == 50)
    }
}
