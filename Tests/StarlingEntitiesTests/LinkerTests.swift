// Decisions: catalogue-only (as at ingest) and corpus-learnt (as in `starling entities`).
import StarlingAnalysis
import Testing
@testable import StarlingEntities

@Suite struct LinkerTests {
    /// (text, entity expected at the default threshold, or nil)
    static let catalogueOnly: [(String, String?)] = [
        ("$AAPL closes higher", "apple_inc"),
        ("Apple announced a new iPhone and iPad today", "apple_inc"),
        ("apple pie with apple juice from the orchard", nil),
        ("an apple a day", nil),
        ("Apple Inc shares", "apple_inc"),
        ("thanks @AppleSupport", "apple_inc"),
        ("the Beatles on Apple Records", "apple_records"),
    ]

    @Test(arguments: catalogueOnly.indices)
    func decidesFromTheCatalogueAlone(_ i: Int) throws {
        let (text, expected) = Self.catalogueOnly[i]
        let linker = try makeLinker(appleYAML)
        let found = linker.link(try Analyzer().analyze(text))
        #expect(found.first?.entityID == expected, "\(text): \(found)")
        for m in found {
            #expect(m.confidence >= 0.5 && m.confidence <= 1)
            #expect(m.evidence.contains("catalogue only"))
        }
        let all = linker.link(try Analyzer().analyze(text), all: true)
        #expect(all.count >= found.count)
    }

    @Test func thresholdIsConfigurable() throws {
        var strict = DisambiguationSettings()
        strict.threshold = 0.99
        let linker = try makeLinker(appleYAML, settings: strict)
        #expect(linker.link(try Analyzer().analyze("Apple announced a new iPhone")).isEmpty)
        #expect(linker.link(try Analyzer().analyze("apple.com https://apple.com/x")).isEmpty)
        var loose = DisambiguationSettings()
        loose.threshold = 0.1
        let eager = try makeLinker(appleYAML, settings: loose)
        #expect(eager.link(try Analyzer().analyze("an apple a day")).first?.entityID == "apple_inc")
    }

    /// A catalogue entry's own `threshold` decides its entity's posts, in both modes; the run's threshold stays
    /// for the others, and an explicit one (`thresholdOverridesCatalogue`, `--threshold`) wins over the catalogue.
    @Test func aCatalogueThresholdIsPerEntity() throws {
        let yaml = appleYAML.replacingOccurrences(of: "negative_keywords: [pie, juice, orchard]",
                                                  with: "negative_keywords: [pie, juice, orchard]\n    threshold: 0.1")
        #expect(yaml != appleYAML)
        let analyzer = try Analyzer()
        let text = "an apple a day"
        let base = try makeLinker(appleYAML)
        let low = try #require(base.link(analyzer.analyze(text), all: true).first { $0.entityID == "apple_inc" })
        #expect(low.confidence > 0.1 && low.confidence < 0.5, "\(low)")
        #expect(base.link(analyzer.analyze(text)).isEmpty)
        let generous = try makeLinker(yaml)
        #expect(generous.link(analyzer.analyze(text)).map(\.entityID) == ["apple_inc"])
        #expect(generous.link(analyzer.analyze("the apple records reissue")).allSatisfy { $0.entityID != "apple_records" || $0.confidence >= 0.5 })
        var explicit = DisambiguationSettings()
        explicit.thresholdOverridesCatalogue = true
        let overridden = try makeLinker(yaml, settings: explicit)
        #expect(overridden.link(analyzer.analyze(text)).isEmpty)
        // Corpus mode: the same threshold picks the entity's labels and its summary's count.
        let posts = ["an apple a day", "apple crumble recipe", "my apple tree is blooming"]
            + (0..<30).map { "ordinary post \($0) about the weather" }
        for (linker, expected) in [(base, 0), (generous, 3), (overridden, 0)] {
            let corpus = CorpusLinker(linker: linker)
            for (i, p) in posts.enumerated() { corpus.add(id: "\(i)", analysis: analyzer.analyze(p)) }
            let out = corpus.finish()
            let labelled = out.filter { $0.mentions.contains { $0.entityID == "apple_inc" } }.count
            let summary = try #require(corpus.summaries.first { $0.entityID == "apple_inc" })
            #expect(summary.labelled == labelled)
            if expected == 3 {
                // Every post at or above 0.1: each confidence is a real number above it, none forced.
                let all = corpus.finish(all: true).flatMap(\.mentions).filter { $0.entityID == "apple_inc" }
                #expect(labelled == all.filter { $0.confidence >= 0.1 }.count && labelled > 0, "\(all.map(\.confidence))")
            } else {
                #expect(labelled < 3)
            }
        }
    }

