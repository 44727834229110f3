// `starling rebuild` on the real binary: an index in an older format refuses new posts with a message naming the
// command, and after the rebuild it holds the same posts, takes new ones, and finds its near-duplicates again.
import Foundation
import Testing
import XapianKit

@Suite struct RebuildTests {
    @Test func anOldFormatIndexIsRebuiltFromItsStoredPosts() throws {
        let dir = try makeTempDir("rebuild")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("posts.jsonl")
        let copy = "breaking: the river has burst its banks near the old mill, stay away from the towpath"
        var lines = (1...200).map { "{\"id\":\"r\($0)\",\"text\":\"post \($0) about #topic\($0 % 4) and more\"}" }
        lines.append("{\"id\":\"c1\",\"text\":\"\(copy)\",\"author\":\"alice\"}")
        lines.append("{\"id\":\"c2\",\"text\":\"RT @alice: \(copy)\"}")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        #expect(try Starling.run(["index", "--index", index, "--quiet", file.path]).status == 0)

        // Make it look like an index written before the bucket file: settings without `buckets=`.
        let db = try WritableDatabase(path: index, mode: .open)
        let settings = try db.metadata("dup.parameters")
        #expect(settings.hasSuffix(" buckets=file"))
        try db.setMetadata("dup.parameters", String(settings.dropLast(" buckets=file".count)))
        try db.commit()
        try db.close()

        let more = dir.appendingPathComponent("more.jsonl")
        try "{\"id\":\"n1\",\"text\":\"a new post about the river and its banks\"}"
            .write(to: more, atomically: true, encoding: .utf8)
        let refused = try Starling.run(["index", "--index", index, "--quiet", more.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("starling rebuild"), "\(refused.stderr)")
        // Refused with several batches in flight: an error and exit status 1, not a crash (libdispatch used to trap
        // on the ingest's semaphore when the first batch's write failed while the next one waited).
        let many = dir.appendingPathComponent("many.jsonl")
        try (1...10_000).map { "{\"id\":\"m\($0)\",\"text\":\"many \($0)\"}" }.joined(separator: "\n")
            .write(to: many, atomically: true, encoding: .utf8)
        let refusedMany = try Starling.run(["index", "--index", index, "--quiet", many.path])
        #expect(refusedMany.status == 1, "\(refusedMany.stderr.prefix(500))")
        #expect(refusedMany.stderr.contains("starling rebuild"))

        let rebuilt = try Starling.run(["rebuild", "--index", index, "--json"])
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        let summary = try #require(jsonObject(rebuilt.lines.last ?? ""))
        #expect(summary["posts"] as? Int == 202)
        #expect(summary["documents"] as? Int == 202)
        #expect(try Starling.run(["index", "--index", index, "--quiet", more.path]).status == 0)

        let topic = try Starling.run(["search", "--index", index, "--json", "--limit", "100", "#topic1"])
        #expect((jsonObject(topic.stdout)?["total"] as? Int) == 50)
        let dups = try Starling.run(["duplicates", "--index", index, "--json", "c1"])
        #expect(dups.stdout.contains("\"c2\""), "\(dups.stdout) \(dups.stderr)")
        let reread = try Database(path: index)
        #expect(try reread.metadata("dup.parameters").hasSuffix(" buckets=file"))
        #expect(try reread.documentCount() == 203)
    }
}
