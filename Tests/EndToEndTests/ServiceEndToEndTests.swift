// `starling serve` as a real process: it prints its port, serves over a socket, refuses a public address without
// keys, commits on SIGTERM, and loses nothing it acknowledged when killed with SIGKILL.
import Foundation
import StarlingTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// A `starling serve` child process.
private final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stderrPipe = Pipe()

    /// Starts `starling serve --port 0 args...` and waits (up to 60 s) for its `listening on` line.
    init(_ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: Starling.binary)
        process.arguments = ["serve", "--port", "0"] + args
        let out = Pipe()
        process.standardOutput = out
        process.standardError = stderrPipe
        try process.run()
        var buffer = Data()
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil && Date() < deadline && process.isRunning {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { Thread.sleep(forTimeInterval: 0.05); continue }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening on http://") }),
               let p = line.split(separator: ":").last.flatMap({ Int($0) }) {
                found = p
            }
        }
        guard let found else {
            process.terminate()
            throw ServeFailure(message: "no 'listening on' line; stderr: "
                               + String(decoding: stderrPipe.fileHandleForReading.availableData, as: UTF8.self))
        }
        port = found
    }

    /// Sends a request and returns the status and body.
    func request(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, [String: Any]) {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        if let body { r.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: r)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as! HTTPURLResponse).statusCode, json)
    }

    /// Sends `signal` and waits for the exit; returns the status and what was printed on stderr.
    func stop(_ signal: Int32) -> (Int32, String) {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderrPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}

private struct ServeFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

@Suite("starling serve", .serialized)
struct ServiceEndToEndTests {
    private func lines(_ prefix: String, _ n: Int) -> String {
        (0..<n).map { "{\"id\":\"\(prefix)\($0)\",\"text\":\"served post \($0) #\(prefix)tag\",\"author\":\"u\($0 % 4)\"}" }
            .joined(separator: "\n")
    }

    @Test("acknowledged posts survive SIGKILL; SIGTERM commits and releases the index")
    func durability() async throws {
        let dir = try makeTempDir("serve")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path

        let first = try ServeProcess(["--index", index])
        let (status, body) = try await first.request("POST", "/v1/posts", body: lines("k", 300))
        #expect(status == 200)
        #expect(body["added"] as? Int == 300)
        let (killed, _) = first.stop(SIGKILL)
        #expect(killed == SIGKILL)
        // Every acknowledged post is on disk: the CLI finds them all after the crash.
        let r = try Starling.run(["search", "--index", index, "--json", "#ktag"])
        #expect(jsonObject(r.stdout)?["total"] as? Int == 300, "\(r.stderr)")

        let second = try ServeProcess(["--index", index])
        let (s2, b2) = try await second.request("POST", "/v1/posts", body: lines("t", 50))
        #expect(s2 == 200 && b2["added"] as? Int == 50)
        let (found, hits) = try await second.request("GET", "/v1/search?q=%23ttag&limit=1")
        #expect(found == 200 && hits["total"] as? Int == 50)
        let (code, stderr) = second.stop(SIGTERM)
        #expect(code == 0, "\(stderr)")
        #expect(stderr.contains("index committed"))
        // The lock is released: the batch CLI can write the index again.
        let file = dir.appendingPathComponent("more.jsonl")
        try lines("m", 5).write(to: file, atomically: true, encoding: .utf8)
        let more = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(more.status == 0, "\(more.stderr)")
        #expect(jsonObject(more.lines.last ?? "")?["documents"] as? Int == 355)
    }

