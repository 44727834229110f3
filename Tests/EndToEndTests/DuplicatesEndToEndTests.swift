// End-to-end near-duplicates with the real binary: `starling duplicates ID | --text | --clusters`, clusters
// made at ingest whatever the file order, and `search --collapse` folding each cluster into one hit.
import Foundation
import Testing

@Suite struct DuplicatesEndToEndTests {
    static let base = "Police fire tear gas at protesters in Ferguson tonight as the crowd grows near the station"

    /// A family of copies (reshare, other handle, other link, one extra word) and an unrelated post.
    static let posts: [(id: String, text: String, author: String, minute: Int)] = [
        ("100", base, "reporter", 0),
        ("101", "RT @reporter: " + base, "fan1", 3),
        ("102", "@cnn " + base + " http://t.co/abc", "fan2", 4),
        ("103", base + " tonight", "fan1", 9),
        ("200", "Completely unrelated: a recipe for pasta with tomatoes and basil from the garden", "cook", 1),
    ]

    static func line(_ p: (id: String, text: String, author: String, minute: Int)) -> String {
        let reshare = p.text.hasPrefix("RT @") ? ",\"reshare_of\":\"100\"" : ""
        return "{\"id\":\"\(p.id)\",\"text\":\"\(p.text)\",\"author\":\"\(p.author)\","
            + "\"created_at\":\"2014-08-15T16:\(String(format: "%02d", 10 + p.minute)):00Z\"\(reshare)}"
    }

    private func makeIndex(_ order: [Int], name: String) throws -> (URL, String) {
        let dir = try makeTempDir(name)
        let file = dir.appendingPathComponent("posts.jsonl")
        try order.map { Self.line(Self.posts[$0]) }.joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, index)
    }

    @Test func duplicatesOfAPost() throws {
        let (dir, index) = try makeIndex([0, 1, 2, 3, 4], name: "dups-post")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Starling.run(["duplicates", "--index", index, "--json", "100"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(jsonObject(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(o["total"] as? Int == 3)
        #expect(o["cluster"] as? String == "100")
        let hits = try #require(o["hits"] as? [[String: Any]])
        #expect(Set(hits.compactMap { $0["id"] as? String }) == ["101", "102", "103"])
        for h in hits {
            let j = try #require(h["jaccard"] as? Double)
            #expect(j >= 0.7 && j <= 1)
            #expect(h["score"] as? Double == j)
            #expect(h["estimated_jaccard"] is Double)
            #expect(h["cluster"] as? String == "100")
        }
        #expect((hits.first?["jaccard"] as? Double) == 1.0)

        let human = try Starling.run(["duplicates", "--index", index, "100"])
        #expect(human.stdout.contains("3 near-duplicates"))
        #expect(human.stdout.contains("estimated"))

        let missing = try Starling.run(["duplicates", "--index", index, "999"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("999"))
    }

    @Test func duplicatesOfATextAndUsageErrors() throws {
        let (dir, index) = try makeIndex([0, 1, 2, 3, 4], name: "dups-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Starling.run(["duplicates", "--index", index, "--json", "--text", "RT @x: " + Self.base])
        let o = try #require(jsonObject(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(o["total"] as? Int == 4)
        let none = try Starling.run(["duplicates", "--index", index, "--json", "--text", "nothing like it at all here"])
        #expect(jsonObject(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["total"] as? Int == 0)
        #expect(try Starling.run(["duplicates", "--index", index]).status != 0)
        #expect(try Starling.run(["duplicates", "--index", index, "--clusters", "100"]).status != 0)
    }

    /// Clusters are named by their earliest post whatever order the posts are indexed in.
    @Test(arguments: [[0, 1, 2, 3, 4], [3, 2, 4, 1, 0], [1, 3, 0, 4, 2]])
    func clustersInAnyOrder(_ order: [Int]) throws {
        let (dir, index) = try makeIndex(order, name: "dups-clusters")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Starling.run(["duplicates", "--index", index, "--clusters", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(jsonObject(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        let clusters = try #require(o["clusters"] as? [[String: Any]])
        #expect(clusters.count == 1)
        let c = try #require(clusters.first)
        #expect(c["id"] as? String == "100")
        #expect(c["size"] as? Int == 4)
        #expect(c["author"] as? String == "reporter")
        #expect(c["first_seen"] as? String == "2014-08-15T16:10:00Z")
        #expect(c["last_seen"] as? String == "2014-08-15T16:19:00Z")
        let top = try #require(c["top_authors"] as? [[String: Any]])
        #expect(top.first?["author"] as? String == "fan1")
        #expect(top.first?["posts"] as? Int == 2)

        let human = try Starling.run(["duplicates", "--index", index, "--clusters"])
        #expect(human.stdout.contains("4 posts, first [100] @reporter"))
    }

    @Test func searchCollapsesClusters() throws {
        let (dir, index) = try makeIndex([2, 3, 0, 1, 4], name: "dups-collapse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let plain = try Starling.run(["search", "--index", index, "--json", "police OR pasta"])
        #expect(jsonObject(plain.stdout)?["hits"].map { ($0 as? [Any])?.count } == 5)
        let r = try Starling.run(["search", "--index", index, "--json", "--collapse", "police OR pasta"])
        let hits = try #require(jsonObject(r.stdout)?["hits"] as? [[String: Any]])
        #expect(hits.count == 2)
        let collapsed = hits.compactMap { $0["collapsed"] as? Int }.sorted()
        #expect(collapsed == [0, 3])
    }

    /// Real reshares of the PHEME Ferguson threads cluster; every reported pair really is a near-duplicate.
    @Test(.enabled(if: SharedData.available, "../shared/data is absent"))
    func phemeCascades() throws {
        let dir = try makeTempDir("dups-pheme")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, SharedData.path("corpora/pheme/tweets-v1.jsonl")])
        #expect(r.status == 0 || r.status == 3, "\(r.stderr)")
        let c = try Starling.run(["duplicates", "--index", index, "--clusters", "--json", "--limit", "3"])
        let clusters = try #require(jsonObject(c.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["clusters"]
                                    as? [[String: Any]])
        #expect(!clusters.isEmpty)
        let sizes = clusters.compactMap { $0["size"] as? Int }
        #expect(sizes == sizes.sorted(by: >))
        #expect((sizes.first ?? 0) >= 2)
        let first = try #require(clusters.first?["id"] as? String)
        let d = try Starling.run(["duplicates", "--index", index, "--json", "--limit", "50", first])
        if d.status == 0, let hits = jsonObject(d.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["hits"]
            as? [[String: Any]] {
            for h in hits { #expect((h["jaccard"] as? Double ?? 0) >= 0.7) }
        }
    }
}
