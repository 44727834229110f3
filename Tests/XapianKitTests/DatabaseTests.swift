// DatabaseTests.swift: writing and reading an on-disk glass database: upserts by unique term, deletes,
// commits seen by a reader after reopen, transactions, metadata, documents and term statistics.
import Foundation
import Testing
import XapianKit

@Suite struct DatabaseTests {
    @Test func replaceByUniqueTermKeepsTheCountAndReaderSeesCommitsAfterReopen() throws {
        let dir = try TempDir("upsert")
        let writer = try WritableDatabase(path: dir.path("db"))
        try writer.commit()
        let reader = try Database(path: dir.path("db"))

        let posts = Corpus.posts(3)
        var docids: [UInt32] = []
        for post in posts { docids.append(try writer.replaceDocument(uniqueTerm: post.uniqueTerm, post.document())) }
        #expect(docids == [1, 2, 3])
        #expect(try writer.documentCount() == 3)

        // Replacing by the unique term updates in place: same docid, same count, new data.
        let changed = Document()
        changed.data = "changed"
        changed.addBooleanTerm(posts[1].uniqueTerm)
        #expect(try writer.replaceDocument(uniqueTerm: posts[1].uniqueTerm, changed) == 2)
        #expect(try writer.documentCount() == 3)

        #expect(try reader.documentCount() == 0, "uncommitted changes are invisible")
        try writer.commit()
        #expect(try reader.documentCount() == 0, "a reader stays on its revision until reopen")
        #expect(try reader.reopen())
        #expect(try reader.documentCount() == 3)
        #expect(try reader.document(2).data == "changed")

        try writer.deleteDocument(uniqueTerm: posts[0].uniqueTerm)
        try writer.deleteDocument(3)
        try writer.commit()
        try reader.reopen()
        #expect(try reader.documentCount() == 1)
        #expect(try reader.postings(posts[1].uniqueTerm) == [2])
        #expect(try reader.termExists(posts[0].uniqueTerm) == false)
        #expect(try reader.lastDocID() == 3)

        let added = Document()
        added.addTerm("fresh")
        #expect(try writer.addDocument(added) == 4)
        try writer.replaceDocument(4, changed)
        #expect(try writer.document(4).data == "changed")
        try writer.close()
    }

    @Test func documentsRoundTripDataValuesAndTerms() throws {
        let dir = try TempDir("document")
        let writer = try WritableDatabase(path: dir.path("db"))
        let doc = Document()
        #expect(doc.docid == 0)
        doc.data = "héllo 🐦 wörld"
        doc.addPosting("hello", position: 1)
        doc.addPosting("world", position: 2)
        doc.addPosting("hello", position: 3)
        doc.addTerm("extra", wdf: 5)
        doc.addBooleanTerm("Kswift")
        doc.setValue(7, [0x00, 0xFF, 0x00, 0x41])
        doc.setValue(8, "値")
        #expect(doc.terms().map { "\($0.term):\($0.wdf)" } == ["Kswift:0", "extra:5", "hello:2", "world:1"])
        let docid = try writer.addDocument(doc)
        try writer.commit()

        let reader = try Database(path: dir.path("db"))
        let stored = try reader.document(docid)
        #expect(stored.docid == docid)
        #expect(stored.data == "héllo 🐦 wörld")
        #expect(stored.value(7) == [0x00, 0xFF, 0x00, 0x41], "values are binary-safe, NUL included")
        #expect(stored.stringValue(8) == "値")
        #expect(stored.value(99) == [])
        #expect(stored.terms().map(\.term) == ["Kswift", "extra", "hello", "world"])
        #expect(try reader.termList(docid).map(\.wdf) == [0, 5, 2, 1])
        #expect(try reader.documentLength(docid) == 8)
        #expect(try reader.averageLength() == 8)
        #expect(try reader.termFrequency("hello") == 1)
        #expect(try reader.collectionFrequency("hello") == 2)
        #expect(try reader.termFrequency("absent") == 0)

        // Binary data survives too.
        let binary = Document()
        binary.dataBytes = [0, 1, 2, 0xC3, 0x28, 0]
        let binaryID = try writer.addDocument(binary)
        try writer.commit()
        try reader.reopen()
        #expect(try reader.document(binaryID).dataBytes == [0, 1, 2, 0xC3, 0x28, 0])
    }

    /// A stored document read back, edited (a boolean term swapped) and replaced keeps everything else.
    @Test func storedDocumentsCanLoseAndGainTerms() throws {
        let dir = try TempDir("edit")
        let writer = try WritableDatabase(path: dir.path("db"))
        let doc = Document()
        doc.data = "post"
        doc.addPosting("delta", position: 1)
        doc.addBooleanTerm("XEold")
        doc.setValue(3, "v")
        let docid = try writer.addDocument(doc)
        try writer.commit()

        let edited = try writer.document(docid)
        edited.removeTerm("XEold")
        edited.addBooleanTerm("XEnew")
        try writer.replaceDocument(docid, edited)
        try writer.commit()
        #expect(try writer.termList(docid).map(\.term) == ["XEnew", "delta"])
        #expect(try writer.termFrequency("XEold") == 0 && writer.termFrequency("XEnew") == 1)
        let stored = try writer.document(docid)
        #expect(stored.data == "post" && stored.stringValue(3) == "v")
        #expect(try writer.documentLength(docid) == 1, "boolean terms add nothing to the length")

        // Removing a term the document does not hold is reported when the document is stored, and nothing changes.
        let wrong = try writer.document(docid)
        wrong.removeTerm("XEabsent")
        #expect(throws: XapianError.self) { try writer.replaceDocument(docid, wrong) }
        #expect(try writer.termList(docid).map(\.term) == ["XEnew", "delta"])
    }

