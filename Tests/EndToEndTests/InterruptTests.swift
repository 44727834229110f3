// End-to-end: an import interrupted with Ctrl-C (SIGINT) stops cleanly, commits what it read, and leaves an index
// that opens, counts and searches.
import Foundation
import Testing

@Suite struct InterruptTests {
    @Test func sigintCommitsWholeBatchesAndLeavesAConsistentIndex() throws {
        let dir = try makeTempDir("interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("many.jsonl")
        // Enough posts that the import is still running when the signal arrives.
        var text = ""
        text.reserveCapacity(4_000_000)
        for i in 0..<20_000 {
            text += "{\"id\":\"i\(i)\",\"text\":\"interrupt test post number \(i) with #tag\(i % 97) and some more words\"}\n"
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path

        let p = Process()
        p.executableURL = URL(fileURLWithPath: Starling.binary)
        p.arguments = ["index", "--index", index, "--json", "--quiet", "--commit-every", "5000", file.path]
        let out = Pipe()
        let err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Wait for the first commit (5,000 posts), so the signal lands mid-import whatever the machine's speed.
        let deadline = Date().addingTimeInterval(120)
        while p.isRunning && Date() < deadline {
            let s = try Starling.run(["stats", "--index", index, "--json"])
            if let n = jsonObject(s.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["documents"] as? Int, n > 0 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let stillRunning = p.isRunning
        if stillRunning { kill(p.processIdentifier, SIGINT) }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        _ = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let summary = try #require(jsonObject(String(decoding: outData, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        if stillRunning {
            #expect(summary["interrupted"] as? Bool == true)
        }
        let indexed = try #require(summary["indexed"] as? Int)
        #expect(indexed >= 5_000)
        // The index opens and holds exactly what the summary says was committed.
        let stats = try Starling.run(["stats", "--index", index, "--json"])
        #expect(stats.status == 0)
        #expect(jsonObject(stats.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["documents"] as? Int == indexed)
        let q = try Starling.run(["search", "--index", index, "--json", "interrupt"])
        #expect(jsonObject(q.stdout)?["total"] as? Int == indexed)
        // Re-running the import completes it.
        let again = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(jsonObject(again.lines.last ?? "")?["documents"] as? Int == 20_000)
    }
}
