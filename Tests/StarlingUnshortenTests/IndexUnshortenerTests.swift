// Unshortening an on-disk index: the cache file, terms added in place, markers, and that a restart asks the
// network nothing (requests counted on the local server).
import Foundation
import StarlingAnalysis
import StarlingImport
import StarlingIndex
import StarlingModel
import StarlingTestSupport
import Testing
import XapianKit
@testable import StarlingUnshorten

@Suite struct UnshortenCacheTests {
    @Test func transientFailuresAreTriedAgainLaterAndTheOthersStand() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-retry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.jsonl").path
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let minute: TimeInterval = 60
        do {
            let cache = try UnshortenCache(path: path)
            try cache.record(Resolution(url: "https://bit.ly/offline", final: nil, hops: 0, status: nil,
                                        failure: UnshortenFailure(.dns, "no such host")), now: t0)
            try cache.record(Resolution(url: "https://bit.ly/gone", final: nil, hops: 0, status: 404,
                                        failure: UnshortenFailure(.httpStatus, "status 404")), now: t0)
            // Within the first back-off (10 minutes) the failure stands; after it the link is due again.
            #expect(cache.lookup("https://bit.ly/offline", now: t0 + 9 * minute)?.failure?.reason == .dns)
            #expect(cache.lookup("https://bit.ly/offline", now: t0 + 11 * minute) == nil)
            // A permanent failure never comes due.
            #expect(cache.lookup("https://bit.ly/gone", now: t0 + 30 * 86_400)?.failure?.reason == .httpStatus)
            // Failing again doubles the wait.
            try cache.record(Resolution(url: "https://bit.ly/offline", final: nil, hops: 0, status: nil,
                                        failure: UnshortenFailure(.timeout, "5 s")), now: t0 + 11 * minute)
            #expect(cache.lookup("https://bit.ly/offline", now: t0 + 25 * minute) != nil)
            #expect(cache.lookup("https://bit.ly/offline", now: t0 + 32 * minute) == nil)
        }
        // The count of attempts and the time survive a restart.
        let again = try UnshortenCache(path: path)
        #expect(again.lookup("https://bit.ly/offline", now: t0 + 25 * minute)?.failure?.reason == .timeout)
        #expect(again.lookup("https://bit.ly/offline", now: t0 + 32 * minute) == nil)
        // Success resets the count; the back-off grows no further than a day.
        try again.record(Resolution(url: "https://bit.ly/offline", final: "https://example.com/x", hops: 1, status: 200,
                                    failure: nil), now: t0 + 40 * minute)
        #expect(again.lookup("https://bit.ly/offline", now: t0 + 400 * 86_400)?.final == "https://example.com/x")
        #expect(UnshortenCache.backoff(attempts: 40) == UnshortenCache.longestRetry)
    }

    @Test func survivesReloadAndSkipsTornLines() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("c.jsonl").path
        do {
            let cache = try UnshortenCache(path: path)
            try cache.record(Resolution(url: "https://bit.ly/a", final: "https://example.com/a", hops: 2, status: 200, failure: nil))
            try cache.record(Resolution(url: "https://bit.ly/b", final: nil, hops: 0, status: 404,
                                        failure: UnshortenFailure(.httpStatus, "status 404")))
        }
        // A crash mid-append leaves a torn line; the next records must still land on lines of their own.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("{\"url\":\"https://bit.ly/c\",\"fin".utf8))
        try handle.close()
        do {
            let cache = try UnshortenCache(path: path)
            #expect(cache.count == 2)
            #expect(cache.skippedLines == 1)
            #expect(cache.lookup("https://bit.ly/a")?.final == "https://example.com/a")
            #expect(cache.lookup("https://bit.ly/a")?.hops == 2)
            #expect(cache.lookup("https://bit.ly/b")?.failure == UnshortenFailure(.httpStatus, "status 404"))
            // A retried failure that now resolves: the later line wins.
            try cache.record(Resolution(url: "https://bit.ly/b", final: "https://example.com/b", hops: 1, status: 200, failure: nil))
        }
        let again = try UnshortenCache(path: path)
        #expect(again.count == 2)
        #expect(again.skippedLines == 1)
        #expect(again.lookup("https://bit.ly/b")?.final == "https://example.com/b")
        #expect(again.lookup("https://bit.ly/b")?.failure == nil)
    }
}

/// A temporary index built by the real ingest pipeline.
private struct TempIndex {
    let dir: URL
    var path: String { dir.appendingPathComponent("idx").path }