    @Test func revisionUUIDAndValuesWithoutData() throws {
        let dir = try TempDir("revision")
        let writer = try WritableDatabase(path: dir.path("db"))
        let doc = Document()
        doc.data = String(repeating: "x", count: 10_000)
        doc.setValue(2, [0x01, 0x02])
        doc.addBooleanTerm("Qa")
        _ = try writer.replaceDocument(uniqueTerm: "Qa", doc)
        try writer.commit()
        let reader = try Database(path: dir.path("db"))
        let first = try reader.revision()
        #expect(try reader.value(1, slot: 2) == [0x01, 0x02])
        #expect(try reader.value(1, slot: 3) == [])
        // Every commit moves the revision on; the UUID stays until the database is created anew.
        let uuid = try reader.uuid()
        #expect(uuid.count == 36)
        try writer.deleteDocument(1)
        try writer.commit()
        try reader.reopen()
        #expect(try reader.revision() > first)
        #expect(try reader.uuid() == uuid)
        try writer.close()
        let other = try TempDir("revision-other")
        let fresh = try WritableDatabase(path: other.path("db"))
        try fresh.commit()
        #expect(try fresh.uuid() != uuid)
    }

    @Test func allTermsListsAPrefixWithFrequencies() throws {
        let dir = try TempDir("allterms")
        let posts = Corpus.posts(60)
        try Corpus.build(at: dir.path("db"), posts)
        let db = try Database(path: dir.path("db"))
        let authors = try db.allTerms(prefix: "A")
        var expected: [String: Int] = [:]
        for post in posts { expected["A" + post.author, default: 0] += 1 }
        #expect(authors.map(\.term) == expected.keys.sorted())
        #expect(Dictionary(uniqueKeysWithValues: authors.map { ($0.term, $0.frequency) }) == expected)
        #expect(try db.allTerms().count > authors.count)
        #expect(try db.allTerms(prefix: "Znothing").isEmpty)
    }

    @Test func transactionsApplyAllOrNothing() throws {
        let dir = try TempDir("transaction")
        let writer = try WritableDatabase(path: dir.path("db"))
        let posts = Corpus.posts(4)

        try writer.beginTransaction()
        try writer.addDocument(posts[0].document())
        try writer.addDocument(posts[1].document())
        try writer.cancelTransaction()
        #expect(try writer.documentCount() == 0)

        try writer.beginTransaction(flushed: true)
        try writer.addDocument(posts[2].document())
        try writer.addDocument(posts[3].document())
        try writer.commitTransaction()
        let reader = try Database(path: dir.path("db"))
        #expect(try reader.documentCount() == 2, "a flushed transaction is committed to disk")

        expectXapianError("InvalidOperationError") { try writer.commitTransaction() }
    }

    @Test func metadataIsStoredWithCommits() throws {
        let dir = try TempDir("metadata")
        let writer = try WritableDatabase(path: dir.path("db"))
        try writer.setMetadata("schema", "starling/1")
        try writer.setMetadata("empty-key-later", "x")
        try writer.setMetadata("empty-key-later", "")
        try writer.commit()
        let reader = try Database(path: dir.path("db"))
        #expect(try reader.metadata("schema") == "starling/1")
        #expect(try reader.metadata("empty-key-later") == "")
        #expect(try reader.metadata("never-set") == "")
    }
}

@Suite struct CommitHookTests {
    struct Refused: Error {}

    /// Hooks run before every commit and before close, and what they write commits with the changes; a hook that
    /// throws stops that commit, so nothing of it becomes visible.
    @Test func hooksRunBeforeEachCommitAndCommitWithIt() throws {
        let dir = try TempDir("hooks")
        let writer = try WritableDatabase(path: dir.path("db"))
        #expect(writer.path == dir.path("db"))
        var runs = 0
        var refuse = false
        writer.addCommitHook { db in
            if refuse { throw Refused() }
            runs += 1
            try db.setMetadata("hook.runs", String(runs))
        }
        let reader = try Database(path: dir.path("db"))
        let posts = Corpus.posts(2)
        _ = try writer.replaceDocument(uniqueTerm: posts[0].uniqueTerm, posts[0].document())
        try writer.commit()
        try reader.reopen()
        #expect(try reader.metadata("hook.runs") == "1")
        #expect(try reader.documentCount() == 1)

        refuse = true
        _ = try writer.replaceDocument(uniqueTerm: posts[1].uniqueTerm, posts[1].document())
        #expect(throws: Refused.self) { try writer.commit() }
        try reader.reopen()
        #expect(try reader.documentCount() == 1, "a refused commit makes nothing visible")

        refuse = false
        try writer.close()  // commits, after the hook
        try reader.reopen()
        #expect(try reader.metadata("hook.runs") == "2")
        #expect(try reader.documentCount() == 2)
        #expect(try Database.combining([reader]).path == nil)
        #expect(try Database.combining([reader]).shardCount == 1)
        #expect(try Database.combining([reader, reader]).shardCount == 2)
        #expect(try Database.empty().shardCount == 0)
    }
}
