// The service over a real socket: ingest -> search -> facets -> histogram -> similar -> duplicates -> delete by
// author, per-item errors, idempotence, query errors, limits, and searches that keep working during ingest.
import Foundation
import Testing
@testable import StarlingService

@Suite("Service over a socket", .serialized)
struct ServiceFlowTests {
    @Test("ingest, search, facets, histogram, similar, duplicates, clusters, get, delete by author")
    func fullFlow() async throws {
        try await TestServer.with { t in
            let lines = corpus()
            let ingest = try await t.ingest(lines)
            #expect(ingest.status == 200)
            #expect(ingest.json["added"] as? Int == lines.count)
            #expect(ingest.json["rejected"] as? Int == 0)

            // Search: the same shape as `starling search --json`.
            let s = try await t.get("/v1/search?q=\(enc("#climate"))&limit=3&sort=newest")
            #expect(s.status == 200)
            #expect(s.contentType.hasPrefix("application/json"))
            #expect(s.json["total"] as? Int == 6)
            let hits = s.json["hits"] as? [[String: Any]] ?? []
            #expect(hits.count == 3)
            #expect(hits.allSatisfy { ($0["text"] as? String)?.contains("#climate") == true && $0["post"] != nil })
            let dates = hits.compactMap { $0["created_at"] as? String }
            #expect(dates == dates.sorted(by: >))
            // Form encoding: `+` is a space, `%2B` a plus.
            let plus = try await t.get("/v1/search?q=climate+strike&limit=10")
            #expect(plus.json["total"] as? Int == 6)
            let page2 = try await t.get("/v1/search?q=\(enc("#climate"))&limit=3&offset=3&sort=newest")
            let ids1 = Set(hits.compactMap { $0["id"] as? String })
            let ids2 = Set((page2.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(ids2.count == 3 && ids1.isDisjoint(with: ids2))

            // Facets of the whole index: authors by value spy, hashtags from term lists.
            let f = try await t.get("/v1/facets?facets=hashtags,authors,languages,domains,mentions&size=3")
            #expect(f.status == 200)
            let facets = f.json["facets"] as? [String: [[String: Any]]] ?? [:]
            let authors = (facets["authors"] ?? []).map { "\($0["value"] ?? "")=\($0["count"] ?? "")" }
            #expect(authors == ["bob=11", "alice=10", "carol=10"])
            #expect(facets["languages"]?.first?["value"] as? String == "en")
            #expect(facets["hashtags"]?.count == 3)
            #expect(facets["domains"]?.first?["value"] as? String == "example.com")
            #expect(f.json["exact"] as? Bool == true)
            let fq = try await t.get("/v1/facets?q=\(enc("from:alice"))&facets=hashtags")
            let aliceTags = (fq.json["facets"] as? [String: [[String: Any]]])?["hashtags"] ?? []
            #expect(aliceTags.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == 10)

            // Histogram by day: 3 days, counts add up to the matches.
            let h = try await t.get("/v1/histogram?interval=day")
            #expect(h.status == 200)
            let buckets = h.json["buckets"] as? [[String: Any]] ?? []
            #expect(buckets.map { $0["start"] as? String } == ["2016-11-01T00:00:00Z", "2016-11-02T00:00:00Z", "2016-11-03T00:00:00Z"])
            #expect(buckets.reduce(0) { $0 + ($1["count"] as? Int ?? 0) } == lines.count)
            let hw = try await t.get("/v1/histogram?interval=week&q=\(enc("#climate"))")
            #expect((hw.json["buckets"] as? [[String: Any]])?.first?["start"] as? String == "2016-10-31T00:00:00Z")

            // Similar posts to p0 (alice, climate): other climate posts, by other authors.
            let sim = try await t.get("/v1/similar?id=p0&limit=5")
            #expect(sim.status == 200)
            let simHits = sim.json["hits"] as? [[String: Any]] ?? []
            #expect(!simHits.isEmpty)
            #expect(simHits.allSatisfy { $0["id"] as? String != "p0" && $0["explain"] != nil })
            #expect((simHits.first?["text"] as? String)?.contains("climate") == true)
            #expect(sim.json["exact"] as? Bool == true)
            // A posting budget of 1 leaves every word but the rarest common: the answer says it is not exact.
            let budgeted = try await t.get("/v1/similar?id=p0&limit=5&posting_budget=1")
            #expect(budgeted.status == 200)
            #expect(budgeted.json["exact"] as? Bool == false)
            #expect(try await t.get("/v1/similar?id=p0&posting_budget=-1").status == 400)
            let simText = try await t.get("/v1/similar?text=\(enc("football match at the stadium"))&limit=3")
            #expect((simText.json["hits"] as? [[String: Any]])?.first.flatMap { $0["text"] as? String }?.contains("football") == true)

            // Near-duplicates of dup0: its three copies; the cascade is the largest cluster.
            let d = try await t.get("/v1/duplicates?id=dup0")
            #expect(d.status == 200)
            let dupIDs = Set((d.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            #expect(dupIDs == ["dup1", "dup2", "dup3"])
            let c = try await t.get("/v1/clusters?limit=3")
            let clusters = c.json["clusters"] as? [[String: Any]] ?? []
            #expect(clusters.first?["size"] as? Int == 4)
            #expect(clusters.first?["id"] as? String == "dup0")

            // Get one post; delete every post of bob (including his copy dup3), then he is gone everywhere.
            let g = try await t.get("/v1/posts/p1")
            #expect(g.status == 200)
            #expect((g.json["post"] as? [String: Any])?["author"] as? String == "bob")
            let del = try await t.request("DELETE", "/v1/authors/\(enc("@Bob"))/posts")
            #expect(del.status == 200)
            #expect(del.json["deleted"] as? Int == 11)
            let after = try await t.get("/v1/search?q=\(enc("from:bob"))")
            #expect(after.json["total"] as? Int == 0)
            #expect(try await t.get("/v1/posts/p1").status == 404)
            let d2 = try await t.get("/v1/duplicates?id=dup0")
            #expect(Set((d2.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == ["dup1", "dup2"])
            let again = try await t.request("DELETE", "/v1/authors/bob/posts")
            #expect(again.json["deleted"] as? Int == 0)

            // Delete one post.
            #expect(try await t.request("DELETE", "/v1/posts/p0").status == 200)
            let gone = try await t.request("DELETE", "/v1/posts/p0")
            #expect(gone.status == 404 && gone.errorCode == "post-not-found")

            let stats = try await t.get("/v1/stats")
            #expect(stats.json["documents"] as? Int == lines.count - 12)
            let health = try await t.get("/v1/health")
            #expect(health.json["status"] as? String == "ok")
            #expect(health.json["documents"] as? Int == lines.count - 12)
        }
    }

    @Test("a batch with bad lines gets per-item errors with line numbers; the good posts are kept")
    func perItemErrors() async throws {
        try await TestServer.with { t in
            let body = [
                postLine(id: "g1", text: "good post one #ok", author: "ann"),
                "{\"id\": \"b1\", \"text\": ",                         // line 2: broken JSON
                "{\"id\": \"b2\"}",                                    // line 3: no text
                "",                                                    // line 4: blank, skipped
                "[1, 2]",                                              // line 5: not an object
                "{\"id\": \"b3\", \"text\": 5}",                      // line 6: wrong type
                postLine(id: "g2", text: "good post two #ok", author: "ann"),
            ]
            let r = try await t.ingest(body)
            #expect(r.status == 200)
            #expect(r.json["indexed"] as? Int == 2)
            #expect(r.json["rejected"] as? Int == 4)
            let items = r.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["line"] as? Int } == [1, 2, 3, 5, 6, 7])
            let errors = items.filter { $0["error"] != nil }
            #expect(errors.compactMap { $0["line"] as? Int } == [2, 3, 5, 6])
            #expect(errors.compactMap { ($0["error"] as? [String: Any])?["code"] as? String }
                    == ["bad-json", "bad-post", "bad-post", "bad-post"])
            #expect(errors[1]["id"] as? String == "b2")
            #expect(((errors[1]["error"] as? [String: Any])?["message"] as? String)?.contains("text") == true)
            let s = try await t.get("/v1/search?q=\(enc("#ok"))")
            #expect(Set((s.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }) == ["g1", "g2"])
        }
    }

    @Test("ingest is idempotent by id: a repeat is unchanged, an edit is updated")
    func idempotence() async throws {
        try await TestServer.with { t in
            let lines = [postLine(id: "a", text: "first version", author: "x"), postLine(id: "b", text: "other", author: "x")]
            let first = try await t.ingest(lines)
            #expect(first.json["added"] as? Int == 2)
            let repeatRun = try await t.ingest(lines)
            #expect(repeatRun.json["unchanged"] as? Int == 2)
            #expect(repeatRun.json["added"] as? Int == 0)
            let edit = try await t.ingest([postLine(id: "a", text: "second version", author: "x")])
            #expect(edit.json["updated"] as? Int == 1)
            #expect(try await t.get("/v1/search?q=first").json["total"] as? Int == 0)
            #expect(try await t.get("/v1/search?q=second").json["total"] as? Int == 1)
            #expect(try await t.get("/v1/health").json["documents"] as? Int == 2)
        }
    }

    @Test("errors are JSON with a stable code and the right status", arguments: [
        ("GET", "/v1/search?q=\(enc("cats (dogs OR"))", 400, "bad-query"),
        ("GET", "/v1/search", 400, "missing-parameter"),
        ("GET", "/v1/search?q=x&limit=5000", 400, "bad-parameter"),
        ("GET", "/v1/search?q=x&sort=sideways", 400, "bad-parameter"),
        ("GET", "/v1/histogram?interval=fortnight", 400, "bad-parameter"),
        ("GET", "/v1/facets?facets=colours", 400, "bad-parameter"),
        ("GET", "/v1/nowhere", 404, "no-route"),
        ("GET", "/v1/posts/missing", 404, "post-not-found"),
        ("GET", "/v1/similar?id=missing", 404, "post-not-found"),
        ("GET", "/v1/duplicates", 400, "missing-parameter"),
        ("GET", "/v1/similar?text=x&filter=\(enc("a AND"))", 400, "bad-query"),
    ])
    func errors(method: String, path: String, status: Int, code: String) async throws {
        try await TestServer.with { t in
            let r = try await t.request(method, path)
            #expect(r.status == status)
            #expect(r.errorCode == code)
            #expect(r.contentType.hasPrefix("application/json"))
            #expect(((r.json["error"] as? [String: Any])?["message"] as? String)?.isEmpty == false)
        }
    }

    @Test("a bad query answers 400 with the parser's position")
    func badQueryPosition() async throws {
        try await TestServer.with { t in
            let r = try await t.get("/v1/search?q=\(enc("cats (dogs OR"))")
            let e = r.json["error"] as? [String: Any] ?? [:]
            // The parser points at the dangling OR: 0-based character 11, two characters long.
            #expect(e["reason"] as? String == "missing-operand")
            #expect(e["position"] as? Int == 11, "\(r.text)")
            #expect(e["length"] as? Int == 2)
            #expect((e["caret"] as? String)?.hasSuffix("^^") == true)
            #expect(e["column"] as? Int == (e["position"] as? Int ?? -1) + 1)
        }
    }

    @Test("request size limits: a body or a batch over the limit is refused with 413")
    func limits() async throws {
        var limits = ServiceLimits()
        limits.maxBodyBytes = 2_000
        limits.maxBatchPosts = 5
        try await TestServer.with(limits: limits) { t in
            let big = (0..<40).map { postLine(id: "x\($0)", text: "a fairly long text to fill the body \($0)", author: "y") }
            let r = try await t.ingest(big)
            #expect(r.status == 413)
            #expect(r.errorCode == "body-too-large")
            let many = (0..<6).map { postLine(id: "m\($0)", text: "t", author: "y") }
            let r2 = try await t.ingest(many)
            #expect(r2.status == 413)
            #expect(r2.errorCode == "too-many-posts")
            #expect(try await t.get("/v1/health").json["documents"] as? Int == 0)
        }
    }

    @Test("searches running during ingest never fail, and each acknowledged post is searchable at once")
    func searchDuringIngest() async throws {
        try await TestServer.with { t in
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                let stop = StopSignal()
                group.addTask {
                    // The writer: 25 batches; after each acknowledgement its marker word must be found.
                    var notFound = 0
                    for b in 0..<25 {
                        let lines = (0..<40).map { i in
                            postLine(id: "b\(b)-\(i)", text: "stream post \(i) marker\(b)x #live", author: "w\(i % 7)", day: 1 + b % 3)
                        }
                        let r = try await t.ingest(lines)
                        guard r.status == 200 else { notFound += 1000; continue }
                        // limit 100 > matches: Xapian then counts exactly (the stemmed synonym makes totals estimates).
                        let s = try await t.get("/v1/search?q=marker\(b)x&limit=100")
                        if s.json["total"] as? Int != 40 {
                            notFound += 1
                            Issue.record("marker\(b)x: \(s.text.prefix(300))")
                        }
                    }
                    stop.set()
                    return (0, notFound)
                }
                for reader in 0..<3 {
                    group.addTask {
                        var failures = 0
                        var done = 0
                        var firstFailure = ""
                        let paths = ["/v1/search?q=\(enc("#live stream"))&limit=20&sort=newest",
                                     "/v1/facets?q=\(enc("#live"))&sample=200",
                                     "/v1/histogram?q=stream&interval=hour",
                                     "/v1/search?q=\(enc("post -from:w3"))&collapse=true"]
                        while !stop.isSet {
                            let r = try await t.get(paths[(done + reader) % paths.count])
                            if r.status != 200 {
                                failures += 1
                                if firstFailure.isEmpty { firstFailure = "\(r.status) \(r.text)" }
                            }
                            done += 1
                        }
                        #expect(failures == 0, "\(firstFailure)")
                        return (done, failures)
                    }
                }
                var searches = 0
                for try await (done, failures) in group {
                    #expect(failures == 0)
                    searches += done
                }
                #expect(searches > 10)
            }
            #expect(try await t.get("/v1/health").json["documents"] as? Int == 1000)
            #expect(try t.server.writer.statistics.commits >= 1)
        }
    }

    @Test("analyze shows what the analyser makes of a text, by GET or POST")
    func analyze() async throws {
        try await TestServer.with { t in
            let text = "Voting today #Election2016 with @CNN 👍🏽 https://t.co/x?utm_source=a"
            let get = try await t.get("/v1/analyze?text=\(enc(text))")
            let post = try await t.request("POST", "/v1/analyze", body: text, contentType: "text/plain; charset=utf-8")
            for r in [get, post] {
                #expect(r.status == 200)
                #expect(r.json["text"] as? String == text)
                #expect((r.json["hashtags"] as? [[String: Any]])?.first?["normalized"] as? String == "election2016")
                #expect((r.json["mentions"] as? [[String: Any]])?.first?["normalized"] as? String == "cnn")
                #expect((r.json["emoji"] as? [[String: Any]])?.count == 1)
                #expect((r.json["language"] as? [String: Any])?["code"] is String)
                #expect(r.json["entities"] is [Any])
            }
            #expect(get.text == post.text)
        }
    }

    @Test("/metrics speaks Prometheus and counts requests by route")
    func metrics() async throws {
        try await TestServer.with { t in
            _ = try await t.ingest([postLine(id: "m", text: "hello", author: "z")])
            _ = try await t.get("/v1/search?q=hello")
            let m = try await t.get("/metrics")
            #expect(m.status == 200)
            #expect(m.contentType.hasPrefix("text/plain"))
            #expect(m.text.contains("starling_http_requests_total{route=\"/v1/search\",method=\"GET\",status=\"200\"} 1"))
            #expect(m.text.contains("starling_index_documents 1"))
            #expect(m.text.contains("starling_posts_ingested_total 1"))
        }
    }
}

/// A flag one task sets and others poll.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
