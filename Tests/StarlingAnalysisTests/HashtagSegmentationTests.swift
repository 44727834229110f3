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

    @Test func unknownWordsKeepTheirEnds() {
        // `her` is cheap, but `crutc` ends the way no known word does: the unknown run stays whole.
        var words = "the\t5000\nher\t50\nterence\t3\n"
        for w in ["teacher", "butcher", "catcher", "watcher", "pitcher", "stretcher", "archer", "richer", "fetcher",
                  "cruel", "crust", "crutch", "truce", "bench", "church", "search", "patch", "ditch", "hutch"] {
            words += "\(w)\t2\n"
        }
        #expect(HashtagSegmenter(text: words).segment("terencecrutcher"[...]) == ["terence", "crutcher"])
    }

    @Test func modelIsLoaded() throws {
        #expect(try AnalyzerConfiguration.shared.get().hashtagWords.count > 10_000)
    }
}
