// Scale-out end to end: the PHEME tweets split in two indexes, each served by a real `xapian-tcpsrv` on a loopback
// port, searched as one with `starling search --shard` — the same totals, hits, scores and facet counts as the
// single index of all of them; `starling stats --shard` counts both; the refusals say what is wrong.
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `xapian-tcpsrv` child serving one index on a free loopback port.
final class ShardServer: @unchecked Sendable {
    static let binary = "/usr/bin/xapian-tcpsrv"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let process: Process
    let port: UInt16
    var address: String { "127.0.0.1:\(port)" }

    /// Starts a server for the index at `path` and waits (at most 10 s a try, 5 tries) until it accepts connections.
    init(index path: String) throws {
        for _ in 0..<5 {
            let port = try Self.freePort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.binary)
            p.arguments = ["--interface", "127.0.0.1", "--port", String(port), path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, p.isRunning {
                if Self.accepts(port) {
                    process = p
                    self.port = port
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            p.terminate()
            p.waitUntilExit()
        }
        throw POSIXError(.ECONNREFUSED)
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// A loopback port nothing listens on now (bound, read back, closed).
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var addr = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                bind(fd, s, length) == 0 && getsockname(fd, s, &length) == 0
            }
        }
        guard ok else { throw POSIXError(.EADDRINUSE) }
        return UInt16(bigEndian: addr.sin_port)
    }

    static func accepts(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return addr
    }
}

@Suite(.serialized) struct ShardSearchTests {
    static let pheme = "corpora/pheme/tweets-v1.jsonl"

    /// `search --json` as (total, id → score, the facets and histogram objects as sorted JSON).
    static func search(_ where: [String], _ query: String, extra: [String] = []) throws
        -> (total: Int, scores: [String: Double], facets: String) {
        let r = try Starling.run(["search", "--json", "--limit", "10000"] + `where` + extra + [query])
        try #require(r.status == 0, "\(`where`) \(query): \(r.stderr)")
        let o = try #require(jsonObject(r.stdout))
        var scores: [String: Double] = [:]
        for h in o["hits"] as? [[String: Any]] ?? [] {
            scores[h["id"] as? String ?? ""] = h["score"] as? Double ?? .nan
        }
        var facets = ""
        if let f = o["facets"] as? [String: Any], let inner = f["facets"] {
            facets = String(decoding: try JSONSerialization.data(withJSONObject: inner, options: [.sortedKeys]), as: UTF8.self)
        }
        if let h = o["histogram"] {
            facets += String(decoding: try JSONSerialization.data(withJSONObject: h, options: [.sortedKeys]), as: UTF8.self)
        }
        return (o["total"] as? Int ?? -1, scores, facets)
    }

