// `POST /v1/entities/relabel` over a real socket: the running service decides its stored posts together (corpus
// mode) and rewrites their entity terms through its own writer, so `entity:ID` searches follow; a second call
// has nothing to change.
import Foundation
import Testing
@testable import StarlingService

@Suite("Entity relabelling over a socket", .serialized)
struct EntityRelabelTests {
    /// ../shared/data/eval/entities/weps3-trial.tsv beside the package root.
    static let weps3 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data/eval/entities/weps3-trial.tsv")

    /// The WePS-3 tweets as native NDJSON lines (2,296 tweets naming 23 organisations, Delta among them).
    static func posts() throws -> [String] {
        let tsv = try String(contentsOf: weps3, encoding: .utf8)
        var out: [String] = []
        for (n, line) in tsv.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 5 else { continue }
            let object: [String: Any] = ["id": "w\(n + 1)", "text": fields[3..<(fields.count - 1)].joined(separator: "\t")]
            out.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        return out
    }

    @Test("relabelling rewrites the entity terms the corpus decisions change, through the live writer",
          .enabled(if: FileManager.default.fileExists(atPath: weps3.path), "../shared/data is absent: the WePS-3 tweets are needed"))
    func relabelsThroughTheService() async throws {
        let lines = try Self.posts()
        #expect(lines.count > 2000)
        try await TestServer.with { t in
            for start in stride(from: 0, to: lines.count, by: 500) {
                let r = try await t.ingest(Array(lines[start..<min(lines.count, start + 500)]))
                #expect(r.status == 200 && r.json["rejected"] as? Int == 0)
            }
            func found(_ entity: String) async throws -> Int {
                let s = try await t.get("/v1/search?q=\(enc("entity:" + entity))&limit=0")
                #expect(s.status == 200)
                return s.json["total"] as? Int ?? -1
            }
            let before = try await found("delta_air_lines")
            let early = try await t.get("/v1/entities/suggestions")
            #expect(early.status == 409 && early.errorCode == "not-relabelled", "before any relabelling: \(early.text)")
            let r = try await t.request("POST", "/v1/entities/relabel", contentType: "application/json")
            #expect(r.status == 200, "\(String(decoding: r.body, as: UTF8.self))")
            #expect(r.json["posts"] as? Int == lines.count)
            let counts = (r.json["entities"] as? [[String: Any]]) ?? []
            let delta = try #require(counts.first { $0["id"] as? String == "delta_air_lines" })
            #expect(delta["before"] as? Int == before)
            let after = try await found("delta_air_lines")
            #expect(delta["after"] as? Int == after)
            // On these tweets corpus mode finds more of Delta's posts than the catalogue alone (37 -> 47 when this
            // was written): the terms changed, and the summary's counts add up.
            #expect(after != before)
            var net = 0
            for c in counts { net += (c["after"] as? Int ?? 0) - (c["before"] as? Int ?? 0) }
            #expect((r.json["terms_added"] as? Int ?? 0) - (r.json["terms_removed"] as? Int ?? 0) == net)
            #expect((r.json["changed_posts"] as? Int ?? 0) > 0)

            // The relabelling's suggestions, kept for asking: the repository's catalogues on these tweets (Delta
            // among the 23 organisations), each phrase with its counts and example posts that hold it.
            let suggested = try await t.get("/v1/entities/suggestions")
            #expect(suggested.status == 200, "\(suggested.text)")
            #expect(suggested.json["posts"] as? Int == lines.count && suggested.json["automatic"] as? Bool == false)
            let entities = (suggested.json["entities"] as? [[String: Any]]) ?? []
            let suggestedDelta = try #require(entities.first { $0["id"] as? String == "delta_air_lines" }, "\(entities)")
            let phrases = ((suggestedDelta["excluded_phrases"] as? [[String: Any]]) ?? [])
                + ((suggestedDelta["keywords"] as? [[String: Any]]) ?? [])
            #expect(!phrases.isEmpty, "\(suggestedDelta)")
            for p in phrases {
                let phrase = try #require(p["phrase"] as? String)
                #expect(phrase.contains("delta") && (p["posts"] as? Int ?? 0) >= 3, "\(p)")
                for id in (p["examples"] as? [String]) ?? [] {
                    let post = try await t.get("/v1/posts/\(id)")
                    let text = ((post.json["post"] as? [String: Any])?["text"] as? String ?? "(no text: \(post.status))").lowercased()
                    #expect(text.contains("delta"), "\(id): \(text)")
                }
            }

            // Nothing left to change; the posts and their words are all still there.
            let again = try await t.request("POST", "/v1/entities/relabel", contentType: "application/json")
            #expect(again.status == 200 && again.json["changed_posts"] as? Int == 0, "\(again.json)")
            let words = try await t.get("/v1/search?q=delta&limit=0")
            #expect((words.json["total"] as? Int ?? 0) > 90)
        }
    }