    /// A catalogue with only a name, the ambiguous word, a domain and one line: the corpus must do the rest.
    static let deltaYAML = """
        entities:
          - id: delta_air_lines
            name: Delta Air Lines
            aliases: [delta]
            domains: [delta.com]
            description: American airline based in Atlanta.
        """

    @Test(arguments: [false, true])
    func learnsTheEntitysContextFromPostsWithSignals(narrow: Bool) throws {
        // 13 of the 23 posts name Delta: a narrow input by default (no ordinary language to learn the other senses
        // from), so the profile is set aside; allowed, it learns from the posts with signals.
        var settings = DisambiguationSettings()
        if !narrow { settings.narrowInputShare = 1 }
        let linker = try makeLinker(Self.deltaYAML, settings: settings)
        let analyzer = try Analyzer()
        let corpus = CorpusLinker(linker: linker)
        // Posts with a homepage link teach that flights, gates and baggage go with the airline...
        let taught = [
            "Delta flight delayed at the gate again, baggage lost https://www.delta.com/help",
            "Booked my Delta flight to Atlanta, upgrade to first class! https://delta.com/book",
            "Delta lost my baggage, flight cancelled, gate agent was kind https://www.delta.com/x",
            "Delta flight attendant upgrade and lounge https://pro.delta.com/y",
        ]
        // ...the rest of the alias's posts show the other senses.
        let air = ["Stuck on the Delta flight, gate changed twice", "My Delta flight got an upgrade today",
                   "Delta baggage claim takes forever after my flight"]
        let other = ["The Mississippi river delta wetlands are shrinking", "Sediment builds the river delta wetlands",
                     "Compute the delta between the two variables in the function",
                     "The Nile delta wetlands and river birds", "Take the delta of each variable in the function",
                     "River delta sediment and wetlands study"]
        var n = 0
        for t in taught + air + other {
            corpus.add(id: "p\(n)", analysis: analyzer.analyze(t))
            n += 1
        }
        // Ordinary posts: the background the "other" side starts from.
        let ordinary = ["Lovely weather for a walk in the park today", "Watching the game tonight with friends",
                        "Coffee first, then emails, then more coffee", "Our cat knocked the plant over again",
                        "Reading a great book about the history of maps", "Traffic on the bridge is terrible",
                        "New recipe: lentil soup with lemon and cumin", "Happy birthday to my little brother",
                        "The concert last night was amazing", "Rain again, so much for the picnic"]
        for (i, t) in ordinary.enumerated() { corpus.add(id: "o\(i)", analysis: analyzer.analyze(t)) }
        let out = corpus.finish()
        #expect(out.count == n + ordinary.count)
        #expect(out.map(\.id) == (0..<n).map { "p\($0)" } + ordinary.indices.map { "o\($0)" })
        for (i, post) in out.prefix(n).enumerated() {
            let about = post.mentions.contains { $0.entityID == "delta_air_lines" }
            let expected = i < taught.count + air.count
            #expect(about == expected, "\(i): \(post.mentions)")
        }
        let learnt = try #require(out[taught.count].mentions.first)
        #expect(learnt.evidence.contains { $0.hasPrefix("learnt context:") })
        #expect(learnt.evidence.contains { $0.contains("4 with signals") })
        let summary = try #require(corpus.summaries.first)
        #expect(summary.narrowInput == narrow && summary.profileUsed == !narrow, "\(summary)")
        #expect(learnt.evidence.contains { $0.contains("set aside: the input is mostly posts naming it") } == narrow)
        #expect(out.suffix(ordinary.count).allSatisfy { $0.mentions.isEmpty })
    }

