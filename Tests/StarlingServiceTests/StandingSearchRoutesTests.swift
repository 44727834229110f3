// Standing searches over HTTP: save, poll what is new, mark read through what was seen (nothing indexed in between
// is skipped), replace, remove; the errors say what is wrong; the file is the one the CLI reads.
import Foundation
import StarlingIndex
import Testing

@testable import StarlingService

@Suite struct StandingSearchRoutesTests {
    @Test func saveReadMarkAndRemove() async throws {
        try await TestServer.with { (t: TestServer) async throws in
            #expect(try await t.ingest(corpus()).status == 200)
            let q = enc("#climate")
            let before = try await t.get("/v1/search?q=\(q)&limit=0")
            let created = try await t.request("PUT", "/v1/searches/climate", body: ##"{"query": "#climate"}"##,
                                              contentType: "application/json")
            #expect(created.status == 201, "\(created.text)")
            #expect(created.json["query"] as? String == "#climate")
            // Saved now: what the index held is not new.
            var list = try await t.get("/v1/searches")
            let first = try #require((list.json["searches"] as? [[String: Any]])?.first)
            #expect(first["name"] as? String == "climate" && first["new"] as? Int == 0)
            #expect(first["matches"] as? Int == before.json["total"] as? Int)
            #expect((first["matches"] as? Int ?? 0) > 0)

            // Two new posts, one matching.
            let more = [postLine(id: "late1", text: "More from #Climate tonight", author: "zed", day: 5),
                        postLine(id: "late2", text: "Nothing to see here", author: "zed", day: 5)]
            #expect(try await t.ingest(more).status == 200)
            let fresh = try await t.get("/v1/searches/climate/new")
            #expect(fresh.status == 200)
            #expect(fresh.json["new"] as? Int == 1)
            #expect((fresh.json["hits"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["late1"])
            let mark = try #require(fresh.json["mark"] as? Int)
            // A post indexed between reading and marking stays new.
            #expect(try await t.ingest([postLine(id: "late3", text: "#climate again", author: "zed", day: 6)]).status == 200)
            let marked = try await t.request("POST", "/v1/searches/climate/mark?through=\(mark)")
            #expect(marked.status == 200 && marked.json["mark"] as? Int == mark)
            let after = try await t.get("/v1/searches/climate/new")
            #expect((after.json["hits"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["late3"])
            // Marking with no `through`: everything indexed now is read.
            #expect(try await t.request("POST", "/v1/searches/climate/mark").status == 200)
            #expect(try await t.get("/v1/searches/climate/new").json["new"] as? Int == 0)
            // An update in place of a post already seen is not new again.
            #expect(try await t.ingest([postLine(id: "late1", text: "More from #Climate tonight, updated", author: "zed", day: 5)]).status == 200)
            #expect(try await t.get("/v1/searches/climate/new").json["new"] as? Int == 0)

            // The CLI's store reads the same file.
            let store = StandingSearchStore(folder: t.server.configuration.indexPath)
            #expect(try store.get("climate").mark > 0)

            // Replacing the query keeps the mark.
            let replaced = try await t.request("PUT", "/v1/searches/climate", body: ##"{"query": "#climate OR riot"}"##,
                                               contentType: "application/json")
            let kept = Int(try store.get("climate").mark)
            #expect(replaced.status == 200 && replaced.json["mark"] as? Int == kept)

            // Errors.
            let badQuery = try await t.request("PUT", "/v1/searches/x", body: #"{"query": "\"open"}"#, contentType: "application/json")
            #expect(badQuery.status == 400 && badQuery.errorCode == "bad-query" && badQuery.json["error"] != nil)
            let spaced = enc("no spaces")
            let badName = try await t.request("PUT", "/v1/searches/\(spaced)", body: #"{"query": "x"}"#,
                                              contentType: "application/json")
            #expect(badName.status == 400 && badName.errorCode == "bad-parameter")
            let noQuery = try await t.request("PUT", "/v1/searches/x", body: #"{"q": "x"}"#, contentType: "application/json")
            #expect(noQuery.status == 400)
            #expect(try await t.get("/v1/searches/nope/new").errorCode == "search-not-found")
            #expect(try await t.request("POST", "/v1/searches/climate/mark?through=abc").status == 400)

            #expect(try await t.request("DELETE", "/v1/searches/climate").status == 200)
            #expect(try await t.request("DELETE", "/v1/searches/climate").status == 404)
            list = try await t.get("/v1/searches")
            #expect((list.json["searches"] as? [Any])?.isEmpty == true)
        }
    }

    /// `starling rebuild` numbers the posts afresh (deleted posts leave no gaps): the marks move with them, so a
    /// post indexed after the rebuild is new and none of those read before is.
    @Test func marksSurviveARebuild() async throws {
        let dir = try makeTempDir("searches-rebuild")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = ServiceConfiguration(indexPath: dir.appendingPathComponent("index").path, port: 0)
        let json = "application/json"
        try await TestServer.with(configuration: config) { (t: TestServer) async throws in
            #expect(try await t.ingest(corpus()).status == 200)
            #expect(try await t.request("PUT", "/v1/searches/climate", body: ##"{"query": "#climate"}"##,
                                        contentType: json).status == 201)
            for k in 0..<10 { #expect(try await t.request("DELETE", "/v1/posts/p\(k)").status == 200) }
            let more = [postLine(id: "n1", text: "#climate march", author: "zed"), postLine(id: "n2", text: "#climate again", author: "zed")]
            #expect(try await t.ingest(more).status == 200)
            #expect(try await t.get("/v1/searches/climate/new").json["new"] as? Int == 2)
            #expect(try await t.request("POST", "/v1/searches/climate/mark").status == 200)
        }
        let before = try StandingSearchStore(folder: config.indexPath).get("climate").mark
        _ = try IndexMaintenance.rebuild(path: config.indexPath)
        let after = try StandingSearchStore(folder: config.indexPath).get("climate").mark
        #expect(after < before, "the mark \(before) should follow the renumbered posts (\(after))")
        try await TestServer.with(configuration: config) { (t: TestServer) async throws in
            #expect(try await t.get("/v1/searches/climate/new").json["new"] as? Int == 0)
            #expect(try await t.ingest([postLine(id: "n3", text: "#climate later", author: "zed")]).status == 200)
            let fresh = try await t.get("/v1/searches/climate/new")
            #expect((fresh.json["hits"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["n3"], "\(fresh.text)")
        }
    }
}