    @Test("with an interval the service relabels by itself once posts arrive, and not again while none do",
          .enabled(if: FileManager.default.fileExists(atPath: weps3.path), "../shared/data is absent: the WePS-3 tweets are needed"))
    func relabelsInTheBackground() async throws {
        let lines = try Self.posts()
        // What ingest alone (each post decided by itself) gives for Delta, on a service without the interval.
        let ingestOnly = Counter()
        try await TestServer.with { t in
            for start in stride(from: 0, to: lines.count, by: 500) {
                _ = try await t.ingest(Array(lines[start..<min(lines.count, start + 500)]))
            }
            let s = try await t.get("/v1/search?q=\(enc("entity:delta_air_lines"))&limit=0")
            ingestOnly.set(s.json["total"] as? Int ?? -1)
            let relabel = try await t.get("/v1/stats").json["entities_relabel"] as? [String: Any]
            #expect(relabel?["automatic"] as? Bool == false && relabel?["runs"] as? Int == 0)
        }
        let catalogueOnly = ingestOnly.value
        let dir = try makeTempDir("index")
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = ServiceConfiguration(indexPath: dir.appendingPathComponent("index").path, port: 0)
        config.relabelInterval = 0.5
        try await TestServer.with(configuration: config) { t in
            func relabelStats() async throws -> [String: Any] {
                let s = try await t.get("/v1/stats")
                #expect(s.status == 200)
                return s.json["entities_relabel"] as? [String: Any] ?? [:]
            }
            /// Waits for a finished background relabelling that read `posts` posts.
            func waitForRun(over posts: Int) async throws -> [String: Any] {
                for _ in 0..<240 {
                    let s = try await relabelStats()
                    let last = s["last"] as? [String: Any] ?? [:]
                    if last["posts"] as? Int == posts, last["automatic"] as? Bool == true, s["running"] as? Bool == false {
                        return s
                    }
                    try await Task.sleep(nanoseconds: 250_000_000)
                }
                Issue.record("no background relabelling over \(posts) posts within a minute: \(try await relabelStats())")
                return [:]
            }
            func found(_ entity: String) async throws -> Int {
                let s = try await t.get("/v1/search?q=\(enc("entity:" + entity))&limit=0")
                return s.json["total"] as? Int ?? -1
            }
            // An empty index: no relabelling yet, so the first check runs one over no posts.
            let first = try await waitForRun(over: 0)
            #expect(first["automatic"] as? Bool == true && first["interval_seconds"] as? Double == 0.5)
            for start in stride(from: 0, to: lines.count, by: 500) {
                let r = try await t.ingest(Array(lines[start..<min(lines.count, start + 500)]))
                #expect(r.status == 200 && r.json["rejected"] as? Int == 0)
            }
            // Posts arrived: later checks relabel them (perhaps once in the middle of the ingest too), nobody
            // calling the endpoint.
            var done = try await waitForRun(over: lines.count)
            #expect((done["automatic_runs"] as? Int ?? 0) >= 2 && done["errors"] as? Int == 0, "\(done)")
            // A run that began while the last batch was being committed may be followed by one more: wait until
            // three checks in a row start none.
            for _ in 0..<40 {
                try await Task.sleep(nanoseconds: 1_500_000_000)
                let now = try await relabelStats()
                if now["automatic_runs"] as? Int == done["automatic_runs"] as? Int, now["running"] as? Bool == false { break }
                done = now
            }
            // The index now holds exactly the corpus decisions: an explicit relabelling has nothing left to do,
            // and corpus mode did change some of the ingest's decisions (Delta's, as the test above shows).
            let r = try await t.request("POST", "/v1/entities/relabel", contentType: "application/json")
            #expect(r.status == 200 && r.json["changed_posts"] as? Int == 0, "\(r.json)")
            let delta = try #require((r.json["entities"] as? [[String: Any]])?.first { $0["id"] as? String == "delta_air_lines" })
            #expect(try await found("delta_air_lines") == delta["after"] as? Int)
            #expect(delta["after"] as? Int != catalogueOnly, "ingest alone gives \(catalogueOnly)")
            // No post written since: later checks leave the index alone.
            let runs = done["automatic_runs"] as? Int ?? 0
            try await Task.sleep(nanoseconds: 2_000_000_000)
            let quiet = try await relabelStats()
            #expect(quiet["automatic_runs"] as? Int == runs && quiet["runs"] as? Int == runs + 1, "\(quiet)")
            let metrics = try await t.get("/metrics").text
            #expect(metrics.contains("starling_entity_relabel_runs \(runs + 1).0"), "\(metrics)")
            #expect(metrics.contains("starling_entity_relabel_running 0.0"))
            #expect(metrics.contains("starling_entity_relabel_last_changed_posts 0.0"), "the explicit call changed nothing")
        }
    }

    @Test("relabelling needs an admin key")
    func relabelNeedsAdmin() async throws {
        let keys = try APIKeys.parse("""
            read   read-key-0123456789abcdef    dashboards
            write  write-key-0123456789abcdef   ingest
            admin  admin-key-0123456789abcdef   privacy team
            """)
        try await TestServer.with(keys: keys) { t in
            #expect(try await t.request("POST", "/v1/entities/relabel").status == 401)
            #expect(try await t.request("POST", "/v1/entities/relabel", key: "write-key-0123456789abcdef").status == 403)
            let ok = try await t.request("POST", "/v1/entities/relabel", key: "admin-key-0123456789abcdef")
            #expect(ok.status == 200 && ok.json["posts"] as? Int == 0, "an empty index: nothing to decide")
        }
    }
}

/// One number handed out of a `@Sendable` closure.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = 0
    func set(_ v: Int) { lock.lock(); stored = v; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return stored }
}
