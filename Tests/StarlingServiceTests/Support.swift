// Helpers for the service tests: a Starling server on a free loopback port with its own temporary index, an
// HTTP client over a real socket (URLSession), and synthetic posts.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import HummingbirdTesting
import StarlingIndex
@testable import StarlingService

/// A fresh temporary directory.
func makeTempDir(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("starling-svc-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// An HTTP answer.
struct HTTPAnswer: Sendable {
    var status: Int
    var body: Data
    var contentType: String
    var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as a JSON object (Foundation's parser: an oracle independent of Starling's own).
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    /// `error.code` of a JSON error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
}

/// A running service on 127.0.0.1 and a free port, with a client over real sockets.
final class TestServer: @unchecked Sendable {
    let server: StarlingServer
    let port: Int
    private let session: URLSession

    private init(server: StarlingServer, port: Int) {
        self.server = server
        self.port = port
        let config = URLSessionConfiguration.ephemeral
        config.httpMaximumConnectionsPerHost = 16
        config.timeoutIntervalForRequest = 60
        session = URLSession(configuration: config)
    }

    /// Runs `body` against a service over a new index in a temporary directory, served by Hummingbird's live
    /// test harness (a real listening socket, shut down gracefully afterwards); then closes the index and
    /// removes the directory, also when `body` throws.
    static func with(keys: APIKeys = APIKeys(), limits: ServiceLimits = ServiceLimits(),
                     _ body: @escaping @Sendable (TestServer) async throws -> Void) async throws {
        let dir = try makeTempDir("index")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = ServiceConfiguration(indexPath: dir.appendingPathComponent("index").path, port: 0, keys: keys)
        config.limits = limits
        try await with(configuration: config, body)
    }

    /// Runs `body` against a service with `configuration` (its port replaced by a free one); the index is left in
    /// place, so a second service can be started over it.
    static func with(configuration: ServiceConfiguration,
                     _ body: @escaping @Sendable (TestServer) async throws -> Void) async throws {
        var config = configuration
        config.port = 0
        let server = try StarlingServer(configuration: config)
        var failure: Error?
        do {
            try await server.makeApplication().test(.live) { client in
                try await body(TestServer(server: server, port: client.port!))
            }
        } catch {
            failure = error
        }
        try await server.close()
        if let failure { throw failure }
    }

    /// Sends a request over the socket. `path` includes the query string, already percent-encoded.
    func request(_ method: String, _ path: String, body: String? = nil, key: String? = nil,
                 contentType: String = "application/x-ndjson") async throws -> HTTPAnswer {
        var r = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        r.httpMethod = method
        if let body {
            r.httpBody = Data(body.utf8)
            r.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        if let key { r.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await session.data(for: r)
        let http = response as! HTTPURLResponse
        return HTTPAnswer(status: http.statusCode, body: data,
                          contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "")
    }

    func get(_ path: String, key: String? = nil) async throws -> HTTPAnswer {
        try await request("GET", path, key: key)
    }

    /// Ingests NDJSON lines.
    func ingest(_ lines: [String], key: String? = nil) async throws -> HTTPAnswer {
        try await request("POST", "/v1/posts", body: lines.joined(separator: "\n") + "\n", key: key)
    }
}

/// Percent-encodes a query-string value.
func enc(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed)!
}

/// One native post as an NDJSON line (Foundation's serializer, so the server's parser is checked independently).
func postLine(id: String, text: String, author: String, day: Int = 1, hour: Int = 12, lang: String? = "en") -> String {
    var o: [String: Any] = ["id": id, "text": text, "author": author,
                            "created_at": String(format: "2016-11-%02dT%02d:00:00Z", day, hour)]
    if let lang { o["lang"] = lang }
    let data = try! JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

/// A small corpus: three authors, hashtags, mentions, links, a copy-paste cascade, spread over three days.
func corpus() -> [String] {
    var lines: [String] = []
    let topics = ["climate strike in the city today", "new phone launch event", "election night results coming in",
                  "football match tonight at the stadium", "coffee shop opened downtown"]
    // Distinct openings keep posts of one topic apart as near-duplicates (word 3-shingles, Jaccard 0.7).
    let openers = ["honestly", "wow", "so", "today", "again", "finally", "look", "breaking", "update", "hey"]
    let middles = ["my friend says", "people keep asking if", "nobody expected that", "I just heard",
                   "the radio said", "everyone knows"]
    for i in 0..<30 {
        let author = ["alice", "bob", "carol"][i % 3]
        let topic = topics[i % topics.count]
        let tag = ["#climate", "#tech", "#election2016", "#football", "#coffee"][i % 5]
        let opening = "\(openers[i % openers.count]) \(middles[i % middles.count]) item\(i)"
        lines.append(postLine(id: "p\(i)", text: "\(opening) \(topic) \(tag) @news\(i % 2) https://example.com/a\(i)",
                              author: author, day: 1 + i % 3, hour: i % 24))
    }
    // A cascade of near-identical copies, for duplicates and clusters.
    let base = "Breaking: the river bridge is closed after the storm, avoid the area and share this with friends"
    for k in 0..<4 {
        lines.append(postLine(id: "dup\(k)", text: base + (k == 0 ? "" : " please"), author: k == 3 ? "bob" : "dave",
                              day: 2, hour: 8 + k))
    }
    return lines
}
