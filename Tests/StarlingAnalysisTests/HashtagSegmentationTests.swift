// Hashtag words: CamelCase, digits and underscores split by HashtagWords; one-case tags by the word-frequency
// model generated into analyzers/hashtags/words.tsv.
import StarlingAnalysis
import Testing

@Suite struct HashtagSegmentationTests {
    let analyzer: Analyzer = try! Analyzer()

    @Test(arguments: [
        ("BlackLivesMatter", ["Black", "Lives", "Matter"]),
        ("NASAMission", ["NASA", "Mission"]),
        ("COVID19Vaccine", ["COVID", "19", "Vaccine"]),
        ("black_lives_matter", ["black", "lives", "matter"]),
        ("iPhone12", ["i", "Phone", "12"]),
        ("café_olé", ["café", "olé"]),
        ("東京", ["東京"]),
    ])
    func camelCase(_ row: (String, [String])) {
        #expect(HashtagWords.split(row.0[...]).map(String.init) == row.1)
    }

    @Test(arguments: [
        ("blacklivesmatter", "black lives matter"),
        ("prayforparis", "pray for paris"),
        ("icantbreathe", "i cant breathe"),
        ("gopdebate", "gop debate"),
        ("makeamericagreatagain", "make america great again"),
        ("imwithher", "im with her"),
        ("ferguson", "ferguson"),
        ("love", "love"),
        ("xqzvbnmw", "xqzvbnmw"),
    ])
    func oneCase(_ row: (String, String)) throws {
        let model = try AnalyzerConfiguration.shared.get().hashtagWords
        #expect(model.segment(row.0[...]).joined(separator: " ") == row.1)
        #expect(model.segment(row.0.uppercased()[...]).joined(separator: " ") == row.1.uppercased())
    }

    @Test func mixedCaseIsNotResegmented() throws {
        let model = try AnalyzerConfiguration.shared.get().hashtagWords
        #expect(model.segment("BlackLives"[...]) == ["BlackLives"])
        // A CamelCase tag is trusted as written: its all-caps part is not cut up.
        #expect(HashtagWords.words("NASAMission"[...], segmenter: model) == ["NASA", "Mission"])
    }

    @Test func anEmptyModelSplitsNothing() {
        #expect(HashtagSegmenter().segment("blacklivesmatter"[...]) == ["blacklivesmatter"])
    }

    @Test func wordPairsDecideBetweenSplits() {
        // Unigrams alone prefer fewer words; a pair the text writes makes the longer split the likelier one.
        let words = "the\t1000\nrain\t20\nmakers\t20\nrainmakers\t20\n"
        #expect(HashtagSegmenter(text: words).segment("therainmakers"[...]) == ["the", "rainmakers"])
        let withPairs = HashtagSegmenter(text: words + "the rain\t15\nrain makers\t15\n")
        #expect(withPairs.segment("therainmakers"[...]) == ["the", "rain", "makers"])
        // A pair naming a word the model lacks is ignored.
        #expect(HashtagSegmenter(text: words + "rain dance\t15\n").count == 4)
    }

    @Test func theTableIsReadLineByLineWhateverTheLineEnds() {
        // Comments, blank lines, CRLF (a single Character to Swift's String, which once hid every line ending in
        // it), a fraction, doubled tabs, three-word lines, non-letters, labelled lines.
        let table = "# comment\r\n\r\nthe\t1000\r\nrain\t\t12.5\r\nmakers\t20\r\nrainmakers\t20\r\n"
            + "the rain makers\t99\r\n"
            + "r2d2\t50\nrain\t7.5\nthe rain\t15\nrain makers\t15\n"
        let model = HashtagSegmenter(text: table)
        #expect(model.count == 4)  // the, rain (12.5 + 7.5), makers, rainmakers; not `r2d2` nor the phrase
        #expect(model.segment("therainmakers"[...]) == ["the", "rain", "makers"])
        // A labelled line counts unless its label is left out.
        let labelled = table + "drops\t50\tholdout\n"
        #expect(HashtagSegmenter(text: labelled).count == 5)
        let held = HashtagSegmenter.ModelSettings(excluding: "holdout")
        #expect(HashtagSegmenter(text: labelled, settings: held).count == 4)
        // A table with nothing countable is an empty model.
        #expect(HashtagSegmenter(text: "# only a comment\nword\tmany\n\n").segment("therain"[...]) == ["therain"])
    }