    @Test("without --keys a public address is refused")
    func refusesPublicAddressWithoutKeys() throws {
        let dir = try makeTempDir("serve-public")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Starling.run(["serve", "--index", dir.appendingPathComponent("idx").path, "--host", "0.0.0.0"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("refusing to listen on '0.0.0.0' without API keys"))
    }

    @Test("over shards the service searches them as one index and refuses writes",
          .enabled(if: XapianServer.available, "needs xapian-tcpsrv (Debian xapian-tools)"))
    func readOnlyFrontOverShards() async throws {
        let dir = try makeTempDir("serve-shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        let posts = dir.appendingPathComponent("posts.jsonl")
        // 300 posts, and 30 copies of five of them (spread over both shards by their ids).
        let copies = (0..<30).map { "{\"id\":\"c\($0)\",\"text\":\"RT @u9: served post \($0 % 5) #stag\",\"author\":\"u9\"}" }
        try (lines("s", 300) + "\n" + copies.joined(separator: "\n") + "\n").write(to: posts, atomically: true, encoding: .utf8)
        let whole = dir.appendingPathComponent("whole").path
        try #require(try Starling.run(["index", "--index", whole, "--quiet", posts.path]).status == 0)
        var servers: [XapianServer] = []
        defer { for s in servers { s.stop() } }
        for k in 0..<2 {
            let shard = dir.appendingPathComponent("shard\(k)").path
            try #require(try Starling.run(["index", "--index", shard, "--quiet", "--partition", "\(k)/2", posts.path]).status == 0)
            servers.append(try XapianServer(database: shard))
        }
        let serve = try ServeProcess(servers.flatMap { ["--shard", $0.address] })
        for query in ["served", "stag", "from:u1", "post -from:u2"] {
            let q = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
            let (status, json) = try await serve.request("GET", "/v1/search?q=\(q)&limit=1000")
            #expect(status == 200)
            let one = try #require(jsonObject(try Starling.run(["search", "--json", "--limit", "1000", "--index", whole, query]).stdout))
            #expect(json["total"] as? Int == one["total"] as? Int, "\(query)")
            let ids = { (o: [String: Any]) in Set((o["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) }
            #expect(ids(json) == ids(one), "\(query)")
        }
        let (statsStatus, stats) = try await serve.request("GET", "/v1/stats")
        #expect(statsStatus == 200 && stats["documents"] as? Int == 330 && stats["read_only"] as? Bool == true)
        #expect(stats["shards"] as? [String] == servers.map(\.address))
        let (ingest, refusal) = try await serve.request("POST", "/v1/posts", body: "{\"id\":\"new\",\"text\":\"x\"}")
        #expect(ingest == 409 && (refusal["error"] as? [String: Any])?["code"] as? String == "read-only")
        let (deleted, _) = try await serve.request("DELETE", "/v1/posts/s1")
        #expect(deleted == 409)
        // Similar posts: candidates from each shard's matcher, re-scored by cosine: one index's scores (these
        // posts tie a lot, so the scores are compared, and the best hit where only one post holds "123").
        for (probe, args) in [("text=served%20post%20123%20%23stag", ["--text", "served post 123 #stag"]), ("id=s7", ["s7"])] {
            let (status, json) = try await serve.request("GET", "/v1/similar?\(probe)&limit=20")
            #expect(status == 200, "\(probe): \(json)")
            let one = try #require(jsonObject(try Starling.run(["similar", "--json", "--limit", "20", "--index", whole] + args).stdout))
            let scores = { (o: [String: Any]) in (o["hits"] as? [[String: Any]] ?? []).map { String(format: "%.9f", $0["score"] as? Double ?? -1) } }
            #expect(scores(json).count == 20 && scores(json) == scores(one), "\(probe): \(json)")
            let top = { (o: [String: Any]) in (o["hits"] as? [[String: Any]] ?? []).first?["id"] as? String }
            #expect(json["total"] as? Int ?? 0 > 0)
            if probe.hasPrefix("text") { #expect(top(json) == "s123" && top(one) == "s123") }
        }
        let (similar, why) = try await serve.request("GET", "/v1/similar?text=served%20post&mode=exact")
        #expect(similar == 409 && (why["error"] as? [String: Any])?["code"] as? String == "not-over-shards")
        // Near-duplicates and clusters ask every shard: the same answers as one index of all the posts.
        for probe in ["id=s3", "text=served%20post%204%20%23stag", "id=c2&threshold=0.5"] {
            let (status, json) = try await serve.request("GET", "/v1/duplicates?\(probe)&limit=1000")
            #expect(status == 200, "\(probe): \(json)")
            var args = ["duplicates", "--json", "--limit", "1000", "--index", whole]
            if probe.hasPrefix("text=") { args += ["--text", "served post 4 #stag"] }
            if probe.contains("threshold") { args += ["--threshold", "0.5"] }
            if probe.hasPrefix("id=") { args.append(String(probe.dropFirst(3).prefix { $0 != "&" })) }
            let one = try #require(jsonObject(try Starling.run(args).stdout))
            let ids = { (o: [String: Any]) in Set((o["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) }
            #expect(ids(json).count == (probe.hasPrefix("text=") ? 7 : 6), "\(probe): \(json)")
            #expect(ids(json) == ids(one) && json["total"] as? Int == one["total"] as? Int, "\(probe)")
        }
        let (missing, _) = try await serve.request("GET", "/v1/duplicates?id=no-such-post")
        #expect(missing == 404)
        let (clustersStatus, clusters) = try await serve.request("GET", "/v1/clusters?limit=5")
        let oneClusters = try #require(jsonObject(try Starling.run(["duplicates", "--json", "--clusters", "--limit", "5",
                                                                     "--index", whole]).stdout))
        let sizes = { (o: [String: Any]) in (o["clusters"] as? [[String: Any]] ?? []).compactMap { $0["size"] as? Int } }
        #expect(clustersStatus == 200 && sizes(clusters) == [7, 7, 7, 7, 7] && sizes(clusters) == sizes(oneClusters),
                "\(clusters)")
        // A shard goes down: 503 naming the trouble, the service stays up; back on its port, answers resume.
        let port = servers[1].port
        servers[1].stop()
        let (down, downJSON) = try await serve.request("GET", "/v1/search?q=served")
        #expect(down == 503 && (downJSON["error"] as? [String: Any])?["code"] as? String == "shard-unavailable", "\(down) \(downJSON)")
        servers.append(try XapianServer(database: dir.appendingPathComponent("shard1").path, port: port))
        let (back, backJSON) = try await serve.request("GET", "/v1/search?q=served&limit=1000")
        #expect(back == 200 && backJSON["total"] as? Int == 330)
        let (status, message) = serve.stop(SIGTERM)
        #expect(status == 0, Comment(rawValue: message))
    }
}
