// End-to-end `starling similar`: the real binary on a real index: JSON contract, drafts, filters, rules,
// --exact agreeing with the fast path, batch mode, errors; and the PHEME tweets from ../shared/data.
import Foundation
import Testing

@Suite(.serialized) struct SimilarEndToEndTests {
    private static let posts: [String] = [
        #"{"id":"s1","text":"Sourdough bread with a perfect crust #baking","author":"ann","lang":"en","created_at":"2020-01-01T10:00:00Z"}"#,
        #"{"id":"s2","text":"My sourdough bread has a perfect crust today #baking","author":"bob","lang":"en","created_at":"2020-01-02T10:00:00Z"}"#,
        #"{"id":"s3","text":"Baking sourdough again, crust not so perfect","author":"cat","lang":"en","created_at":"2020-01-03T10:00:00Z"}"#,
        #"{"id":"s4","text":"Pan de masa madre con una corteza perfecta #baking","author":"dan","lang":"es","created_at":"2020-01-04T10:00:00Z"}"#,
        #"{"id":"s5","text":"Sourdough bread recipe https://www.bakery.example.com/recipe","author":"ann","lang":"en","created_at":"2020-01-05T10:00:00Z"}"#,
        #"{"id":"t1","text":"Train delayed again this morning","author":"eve","lang":"en","created_at":"2020-02-01T10:00:00Z"}"#,
        #"{"id":"t2","text":"Another delayed train, another late morning","author":"fay","lang":"en","created_at":"2020-02-02T10:00:00Z"}"#,
    ]

    private func withIndex(_ body: (String, URL) throws -> Void) throws {
        let dir = try makeTempDir("similar")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("posts.jsonl")
        try Self.posts.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        try body(index, dir)
    }

    private func hits(_ r: CommandResult) throws -> [[String: Any]] {
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(jsonObject(r.stdout)?["hits"] as? [[String: Any]], "\(r.stdout)")
    }

    @Test func jsonFollowsTheContract() throws {
        try withIndex { index, _ in
            let r = try Starling.run(["similar", "--index", index, "--json", "s1"])
            let object = try #require(jsonObject(r.stdout))
            #expect((object["total"] as? Int ?? 0) >= 1)
            let list = try hits(r)
            #expect(list.first?["id"] as? String == "s2")
            for h in list {
                #expect(h["id"] is String && h["score"] is Double && h["text"] is String)
                let explain = try #require(h["explain"] as? [[String: Any]])
                #expect(explain.allSatisfy { $0["term"] is String && $0["weight"] is Double })
            }
            #expect(!list.contains { $0["id"] as? String == "s1" || $0["id"] as? String == "s5" }, "itself, its author")
            let terms = (list.first?["explain"] as? [[String: Any]])?.compactMap { $0["term"] as? String } ?? []
            #expect(terms.contains("#baking") || terms.contains("sourdough"), "\(terms)")
        }
    }

    @Test func optionsTable() throws {
        try withIndex { index, dir in
            let rules = dir.appendingPathComponent("rules.json")
            try #"{"rules": [{"author": "cat", "factor": 10}, {"domain": "bakery.example.com", "factor": 0}]}"#
                .write(to: rules, atomically: true, encoding: .utf8)
            // (arguments, what the ids must satisfy)
            let table: [([String], ([String]) -> Bool)] = [
                (["s2", "--limit", "1"], { $0 == ["s1"] }),
                (["s2", "--lang", "es"], { $0 == ["s4"] }),
                (["s2", "--since", "2020-01-03"], { !$0.isEmpty && !$0.contains("s1") }),
                (["s2", "--until", "2020-01-02"], { $0 == ["s1"] }),
                (["s2", "--author", "@cat"], { $0 == ["s3"] }),
                (["s1", "--include-author"], { $0.contains("s5") }),
                (["s2", "--rules", rules.path], { $0.first == "s3" && !$0.contains("s5") }),
                (["s2", "--min-score", "0.99"], { $0.isEmpty }),
                (["s2", "--filter=-#baking"], { !$0.contains("s1") && !$0.contains("s4") }),
                (["--text", "delayed train in the morning"], { Set($0.prefix(2)) == ["t1", "t2"] }),
                (["--text", "nothing in common zzz"], { $0.isEmpty }),
            ]
            for (args, check) in table {
                for exact in [false, true] {
                    let r = try Starling.run(["similar", "--index", index, "--json"] + args + (exact ? ["--exact"] : []))
                    let ids = try hits(r).compactMap { $0["id"] as? String }
                    #expect(check(ids), "\(args) exact=\(exact): \(ids)")
                }
            }
        }
    }

    @Test func batchModeAndErrors() throws {
        try withIndex { index, dir in
            let queries = dir.appendingPathComponent("q.txt")
            try "s1\n{\"text\": \"late train\"}\nmissing\n".write(to: queries, atomically: true, encoding: .utf8)
            let r = try Starling.run(["similar", "--index", index, "--queries", queries.path])
            #expect(r.status == 0)
            let lines = r.lines.compactMap(jsonObject)
            #expect(lines.count == 3)
            #expect(lines[0]["query"] as? String == "s1" && lines[0]["elapsed_ms"] is Double)
            #expect((lines[1]["hits"] as? [[String: Any]])?.first?["id"] as? String == "t2")
            #expect((lines[2]["error"] as? String)?.contains("missing") == true)

            let unknown = try Starling.run(["similar", "--index", index, "nope"])
            #expect(unknown.status == 2 && unknown.stderr.contains("no post with id 'nope'"))
            let both = try Starling.run(["similar", "--index", index, "s1", "--text", "x"])
            #expect(both.status != 0)
            let badRules = dir.appendingPathComponent("bad.json")
            try #"{"rules": [{"author": "x"}]}"#.write(to: badRules, atomically: true, encoding: .utf8)
            let r2 = try Starling.run(["similar", "--index", index, "--rules", badRules.path, "s1"])
            #expect(r2.status == 1 && r2.stderr.contains("factor"))
            let human = try Starling.run(["similar", "--index", index, "s1"])
            #expect(human.status == 0 && human.stdout.contains("[s2]") && human.stdout.contains("shared:"))
        }
    }

    @Test(.enabled(if: SharedData.available, "../shared/data is absent"))
    func phemeTweetsFindTheirStory() throws {
        let dir = try makeTempDir("similar-pheme")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", "--quiet",
                                  SharedData.path("corpora/pheme/tweets-v1.jsonl")])
        #expect(r.status == 0 || r.status == 3, "\(r.stderr)")
        // A draft about one of PHEME's stories finds tweets about it, fast and exact alike.
        let text = "Gunman holding hostages in a Sydney cafe in Martin Place"
        var answers: [[String]] = []
        for extra in [[], ["--exact"]] {
            let s = try Starling.run(["similar", "--index", index, "--json", "--text", text, "--limit", "10"] + extra)
            let list = try hits(s)
            #expect(list.count == 10)
            let texts = list.compactMap { ($0["text"] as? String)?.lowercased() }
            #expect(texts.filter { $0.contains("sydney") || $0.contains("hostage") || $0.contains("martin") }.count >= 8,
                    "\(texts)")
            answers.append(list.compactMap { $0["id"] as? String })
        }
        #expect(answers[0] == answers[1])
    }
}
