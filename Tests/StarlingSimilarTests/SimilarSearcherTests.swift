// The similar-posts engine on real on-disk indexes: cosines against a plain reference implementation, the fast
// path against brute force, exclusions, filters, business rules, explanations, cold start and fresh posts.
import Foundation
import StarlingModel
import StarlingSimilar
import Testing
import XapianKit

/// A small corpus with three topics, authors, languages, days and a reshare.
private let corpus: [String] = [
    post("e1", "Huge crowd at the Trump rally in Ohio tonight #election2016", author: "ann", lang: "en",
         created: "2016-10-01T10:00:00Z"),
    post("e2", "Trump rally in Ohio: the crowd was huge and loud #election2016 #ohio", author: "bob", lang: "en",
         created: "2016-10-02T10:00:00Z"),
    post("e3", "Clinton speaks in Ohio about jobs #election2016", author: "cat", lang: "en",
         created: "2016-10-03T10:00:00Z"),
    post("e4", "Another Trump rally, another huge crowd in Ohio", author: "ann", lang: "en",
         created: "2016-10-04T10:00:00Z"),
    post("e5", "Mitin de Trump en Ohio con una multitud enorme #election2016", author: "dan", lang: "es",
         created: "2016-10-05T10:00:00Z"),
    post("e6", "RT @ann: Huge crowd at the Trump rally in Ohio tonight #election2016", author: "eve", lang: "en",
         created: "2016-10-06T10:00:00Z", reshareOf: "e1"),
    post("a1", "My flight was delayed three hours again, thanks @united #fail", author: "fay", lang: "en",
         created: "2015-02-01T10:00:00Z"),
    post("a2", "Flight delayed again and no update from the gate agents #fail", author: "gus", lang: "en",
         created: "2015-02-02T10:00:00Z"),
    post("a3", "Lost my bag on a delayed flight to Denver https://www.airline-news.example.com/bags", author: "hal",
         lang: "en", created: "2015-02-03T10:00:00Z"),
    post("a4", "Great crew on my flight to Denver today, thank you https://airline-news.example.com/crew",
         author: "ivy", lang: "en", created: "2015-02-04T10:00:00Z"),
    post("c1", "Baking sourdough bread this weekend, the crust is perfect #baking", author: "jon", lang: "en",
         created: "2014-05-01T10:00:00Z"),
    post("c2", "My sourdough starter finally works: bread with a perfect crust #baking #sourdough", author: "kim",
         lang: "en", created: "2014-05-02T10:00:00Z"),
    post("c3", "Weekend plans: bread, coffee and a long walk", author: "lee", lang: "en",
         created: "2014-05-03T10:00:00Z"),
]

private func ids(_ r: SimilarResult) -> [String] { r.hits.map(\.id) }

@Suite(.serialized) struct SimilarSearcherTests {
    @Test func termKinds() {
        let table: [(String, SimilarTermKind?)] = [
            ("word", .word), ("2016", .word), ("👍", .word), ("été", .word),
            ("XHelection2016", .hashtag), ("XDbbc.co.uk", .domain), ("XEq42", .entity),
            ("Abob", nil), ("Q123", nil), ("XMuser", nil), ("XFurl", nil), ("XT20160101", nil), ("Len", nil),
            ("XUhttps://x.example/", nil), ("Zstem", nil), ("XHW", nil), ("XH", nil), ("", nil),
        ]
        for (term, kind) in table { #expect(SimilarTerms.kind(of: term) == kind, "\(term)") }
        #expect(SimilarTerms.display("XHtag") == "#tag")
        #expect(SimilarTerms.display("XDbbc.co.uk") == "domain:bbc.co.uk")
        #expect(SimilarTerms.display("rally") == "rally")
    }

    @Test func cosinesMatchAPlainReferenceInBothModes() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        let reference = ReferenceCosine(database: searcher.database)
        for id in ["e1", "e3", "a3", "c2", "c3"] {
            let docid = try #require(try searcher.docid(of: id))
            let expected = try reference.ranking(query: docid)
            for mode in SimilarMode.allCases {
                var r = SimilarRequest(source: .post(id: id), limit: 50)
                r.mode = mode
                r.includeAuthor = true
                r.includeCluster = true
                let got = try searcher.similar(r)
                // The same posts, and the same cosine at every rank (posts with equal vectors may swap places
                // because the reference sums in another order).
                #expect(Set(got.hits.map(\.docid)) == Set(expected.map(\.docid)), "\(id) \(mode)")
                #expect(got.hits.count == expected.count)
                for (h, e) in zip(got.hits, expected) {
                    #expect(abs(h.cosine - e.cosine) < 1e-12, "\(id) \(mode) \(h.id)")
                }
            }
        }
    }

