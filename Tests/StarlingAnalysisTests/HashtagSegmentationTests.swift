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

    @Test func modelIsLoaded() throws {
        #expect(try AnalyzerConfiguration.shared.get().hashtagWords.count > 10_000)
    }
}