    init(_ lines: [String]) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-unshorten-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try add(lines)
    }

    func add(_ lines: [String]) throws {
        let file = dir.appendingPathComponent("posts-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        var options = IngestOptions()
        options.workers = 1
        let ingestor = try Ingestor(path: path, options: options)
        _ = try ingestor.ingest(paths: [file.path], importOptions: ImportOptions(format: .native),
                                onIssue: { _ in }, onFileError: { _, _ in }, onProgress: { _ in })
        try ingestor.close()
    }

    func postings(_ term: String) throws -> [UInt32] {
        let db = try Database(path: path)
        defer { try? db.close() }
        return try db.postings(term)
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// A post whose text carries a bit.ly link the platform expanded to `target` (how exports name the link).
private func post(_ id: String, short: String, target: String) -> String {
    JSONValue.object([
        ("id", .string(id)), ("text", .string("read this \(short)")),
        ("urls", .array([.object([("url", .string(short)), ("expanded", .string(target))])])),
    ]).jsonText
}

@Suite(.serialized) struct IndexUnshortenerTests {
    @Test func addsTargetsInPlaceAndNeverAsksTwice() async throws {
        // The server redirects to itself under another name (localhost), so the target has its own domain term.
        let portBox = PortBox()
        let real = try LoopbackServer(handler: { method, path in
            switch path {
            case "/s/news": return .redirect("http://localhost:\(portBox.port)/page/article")
            case "/s/dead": return LoopbackServer.Reply(status: 404)
            default: return shortenerRoutes(method, path)
            }
        })
        defer { real.stop() }
        portBox.port = real.port
        let port = real.port
        let shortHost = "127.0.0.1:\(real.port)"
        let index = try TempIndex([
            post("1", short: "http://bit.ly/news", target: "http://\(shortHost)/s/news"),
            post("2", short: "http://bit.ly/dead", target: "http://\(shortHost)/s/dead"),
            post("3", short: "http://bit.ly/news2", target: "http://\(shortHost)/s/news"),
            JSONValue.object([("id", .string("4")), ("text", .string("no links here"))]).jsonText,
        ])
        defer { index.remove() }
        let urls = try AnalyzerConfiguration.shared.get().urls
        let shorteners = ShortenerList(domains: ["127.0.0.1"])
        var options = UnshortenOptions()
        options.resolver.addressPolicy = AddressPolicy(allowing: [.loopback])
        options.resolver.timeout = 2
        options.resolver.lookup = HostLookup { host in
            host == "localhost" ? .success([IPAddress("127.0.0.1")!]) : .failure(HostLookupError("unknown"))
        }
        #expect(try index.postings("XDlocalhost").isEmpty)

        let first = try await IndexUnshortener.run(indexPath: index.path, options: options, shorteners: shorteners, urls: urls)
        #expect(first.posts == 3)
        #expect(first.links == 2)  // posts 1 and 3 share the same short link
        #expect(first.resolved == 1)
        #expect(first.resolvedFromCache == 0)
        #expect(first.failed == ["http_status": 1])
        #expect(first.updated == 2)
        let requestsAfterFirst = real.requests()
        #expect(requestsAfterFirst > 0)

        // The targets' terms are on the posts: domain and canonical URL, plus the marker.
        #expect(try index.postings("XDlocalhost") == index.postings("Q1") + index.postings("Q3"))
        #expect(try index.postings("XUhttp://localhost:\(port)/page/article").count == 2)
        #expect(try index.postings("XShttp://\(shortHost)/s/news").count == 2)
        // The stored post lists where its link leads.
        let db = try Database(path: index.path)
        let doc = try db.document(try db.postings("Q1")[0])
        let stored = try StoredPost.decode(doc.dataBytes)
        #expect(stored["unshortened"]?.arrayValue?.first?["resolved"]?.stringValue == "http://localhost:\(port)/page/article")
        #expect(stored["text"]?.stringValue == "read this http://bit.ly/news")
        try db.close()
        #expect(FileManager.default.fileExists(atPath: index.path + "/unshorten-cache.jsonl"))

        // A second run (a fresh process would do the same: the cache is reloaded from its file) finds only the
        // failed post, answers it from the cache, and asks the network nothing.
        let second = try await IndexUnshortener.run(indexPath: index.path, options: options, shorteners: shorteners, urls: urls)
        #expect(second.posts == 1)
        #expect(second.looked == 0)
        #expect(second.failedFromCache == 1)
        #expect(second.updated == 0)
        #expect(real.requests() == requestsAfterFirst)

        // Re-importing post 1 rebuilds its document without the targets; the next run restores them from the cache.
        try index.add([post("1", short: "http://bit.ly/news", target: "http://\(shortHost)/s/news")])
        #expect(try index.postings("XDlocalhost").count == 1)
        let third = try await IndexUnshortener.run(indexPath: index.path, options: options, shorteners: shorteners, urls: urls)
        #expect(third.updated == 1)
        #expect(third.resolvedFromCache == 1)
        #expect(third.looked == 0)
        #expect(try index.postings("XDlocalhost").count == 2)
        #expect(real.requests() == requestsAfterFirst)
    }

    @Test func waitsForNoLockWhileResolvingAndReportsALockedIndex() async throws {
        let server = try LoopbackServer(handler: shortenerRoutes)
        defer { server.stop() }
        let index = try TempIndex([post("1", short: "http://bit.ly/x", target: server.url("/chain/1"))])
        defer { index.remove() }
        let urls = try AnalyzerConfiguration.shared.get().urls
        var options = UnshortenOptions()
        options.resolver.addressPolicy = AddressPolicy(allowing: [.loopback])
        // Another writer holds the index: resolving still happens (and is cached), writing reports the lock.
        let other = try WritableDatabase(path: index.path, mode: .open)
        await #expect(throws: IndexError.self) {
            _ = try await IndexUnshortener.run(indexPath: index.path, options: options,
                                               shorteners: ShortenerList(domains: ["127.0.0.1"]), urls: urls)
        }
        try other.close()
        let cache = try UnshortenCache(indexPath: index.path)
        #expect(cache.lookup(server.url("/chain/1"))?.final == server.url("/chain/0"))
        let before = server.requests()
        let done = try await IndexUnshortener.run(indexPath: index.path, options: options,
                                                  shorteners: ShortenerList(domains: ["127.0.0.1"]), urls: urls)
        #expect(done.updated == 1)
        #expect(server.requests() == before)
    }
}

/// The server's port, known only once it listens.
private final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt16 = 0
    var port: UInt16 {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