    /// Where the entity is a minority of its alias's posts, similar posts pull a post about it down; a catalogue
    /// keyword holds its catalogue-only confidence (the same word in the description does not).
    @Test func keywordsHoldTheirDecisionInCorpusMode() throws {
        func decide(_ yaml: String) throws -> (post: LabelledPost, catalogueOnly: [EntityMention]) {
            let linker = try makeLinker(yaml)
            let analyzer = try Analyzer()
            let corpus = CorpusLinker(linker: linker)
            let target = "Love my new iphone from apple, happy today"
            corpus.add(id: "target", analysis: analyzer.analyze(target))
            let fruit = ["Love my new apple tree, happy today", "Happy today with a new apple crumble, love it",
                         "New apple harvest today, love the orchard", "Love apple slices, happy and new today",
                         "Today a new apple juice, love and happy", "Happy new apple season today, love it",
                         "Apple cake today, new recipe I love, happy", "Love this new apple cider, happy today"]
            for (i, t) in fruit.enumerated() { corpus.add(id: "f\(i)", analysis: analyzer.analyze(t)) }
            return (corpus.finish()[0], linker.link(analyzer.analyze(target)))
        }
        let base = """
            entities:
              - id: apple_inc
                name: Apple Inc.
                aliases: [apple]
                domains: [apple.com]
            """
        let described = try decide(base + "\n    description: American technology company that makes the iPhone.\n")
        let keyworded = try decide(base + "\n    description: American technology company.\n    keywords: [iphone]\n")
        // Alone, the post is about the company either way...
        #expect(described.catalogueOnly.first?.entityID == "apple_inc")
        #expect(keyworded.catalogueOnly.first?.entityID == "apple_inc")
        // ...among the fruit posts, the description's word is pulled under, the keyword holds.
        #expect(described.post.mentions.isEmpty, "\(described.post.mentions)")
        let held = try #require(keyworded.post.mentions.first, "\(keyworded.post)")
        #expect(held.confidence >= keyworded.catalogueOnly[0].confidence - 1e-9)
        #expect(held.evidence.contains { $0.contains("holds the catalogue-only confidence") }, "\(held.evidence)")
    }

    /// Similar posts pull each other's confidence: one round against the pairwise cosine formula, written out here.
    @Test func propagatesConfidenceBetweenSimilarPosts() throws {
        let h = 1 / 2.0.squareRoot()
        // Post 0 has a signal (fixed), 1 is its twin, 3 shares one word with both, 2 shares nothing.
        let vectors: [[(feature: Int32, weight: Double)]] = [[(0, h), (1, h)], [(0, h), (1, h)], [(2, 1)], [(0, 1)]]
        let start = [0.97, 0.3, 0.4, 0.1]
        let fixed = [true, false, false, false]
        func cosine(_ a: Int, _ b: Int) -> Double {
            var s = 0.0
            for (f, x) in vectors[a] { for (g, y) in vectors[b] where f == g { s += x * y } }
            return s
        }
        func expected(_ i: Int) -> Double? {
            let others = start.indices.filter { $0 != i && cosine(i, $0) > 0 }
            guard !others.isEmpty else { return nil }
            return others.reduce(0) { $0 + cosine(i, $1) * start[$1] } / others.reduce(0) { $0 + cosine(i, $1) }
        }
        let (c, neighbours) = CorpusLinker.propagate(start, fixed: fixed, vectors: vectors, beta: 0.7, rounds: 1)
        #expect(c[0] == 0.97, "a signal keeps its confidence")
        #expect(c[2] == 0.4 && neighbours[2] == nil, "a post like no other keeps its start")
        for i in [1, 3] {
            let mean = try #require(expected(i))
            #expect(abs((neighbours[i] ?? -1) - mean) < 1e-12)
            #expect(abs(c[i] - (0.3 * start[i] + 0.7 * mean)) < 1e-12)
        }
        #expect(c[1] > 0.5 && start[1] < 0.5, "the twin of a signal post is pulled over the threshold")
        // More rounds settle; β = 0 changes nothing.
        let settled = CorpusLinker.propagate(start, fixed: fixed, vectors: vectors, beta: 0.7, rounds: 30).confidence
        let again = CorpusLinker.propagate(start, fixed: fixed, vectors: vectors, beta: 0.7, rounds: 31).confidence
        for i in start.indices { #expect(abs(settled[i] - again[i]) < 1e-9) }
        #expect(CorpusLinker.propagate(start, fixed: fixed, vectors: vectors, beta: 0, rounds: 5).confidence == start)
    }

    /// The check that sets the EM aside when its split disagrees with the catalogue's ranking.
    @Test func agreementIsPearsonsCorrelation() {
        #expect(abs((CorpusLinker.correlation([(0, 1), (1, 3), (2, 5)]) ?? 0) - 1) < 1e-12)
        #expect(abs((CorpusLinker.correlation([(0, 5), (1, 3), (2, 1)]) ?? 0) + 1) < 1e-12)
        #expect(CorpusLinker.correlation([(1, 1), (1, 2), (1, 3)]) == nil, "a constant side says nothing")
        #expect(CorpusLinker.correlation([(0, 1), (1, 2)]) == nil, "too few posts")
        // x = 1, 2, 3, 4 against y = 1, 3, 2, 4: covariance 1.0, variances 1.25 each.
        #expect(abs((CorpusLinker.correlation([(1, 1), (2, 3), (3, 2), (4, 4)]) ?? 0) - 0.8) < 1e-12)
    }
}