    @Test func topicsComeTogether() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        let table: [(String, String)] = [("e2", "e1"), ("a2", "a1"), ("c1", "c2"), ("a4", "a3")]
        for (query, best) in table {
            let r = try searcher.similar(SimilarRequest(source: .post(id: query), limit: 3))
            #expect(r.hits.first?.id == best, "\(query): \(ids(r))")
            #expect(r.total >= r.hits.count)
        }
    }

    @Test func thePostItsAuthorAndItsClusterAreLeftOutUnlessAsked() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        for mode in SimilarMode.allCases {
            var r = SimilarRequest(source: .post(id: "e1"), limit: 20)
            r.mode = mode
            let plain = ids(try searcher.similar(r))
            #expect(!plain.contains("e1"))
            #expect(!plain.contains("e4"), "same author")
            #expect(!plain.contains("e6"), "a reshare of e1 is in its cluster")
            r.includeAuthor = true
            #expect(ids(try searcher.similar(r)).contains("e4"))
            r.includeCluster = true
            let all = ids(try searcher.similar(r))
            #expect(all.first == "e6", "the reshare is the closest: \(all)")
            #expect(!all.contains("e1"))
        }
    }

    @Test func filtersNarrowTheHits() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        let table: [(String, (String) -> Bool)] = [
            ("lang:es", { $0 == "e5" }),
            ("since:2016-10-03", { ["e3", "e4", "e5", "e6"].contains($0) }),
            ("until:2016-10-03", { !["e3", "e4", "e5", "e6"].contains($0) }),
            ("from:cat", { $0 == "e3" }),
            ("-#election2016", { !["e1", "e3", "e5", "e6"].contains($0) }),
        ]
        for (filter, allowed) in table {
            for mode in SimilarMode.allCases {
                var r = SimilarRequest(source: .post(id: "e2"), limit: 20)
                r.filter = filter
                r.mode = mode
                r.includeCluster = true
                let got = ids(try searcher.similar(r))
                #expect(!got.isEmpty, "\(filter) \(mode)")
                #expect(got.allSatisfy(allowed), "\(filter) \(mode): \(got)")
            }
        }
        var bad = SimilarRequest(source: .post(id: "e2"))
        bad.filter = "lang:"
        #expect(throws: SimilarError.self) { try searcher.similar(bad) }
    }

    @Test func businessRulesBoostAndBury() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        for mode in SimilarMode.allCases {
            var r = SimilarRequest(source: .post(id: "a1"), limit: 10)
            r.mode = mode
            let before = ids(try searcher.similar(r))
            #expect(before.first == "a2")
            let last = try #require(before.last)
            let lastAuthor = try #require(try searcher.similar(r).hits.last?.post?.author)
            r.rules = try SimilarRules.parse(json: """
                {"rules": [{"author": "@\(lastAuthor.uppercased())", "factor": 100},
                           {"hashtag": "#FAIL", "factor": 0}]}
                """)
            let after = try searcher.similar(r)
            #expect(after.hits.first?.id == last, "\(mode): \(ids(after))")
            #expect(after.hits.first?.rules.map(\.kind) == [.author])
            #expect(after.hits.first.map { abs($0.score - 100 * $0.cosine) < 1e-9 } == true)
            #expect(!ids(after).contains("a2"), "#fail is buried")
            r.rules = SimilarRules([SimilarRule(kind: .domain, value: "airline-news.example.com", factor: 0.5)])
            let domain = try searcher.similar(r)
            for h in domain.hits where ["a3", "a4"].contains(h.id) {
                #expect(abs(h.score - h.cosine / 2) < 1e-12)
            }
        }
    }

    @Test func rulesFilesAreCheckedRuleByRule() throws {
        let good: [(String, [SimilarRule])] = [
            (#"{"rules": [{"author": "@Bob", "factor": 2}]}"#, [SimilarRule(kind: .author, value: "bob", factor: 2)]),
            (##"[{"hashtag": "#Ad", "factor": 0}, {"domain": "Example.COM", "factor": 0.5}]"##,
             [SimilarRule(kind: .hashtag, value: "ad", factor: 0), SimilarRule(kind: .domain, value: "example.com", factor: 0.5)]),
            (#"{"rules": [{"entity": "Q42", "factor": 1.5}]}"#, [SimilarRule(kind: .entity, value: "Q42", factor: 1.5)]),
            (#"{"rules": []}"#, []),
        ]
        for (text, rules) in good { #expect(try SimilarRules.parse(json: text).rules == rules, "\(text)") }
        let bad: [(String, String)] = [
            ("{", "not valid JSON"),
            (#"{"rule": []}"#, "expected"),
            (#"[{"author": "x"}]"#, "factor"),
            (#"[{"author": "x", "factor": -1}]"#, "factor"),
            (#"[{"author": "x", "hashtag": "y", "factor": 1}]"#, "exactly one"),
            (#"[{"color": "red", "factor": 1}]"#, "exactly one"),
            (#"[3]"#, "not an object"),
        ]
        for (text, message) in bad {
            do {
                _ = try SimilarRules.parse(json: text)
                Issue.record("accepted \(text)")
            } catch let SimilarError.badRules(m) {
                #expect(m.contains(message), "\(text): \(m)")
            }
        }
    }

    @Test func draftsNeverIndexedFindTheirTopic() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        let table: [(String, Set<String>)] = [
            ("thinking of baking sourdough bread, any tips for the crust?", ["c1", "c2"]),
            ("flight delayed AGAIN #fail", ["a1", "a2"]),
            ("Big Trump rally crowd in Ohio", ["e1", "e2", "e4", "e6"]),
        ]
        for (text, expected) in table {
            for mode in SimilarMode.allCases {
                var r = SimilarRequest(source: .text(text), limit: 2)
                r.mode = mode
                let got = try searcher.similar(r)
                #expect(got.hits.count == 2 && got.hits.allSatisfy { expected.contains($0.id) }, "\(text): \(ids(got))")
                let top = try #require(got.hits.first)
                #expect(!top.explain.isEmpty)
                #expect(top.explain.map(\.weight) == top.explain.map(\.weight).sorted(by: >))
            }
        }
        // An indexed post's own text as a draft finds the post itself at cosine 1.
        let same = try searcher.similar(SimilarRequest(source: .text("Clinton speaks in Ohio about jobs #election2016")))
        #expect(same.hits.first?.id == "e3")
        #expect(abs((same.hits.first?.cosine ?? 0) - 1) < 1e-9)
        // Nothing in common: no hits, no error.
        #expect(try searcher.similar(SimilarRequest(source: .text("zyzzyva quixotic"))).hits.isEmpty)
        #expect(try searcher.similar(SimilarRequest(source: .text("!!! ..."))).hits.isEmpty)
    }

    @Test func explanationsAddUpToTheCosine() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        var r = SimilarRequest(source: .post(id: "c2"), limit: 5)
        r.explainTerms = 100
        for h in try searcher.similar(r).hits {
            let sum = h.explain.reduce(0) { $0 + $1.weight }
            #expect(abs(sum - h.cosine) < 1e-9, "\(h.id)")
        }
        r.explainTerms = 2
        let top = try #require(try searcher.similar(r).hits.first)
        #expect(top.id == "c1")
        #expect(top.explain.count == 2)
        #expect(top.explain.map(\.display).contains("sourdough") || top.explain.map(\.display).contains("#baking"))
    }

    @Test func limitAndMinScore() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        var r = SimilarRequest(source: .post(id: "e2"), limit: 2)
        #expect(try searcher.similar(r).hits.count == 2)
        r.limit = 50
        let all = try searcher.similar(r)
        let cut = all.hits[all.hits.count / 2].cosine
        r.minScore = cut
        let kept = try searcher.similar(r)
        #expect(kept.hits.allSatisfy { $0.cosine >= cut })
        #expect(kept.hits.count == all.hits.filter { $0.cosine >= cut }.count)
        r.limit = 0
        #expect(try searcher.similar(r).hits.isEmpty)
        #expect(throws: SimilarError.unknownPost("nope")) {
            try searcher.similar(SimilarRequest(source: .post(id: "nope")))
        }
    }

    @Test func aPostJustIndexedIsFoundAndFinds() throws {
        let index = try TestIndex.make(corpus)
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        let before = try searcher.similar(SimilarRequest(source: .post(id: "c1")))
        #expect(!ids(before).contains("new"))
        try index.add([post("new", "Sourdough bread with the perfect crust, baked this weekend #baking", author: "zed")])
        try searcher.reopen()
        let fresh = try searcher.similar(SimilarRequest(source: .post(id: "new"), limit: 2))
        #expect(Set(ids(fresh)) == ["c1", "c2"])
        #expect(ids(try searcher.similar(SimilarRequest(source: .post(id: "c1")))).first == "new")
    }

    /// 600 posts of 6-14 words from a Zipf-like vocabulary of 400 words and 20 hashtags (seeded).
    private func generatedCorpus() -> [String] {
        var rng = SplitMix(seed: 42)
        let words = (0..<400).map { "w\($0)" }
        var lines: [String] = []
        for i in 0..<600 {
            var text: [String] = []
            for _ in 0..<(6 + Int(rng.next() % 9)) {
                let u = Double(rng.next() % 1_000_000) / 1_000_000
                text.append(words[min(399, Int(pow(u, 2.5) * 400))])
            }
            if rng.next() % 3 == 0 { text.append("#tag\(rng.next() % 20)") }
            lines.append(post("g\(i)", text.joined(separator: " "), author: "u\(rng.next() % 50)"))
        }
        return lines
    }

    /// Every 15th generated post asked with `adjust`'s settings and by brute force, limit 10: the hits found of
    /// brute force's (ties at the 10th score may be broken either way: any hit scoring at least the 10th counts)
    /// and of how many. A hit both lists hold must carry the same cosine (the same products, maybe added in another
    /// order); `check` sees each answer.
    private func againstBruteForce(_ searcher: SimilarSearcher, _ adjust: (inout SimilarRequest) -> Void,
                                   check: (String, SimilarResult) -> Void = { _, _ in }) throws -> (found: Int, wanted: Int) {
        var found = 0
        var wanted = 0
        for q in stride(from: 0, to: 600, by: 15) {
            var r = SimilarRequest(source: .post(id: "g\(q)"), limit: 10)
            r.mode = .exact
            let exact = try searcher.similar(r)
            adjust(&r)
            let got = try searcher.similar(r)
            check("g\(q)", got)
            let exactScores = Dictionary(uniqueKeysWithValues: exact.hits.map { ($0.id, $0.cosine) })
            for h in got.hits {
                if let e = exactScores[h.id] { #expect(abs(e - h.cosine) <= 1e-12, "\(h.id): \(e) vs \(h.cosine)") }
            }
            let tenth = (exact.hits.last?.cosine ?? 0) - 1e-12
            wanted += exact.hits.count
            found += min(exact.hits.count, got.hits.filter { $0.cosine >= tenth }.count)
        }
        return (found, wanted)
    }

    @Test func theFastPathAgreesWithBruteForceOnAGeneratedCorpus() throws {
        let index = try TestIndex.make(generatedCorpus(), name: "similar-generated")
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        let (found, wanted) = try againstBruteForce(searcher) { $0.mode = .fast }
        // Far below the posting budget, the fast path is exact.
        #expect(found == wanted, "recall@10 \(Double(found) / Double(wanted))")
    }

    /// The matcher path (what remote shards use) re-scores Xapian's best candidates: its cosines are the true ones,
    /// and with 30 of the 600 posts as candidates it finds nearly all of brute force's top 10; with every post
    /// as a candidate, all of it.
    @Test func theMatcherPathFindsBruteForcesNeighbours() throws {
        let index = try TestIndex.make(generatedCorpus(), name: "similar-matcher")
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        for candidates in [30, 600] {
            let (found, wanted) = try againstBruteForce(searcher, {
                $0.mode = .matcher
                $0.candidates = candidates
            }, check: { q, got in
                #expect(got.scored <= candidates)
                // Exact only when the candidates held every post sharing a term with the query.
                #expect(got.exact == (candidates == 600), "\(q) with \(candidates) candidates")
            })
            let recall = Double(found) / Double(wanted)
            #expect(candidates == 600 ? found == wanted : recall >= 0.95, "\(candidates) candidates: recall@10 \(recall)")
        }
    }

    @Test func aPostingBudgetBoundsTheWorkAndKeepsTheScoresTrue() throws {
        let index = try TestIndex.make(generatedCorpus(), name: "similar-budget")
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        var budgetHit = 0
        var found = 0
        var wanted = 0
        for q in stride(from: 0, to: 600, by: 15) {
            var r = SimilarRequest(source: .post(id: "g\(q)"), limit: 10)
            r.postingBudget = 0
            let unbounded = try searcher.similar(r)
            r.postingBudget = 150
            let bounded = try searcher.similar(r)
            // The rarest term is always read; beyond it, no more than the budget.
            let frequencies = try bounded.query.terms.map { try searcher.database.termFrequency($0) }.filter { $0 > 1 }
            let rarest = frequencies.min() ?? 0
            #expect(bounded.postingsRead <= max(150, rarest), "g\(q): \(bounded.postingsRead) postings")
            if bounded.postingsRead < unbounded.postingsRead { budgetHit += 1 }
            #expect(unbounded.commonTerms == 0)
            if bounded.commonTerms == 0 {
                // Within the budget the answer is the exact one.
                #expect(bounded.hits.map(\.id) == unbounded.hits.map(\.id), "g\(q)")
            }
            // Whatever is missed, what is returned carries its true cosine, best first.
            for h in bounded.hits {
                let shares = try searcher.explain(h.docid, query: bounded.query, top: .max)
                #expect(abs(shares.reduce(0) { $0 + $1.weight } - h.cosine) < 1e-9, "g\(q) \(h.id)")
            }
            #expect(bounded.hits.map(\.score) == bounded.hits.map(\.score).sorted(by: >))
            let tenth = (unbounded.hits.last?.cosine ?? 0) - 1e-12
            wanted += unbounded.hits.count
            found += min(unbounded.hits.count, bounded.hits.filter { $0.cosine >= tenth }.count)
        }
        #expect(budgetHit >= 10, "the budget should bind on many of these queries (\(budgetHit) of 40)")
        // Posts sharing only common words with the query can be missed, but most of the top ten are found.
        #expect(Double(found) / Double(wanted) >= 0.6, "recall@10 \(Double(found) / Double(wanted))")
    }
}

/// A small seeded generator (SplitMix64), so generated corpora are the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
