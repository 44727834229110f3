// Excluded phrases: names of other things that contain an alias (`big apple`). An occurrence inside one does not
// name the entity, in the text or in a hashtag; a plain occurrence or a signal elsewhere in the post still does;
// corpus mode learns as before and only the excluded posts' decisions change.
import StarlingAnalysis
import Testing
@testable import StarlingEntities

@Suite struct ExclusionTests {
    static let yaml = """
        entities:
          - id: apple_inc
            name: Apple Inc.
            aliases: [apple, apple inc]
            handles: [apple]
            domains: [apple.com]
            description: American technology company that makes the iPhone, iPad and Mac.
            excluded_phrases: [big apple, apple pie]
        """

    /// (text, whether Apple Inc. is reported at the default threshold)
    static let cases: [(String, Bool)] = [
        ("Apple Inc shares are up", true),
        ("Big Apple Inc shares are up", true),          // the longer alias is not inside the phrase
        ("New York, the Big Apple, at night", false),
        ("Last day in NYC #nyc #bigapple", false),
        ("#ApplePie season is here", false),
        ("Apple pie at the Apple store while Apple ships the new iPhone", true),  // a plain occurrence besides
        ("the Big Apple welcomes @Apple", true),        // a signal besides
    ]

    @Test(arguments: cases.indices)
    func occurrencesInsideAnExcludedPhraseDoNotCount(_ i: Int) throws {
        let (text, expected) = Self.cases[i]
        let linker = try makeLinker(Self.yaml)
        let analyzer = try Analyzer()
        let found = linker.link(analyzer.analyze(text))
        #expect(found.contains { $0.entityID == "apple_inc" } == expected, "\(text): \(found)")
        if !expected {
            let all = linker.link(analyzer.analyze(text), all: true)
            let m = try #require(all.first { $0.entityID == "apple_inc" }, "\(text): still a candidate, with why")
            #expect(m.confidence == 0)
            #expect(m.evidence.contains { $0.hasPrefix("inside the excluded phrase '") }, "\(m.evidence)")
        }
    }

    /// The same corpus with and without the exclusions: the posts naming Apple only inside "big apple" are no
    /// longer labelled, and every other post's confidence is exactly what it was (learning is not disturbed: the
    /// excluded posts share words with the others, and fixing them at 0 inside the EM fails this test).
    @Test func corpusModeChangesOnlyTheExcludedPosts() throws {
        let without = Self.yaml.replacingOccurrences(of: "\n    excluded_phrases: [big apple, apple pie]", with: "")
        #expect(without != Self.yaml)
        let posts = [
            "Apple unveils the new iPhone and iPad", "Apple ships the Mac Pro", "apple.com has the new iPhone",
            "Loving my new Apple laptop", "Visiting the Big Apple this weekend for the new iPhone",
            "The Big Apple never sleeps: queue for the new iPhone",
            "#bigapple lights tonight", "an apple a day keeps the doctor away", "Apple stock rises after the iPhone event",
            "Times Square in the big apple", "Apple store queue for the iPhone", "apple picking with the kids",
        ] + (0..<40).map { "ordinary post number \($0) about the weather and lunch" }
        func run(_ yaml: String) throws -> [LabelledPost] {
            let linker = try makeLinker(yaml)
            let corpus = CorpusLinker(linker: linker)
            let analyzer = try Analyzer()
            for (i, p) in posts.enumerated() { corpus.add(id: "\(i)", analysis: analyzer.analyze(p)) }
            return corpus.finish(all: true)
        }
        let before = try run(without), after = try run(Self.yaml)
        let excluded: Set<Int> = [4, 5, 6, 9]
        for i in 0..<12 {
            let b = before[i].mentions.first { $0.entityID == "apple_inc" }?.confidence
            let a = after[i].mentions.first { $0.entityID == "apple_inc" }?.confidence
            if excluded.contains(i) {
                #expect(a == 0, "\(posts[i]): \(String(describing: a))")
                #expect((b ?? 0) > 0, "\(posts[i]) had a confidence to lose")
            } else {
                #expect(a == b, "\(posts[i]): \(String(describing: b)) → \(String(describing: a))")
            }
        }
    }
}
