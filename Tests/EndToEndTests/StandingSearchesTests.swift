// `starling searches` end to end on real posts: a standing search saved over the first half of the PHEME tweets
// sees as new exactly the matches the second half brings, shows them last indexed first, and once marked read sees
// nothing new, re-importing (updates in place) included; refusals name what is wrong.
import Foundation
import StarlingTestSupport
import Testing

@Suite struct StandingSearchesTests {
    @Test(.enabled(if: SharedData.available, "needs ../shared/data (PHEME tweets)"))
    func newPostsOfAStandingSearch() throws {
        let dir = try makeTempDir("searches")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lines = try String(contentsOfFile: SharedData.path(ShardSearchTests.pheme), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true)
        let firstHalf = dir.appendingPathComponent("first.jsonl"), secondHalf = dir.appendingPathComponent("second.jsonl")
        try (lines.prefix(2_500).joined(separator: "\n") + "\n").write(to: firstHalf, atomically: true, encoding: .utf8)
        try (lines.dropFirst(2_500).joined(separator: "\n") + "\n").write(to: secondHalf, atomically: true, encoding: .utf8)
        var secondPosition: [String: Int] = [:]
        for (k, line) in lines.dropFirst(2_500).enumerated() {
            if let id = jsonObject(String(line))?["id_str"] as? String { secondPosition[id] = k }
        }
        let secondIDs = Set(secondPosition.keys)
        let index = dir.appendingPathComponent("idx").path
        func run(_ args: [String]) throws -> CommandResult { try Starling.run(args) }
        func listed() throws -> (matches: Int, new: Int) {
            let r = try run(["searches", "list", "--index", index, "--json"])
            try #require(r.status == 0, Comment(rawValue: r.stderr))
            let s = try #require((jsonObject(r.stdout)?["searches"] as? [[String: Any]])?.first)
            return (s["matches"] as? Int ?? -1, s["new"] as? Int ?? -1)
        }

        try #require(try run(["index", "--index", index, "--quiet", firstHalf.path]).status == 0)
        let query = "police OR shooting OR #ferguson"
        let add = try run(["searches", "add", "--index", index, "news", query])
        #expect(add.status == 0 && add.stdout.contains("saved 'news'"), Comment(rawValue: add.stderr))
        let before = try listed()
        #expect(before.matches > 50 && before.new == 0, "\(before)")

        try #require(try run(["index", "--index", index, "--quiet", secondHalf.path]).status == 0)
        let after = try listed()
        // Every match the second half brought is new, and nothing else.
        #expect(after.new > 50 && after.new == after.matches - before.matches, "\(before) then \(after)")
        let fresh = try run(["searches", "new", "--index", index, "news", "--json", "--limit", "5"])
        let o = try #require(jsonObject(fresh.stdout))
        #expect(o["new"] as? Int == after.new)
        let ids = (o["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids.count == 5 && Set(ids).isSubset(of: secondIDs), "\(ids)")
        // The last indexed first: all of them, in the reverse order of the second file's lines.
        let all = try run(["searches", "new", "--index", index, "news", "--json", "--limit", "100000"])
        let order = (jsonObject(all.stdout)?["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(order.count == after.new && Array(order.prefix(5)) == ids)
        let positions = order.compactMap { secondPosition[$0] }
        #expect(positions.count == order.count && positions == positions.sorted(by: >))

        let marked = try run(["searches", "new", "--index", index, "news", "--mark", "--limit", "0", "--json"])
        #expect(jsonObject(marked.stdout)?["marked"] as? Bool == true)
        #expect(try listed().new == 0)
        // Imported again: updated in place, not new.
        try #require(try run(["index", "--index", index, "--quiet", secondHalf.path]).status == 0)
        #expect(try listed().new == 0)
        let human = try run(["searches", "list", "--index", index])
        #expect(human.stdout.contains("news: 0 new, \(after.matches) in all"), Comment(rawValue: human.stdout))

        // Refusals.
        let badName = try run(["searches", "add", "--index", index, "no spaces", "x"])
        #expect(badName.status == 2 && badName.stderr.contains("is not a standing search name"))
        let badQuery = try run(["searches", "add", "--index", index, "broken", "\"unclosed"])
        #expect(badQuery.status == 2 && badQuery.stderr.contains("expected a closing quote"))
        let unknown = try run(["searches", "new", "--index", index, "nope"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no standing search named 'nope'"))
        #expect(try run(["searches", "remove", "--index", index, "news"]).status == 0)
        #expect(try run(["searches", "remove", "--index", index, "news"]).status == 1)
        try "{not json".write(toFile: index + "/starling-searches.json", atomically: true, encoding: .utf8)
        let damaged = try run(["searches", "list", "--index", index])
        #expect(damaged.status == 1 && damaged.stderr.contains("cannot be read"), Comment(rawValue: damaged.stderr))
    }
}