    @Test(.enabled(if: SharedData.available && ShardServer.available,
                   "needs ../shared/data (PHEME tweets) and xapian-tcpsrv (Debian xapian-tools)"))
    func twoRemoteShardsAnswerLikeOneIndex() throws {
        let dir = try makeTempDir("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The single index of every tweet, as PhemeSearchTests built it.
        let whole = PhemeIndex.shared.indexPath
        let wholeRun = try #require(PhemeIndex.shared.indexResult, "the whole PHEME index could not be built")
        try #require(wholeRun.status == 0, Comment(rawValue: wholeRun.stderr))
        let wholeSummary = try #require(jsonObject(wholeRun.lines.last ?? ""))
        let wholeIndexed = try #require(wholeSummary["indexed"] as? Int)
        let wholeDocuments = try #require(wholeSummary["documents"] as? Int)
        // Two shards from one file with `index --partition`: each tweet in exactly one of them, by a hash of its id.
        // One-letter index names, relative to the working directory: `--index A` used to crash in Foundation.
        var held = 0
        for (k, name) in ["A", "B"].enumerated() {
            let r = try Starling.run(["index", "--index", name, "--quiet", "--json", "--partition", "\(k)/2",
                                      SharedData.path(Self.pheme)], in: dir)
            try #require(r.status == 0, Comment(rawValue: "index \(name): \(r.stderr)"))
            let summary = try #require(jsonObject(r.stdout))
            let documents = summary["documents"] as? Int ?? 0
            #expect(documents > 2_000 && documents < 2_800, "partition \(k)/2 holds \(documents) of 4,804")
            // Every post read is either indexed here or left to the other partition.
            #expect((summary["indexed"] as? Int ?? 0) + (summary["other_partitions"] as? Int ?? 0) == wholeIndexed)
            held += documents
        }

        let a = try ShardServer(index: dir.appendingPathComponent("A").path)
        defer { a.stop() }
        let b = try ShardServer(index: dir.appendingPathComponent("B").path)
        defer { b.stop() }
        let sharded = ["--shard", a.address, "--shard", b.address]
        // One remote shard and one folder on this machine mix too.
        let mixed = ["--shard", a.address, "--shard", dir.appendingPathComponent("B").path]

        let queries = ["police", "#charliehebdo", "lang:en shooting", "\"hostage situation\"", "has:url -is:reshare sydney",
                       "ferguson OR ottawa", "since:2014-10-22 until:2014-10-23 parliament"]
        var compared = 0
        for q in queries {
            let one = try Self.search(["--index", whole], q)
            #expect(one.total > 0, "\(q) finds nothing in the whole index")
            for shards in [sharded, mixed] {
                let many = try Self.search(shards, q)
                #expect(many.total == one.total, "\(q): \(many.total) over shards, \(one.total) in one index")
                #expect(Set(many.scores.keys) == Set(one.scores.keys), "\(q): other hits over shards")
                for (id, score) in one.scores {
                    let other = many.scores[id] ?? .nan
                    #expect(abs(other - score) <= 1e-9 * max(1, abs(score)), "\(q) \(id): score \(other) against \(score)")
                }
                compared += one.scores.count
            }
        }
        #expect(compared > 1_000)
        // Facets (value facets over every match, term facets over the best ones) and the matches per day.
        let facetArgs = ["--facets", "hashtags,mentions,languages,authors", "--facet-sample", "100000", "--histogram", "day"]
        let oneFacets = try Self.search(["--index", whole], "police OR shooting", extra: facetArgs).facets
        #expect(oneFacets.contains("\"hashtags\"") && oneFacets.contains("\"buckets\""))
        #expect(try Self.search(sharded, "police OR shooting", extra: facetArgs).facets == oneFacets)
        // The newest first over both shards, in the same order as one index (times are distinct enough here).
        let newestOne = try Starling.run(["search", "--json", "--index", whole, "--sort", "newest", "--limit", "20", "police"])
        let newestMany = try Starling.run(["search", "--json", "--sort", "newest", "--limit", "20", "police"] + sharded)
        let order = { (r: CommandResult) in ((jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []).compactMap { $0["created_at"] as? String } }
        #expect(order(newestOne).count == 20)
        #expect(order(newestMany) == order(newestOne))

        let stats = try Starling.run(["stats", "--json"] + sharded)
        try #require(stats.status == 0, Comment(rawValue: stats.stderr))
        let s = try #require(jsonObject(stats.stdout))
        #expect(s["documents"] as? Int == held)
        #expect(held == wholeDocuments, "the two partitions hold every tweet once")
        #expect((s["shards"] as? [String]) == [a.address, b.address])
    }

    @Test func refusalsSayWhatIsWrong() throws {
        let both = try Starling.run(["search", "--index", "x", "--shard", "127.0.0.1:1", "police"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("give --index or --shard, not both"))
        let port = try ShardServer.freePort()
        let gone = try Starling.run(["search", "--shard", "127.0.0.1:\(port)", "--shard-timeout", "2", "police"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("shard 127.0.0.1:\(port) cannot be reached"), Comment(rawValue: gone.stderr))
        let stats = try Starling.run(["stats", "--shard", "127.0.0.1:\(port)", "--shard-timeout", "2"])
        #expect(stats.status == 1)
        let missing = try Starling.run(["search", "--shard", "/nonexistent/starling-shard", "police"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no index at '/nonexistent/starling-shard'"))
    }
}