    @Test func unknownWordsKeepTheirEnds() {
        // `her` is cheap, but `crutc` ends the way no known word does: the unknown run stays whole.
        var words = "the\t5000\nher\t50\nterence\t3\n"
        for w in ["teacher", "butcher", "catcher", "watcher", "pitcher", "stretcher", "archer", "richer", "fetcher",
                  "cruel", "crust", "crutch", "truce", "bench", "church", "search", "patch", "ditch", "hutch"] {
            words += "\(w)\t2\n"
        }
        #expect(HashtagSegmenter(text: words).segment("terencecrutcher"[...]) == ["terence", "crutcher"])
    }

    @Test func phraseEndsDecideBetweenSplits() {
        // `to ur` is likelier than `tour` word by word, but text seldom ends a phrase with `ur`.
        let words = "dont\t50\nto\t1000\nur\t100\ntour\t20\ndont to\t40\nto ur\t80\n"
        #expect(HashtagSegmenter(text: words).segment("donttour"[...]) == ["dont", "to", "ur"])
        let boundaries = "<s>\t1000\n</s>\t1000\n<s> dont\t10\ntour </s>\t19\n"
        let settings = HashtagSegmenter.ModelSettings(boundaryBeta: 1)
        let withEnds = HashtagSegmenter(text: words + boundaries, settings: settings)
        #expect(withEnds.segment("donttour"[...]) == ["dont", "tour"])
        // The boundary tokens are not words.
        #expect(withEnds.count == 4)
        // A phrase that does end in `ur` keeps the split.
        let urEnds = HashtagSegmenter(text: words + boundaries + "ur </s>\t90\n", settings: settings)
        #expect(urEnds.segment("donttour"[...]) == ["dont", "to", "ur"])
    }

    @Test func labelledLinesCanBeLeftOutOrWeighted() {
        // Hashtag words carry a third column (the bench's evaluation half); a model can be built without them.
        let words = "the\t100\nrain\t5\nmakers\t5\nrainmakers\t50\tdev\n"
        let whole = HashtagSegmenter(text: words)
        #expect(whole.count == 4)
        #expect(whole.segment("therainmakers"[...]) == ["the", "rainmakers"])
        let withoutDev = HashtagSegmenter(text: words, settings: .init(excluding: "dev"))
        #expect(withoutDev.count == 3)
        #expect(withoutDev.segment("therainmakers"[...]) == ["the", "rain", "makers"])
        // Another label is kept.
        #expect(HashtagSegmenter(text: words, settings: .init(excluding: "test")).count == 4)
        // The weight scales labelled counts: a hashtag word seen once loses to pairs the text writes, until weighted.
        let once = "the\t100\nrain\t5\nmakers\t5\nthe rain\t4\nrain makers\t4\nrainmakers\t1\tdev\n"
        #expect(HashtagSegmenter(text: once).segment("therainmakers"[...]) == ["the", "rain", "makers"])
        let heavy = HashtagSegmenter(text: once, settings: .init(hashtagWeight: 10_000))
        #expect(heavy.segment("therainmakers"[...]) == ["the", "rainmakers"])
        // Counts of a word on several lines add up (text line + hashtag line).
        let split = HashtagSegmenter(text: "the\t100\nrain\t5\nmakers\t5\nrainmakers\t1\nrainmakers\t49\ttest\n")
        #expect(split.count == 4)
        #expect(split.segment("therainmakers"[...]) == ["the", "rainmakers"])
    }

    @Test func modelIsLoaded() throws {
        #expect(try AnalyzerConfiguration.shared.get().hashtagWords.count > 10_000)
    }
}
