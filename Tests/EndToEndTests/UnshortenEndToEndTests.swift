// End-to-end `starling unshorten`: the real binary against a tiny shortener on a loopback port. Loopback is refused
// by default (SSRF) and the server sees nothing; with --allow-private the link resolves, `domain:` and `url:` find
// the post, and a later run is answered by the cache and the markers without a single request.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP server on 127.0.0.1: `routes` maps a path to (status, Location); it counts requests.
private final class TinyShortener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var seen = 0
    private let routes: @Sendable (String, UInt16) -> (Int, String?)

    init(routes: @escaping @Sendable (String, UInt16) -> (Int, String?)) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        port = UInt16(bigEndian: addr.sin_port)
        self.fd = fd
        Thread.detachNewThread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                answer(c)
            }
        }
    }

    var requests: Int { lock.lock(); defer { lock.unlock() }; return seen }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func answer(_ c: Int32) {
        defer { close(c) }
        var buffer = [UInt8](repeating: 0, count: 8192)
        var got = 0
        while got < buffer.count {
            let n = buffer[got...].withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            got += n
            if String(decoding: buffer[..<got], as: UTF8.self).contains("\r\n\r\n") { break }
        }
        let line = String(decoding: buffer[..<got], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        guard parts.count >= 2 else { return }
        lock.lock(); seen += 1; lock.unlock()
        let (status, location) = routes(String(parts[1]), port)
        var reply = "HTTP/1.1 \(status) X\r\nContent-Length: 0\r\nConnection: close\r\n"
        if let location { reply += "Location: \(location)\r\n" }
        reply += "\r\n"
        let bytes = Array(reply.utf8)
        _ = bytes.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

@Suite(.serialized) struct UnshortenEndToEndTests {
    @Test func resolvesShortLinksIntoTheIndex() throws {
        let server = try TinyShortener { path, port in
            switch path {
            case "/s/story": return (301, "/s/hop")
            case "/s/hop": return (302, "http://127.0.0.1:\(port)/news/story?utm_source=twitter")
            case "/news/story": return (200, nil)
            default: return (404, nil)
            }
        }
        defer { server.stop() }
        let dir = try makeTempDir("unshorten")
        defer { try? FileManager.default.removeItem(at: dir) }
        let short = "http://localhost:\(server.port)"
        // Exports carry the wrapper's expansion; here the expansion is the (local) shortener.
        let posts = [
            #"{"id":"u1","text":"big news http://bit.ly/e2e","urls":[{"url":"http://bit.ly/e2e","expanded":"\#(short)/s/story"}]}"#,
            #"{"id":"u2","text":"dead link http://bit.ly/gone","urls":[{"url":"http://bit.ly/gone","expanded":"\#(short)/s/gone"}]}"#,
            #"{"id":"u3","text":"no link at all"}"#,
        ]
        let file = dir.appendingPathComponent("posts.jsonl")
        try posts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let shorteners = dir.appendingPathComponent("shorteners.txt")
        try "# test list\nlocalhost\n".write(to: shorteners, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let indexed = try Starling.run(["index", "--index", index, "--quiet", file.path])
        #expect(indexed.status == 0, "\(indexed.stderr)")
        let base = ["unshorten", "--index", index, "--shorteners", shorteners.path, "--json", "--timeout", "3"]

        // Default policy: loopback is refused before connecting.
        let refused = try Starling.run(base)
        #expect(refused.status == 0, "\(refused.stderr)")
        let r1 = try #require(jsonObject(refused.stdout), "\(refused.stdout)")
        #expect(r1["posts"] as? Int == 2)
        #expect(r1["updated"] as? Int == 0)
        #expect((r1["failed_by_reason"] as? [String: Any])?["refused_address"] as? Int == 2)
        #expect(server.requests == 0)

        // Allowed, and the cached refusals retried.
        let allowed = try Starling.run(base + ["--allow-private", "--retry-failed"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let r2 = try #require(jsonObject(allowed.stdout), "\(allowed.stdout)")
        #expect(r2["resolved"] as? Int == 1)
        #expect((r2["failed_by_reason"] as? [String: Any])?["http_status"] as? Int == 1)
        #expect(r2["updated"] as? Int == 1)
        let requests = server.requests
        #expect(requests >= 4)
        // The target's domain and canonical URL (tracking parameter gone) are terms now; the short link still counts.
        #expect(try searchIDs(index, "domain:127.0.0.1 url:http://127.0.0.1:\(server.port)/news/story url:\(short)/s/story")
                == ["u1"])

        // Compacting keeps the cache (it lives in the index folder); the next run is answered from it.
        let compacted = try Starling.run(["compact", "--index", index])
        #expect(compacted.status == 0, "\(compacted.stderr)")
        #expect(FileManager.default.fileExists(atPath: index + "/unshorten-cache.jsonl"))

        // Another run, another process, the human summary: nothing asked over the network.
        let again = try Starling.run(["unshorten", "--index", index, "--shorteners", shorteners.path, "--allow-private"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 asked over the network"), "\(again.stdout)")
        #expect(again.stdout.contains("http_status 1"), "\(again.stdout)")
        #expect(server.requests == requests)

        let bad = try Starling.run(["unshorten", "--index", index, "--max-hops", "99"])
        #expect(bad.status != 0)
    }

    private func searchIDs(_ index: String, _ query: String) throws -> [String] {
        let r = try Starling.run(["search", "--index", index, "--json", query])
        #expect(r.status == 0, "\(query): \(r.stderr)")
        let hits = (jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []
        return hits.compactMap { $0["id"] as? String }.sorted()
    }
}
