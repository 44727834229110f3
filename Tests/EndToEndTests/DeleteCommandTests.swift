// `starling delete` end to end on PHEME's tweets: by id (missing ids listed, not an error) and every post of an
// author, after which searches and facets no longer see them and the near-duplicate answers stay whole.
import Foundation
import StarlingTestSupport
import Testing

@Suite struct DeleteCommandTests {
    @Test(.enabled(if: SharedData.available, "needs ../shared/data (PHEME tweets)"))
    func deleteByIdAndByAuthor() throws {
        let dir = try makeTempDir("delete")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path
        try #require(try Starling.run(["index", "--index", index, "--quiet", SharedData.path(ShardSearchTests.pheme)]).status == 0)
        /// The matches of `query`, counted from the hits (the total is an estimate).
        func total(_ query: String) throws -> Int {
            let r = try Starling.run(["search", "--index", index, "--json", "--limit", "10000", query])
            return (jsonObject(r.stdout)?["hits"] as? [Any])?.count ?? -1
        }
        // The author with the most posts, from the authors facet.
        let facets = try Starling.run(["search", "--index", index, "--json", "--limit", "0", "--facets", "authors",
                                       "--facet-sample", "100000", "police OR shooting OR ferguson OR sydney OR ottawa"])
        let buckets = ((jsonObject(facets.stdout)?["facets"] as? [String: Any])?["facets"] as? [String: Any])?["authors"]
            as? [[String: Any]] ?? []
        let top = try #require(buckets.first?["value"] as? String, "no authors facet: \(facets.stdout.prefix(300))")
        let byTop = try total("from:\(top)")
        #expect(byTop >= 3, "\(top) has \(byTop) posts")
        let documents = { () throws -> Int in
            jsonObject(try Starling.run(["stats", "--index", index, "--json"]).stdout)?["documents"] as? Int ?? -1
        }
        let before = try documents()

        let r = try Starling.run(["delete", "--index", index, "--json", "--author", "@\(top)"])
        #expect(r.status == 0, Comment(rawValue: r.stderr))
        #expect(jsonObject(r.stdout)?["deleted"] as? Int == byTop)
        #expect(try total("from:\(top)") == 0)
        #expect(try documents() == before - byTop)

        // By id: two posts of a search, and one that is not there.
        let hits = try Starling.run(["search", "--index", index, "--json", "--limit", "2", "hostage"])
        let ids = (jsonObject(hits.stdout)?["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        try #require(ids.count == 2)
        let hostage = try total("hostage")
        let byID = try Starling.run(["delete", "--index", index, "--json"] + ids + ["no-such-post"])
        let o = try #require(jsonObject(byID.stdout), Comment(rawValue: byID.stderr))
        #expect(o["deleted"] as? Int == 2 && (o["missing"] as? [String]) == ["no-such-post"])
        #expect(try total("hostage") == hostage - 2)
        let again = try Starling.run(["delete", "--index", index, ids[0]])
        #expect(again.status == 0 && again.stdout.contains("deleted 0 posts; not in the index: \(ids[0])"))
        #expect(try Starling.run(["duplicates", "--index", index, ids[0]]).stderr.contains("no post with id"))
        #expect(try Starling.run(["duplicates", "--index", index, "--clusters", "--json"]).status == 0)

        let none = try Starling.run(["delete", "--index", dir.appendingPathComponent("absent").path, "x"])
        #expect(none.status == 1 && none.stderr.contains("no index at"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("absent").path))
        #expect(try Starling.run(["delete", "--index", index]).status != 0)
    }
}
