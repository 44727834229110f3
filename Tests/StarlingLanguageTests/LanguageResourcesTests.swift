// Tests of the language resources shared by indexing and querying: Xapian's stemmers, stopword lists, CJK bigrams.
import StarlingLanguage
import StarlingModel
import Testing

struct LanguageResourcesTests {
    let resources = try! LanguageResources.standard()

    @Test func everyXapianLanguageHasAStemmer() {
        for code in ["ar", "hy", "eu", "ca", "da", "nl", "en", "fi", "fr", "de", "hu", "id", "ga", "it", "lt", "ne",
                     "no", "pt", "ro", "ru", "es", "sv", "ta", "tr"] {
            #expect(resources.stemmers[code] != nil, "\(code)")
        }
        #expect(resources.stemmers["gl"] == nil)  // Snowball has no Galician
    }

    @Test(arguments: [
        ("running", "en", "Zrun"), ("corriendo", "es", "Zcorr"), ("maisons", "fr", "Zmaison"),
        ("häuser", "de", "Zhaus"), ("книги", "ru", "Zкниг"),
    ])
    func stemTermsFollowXapiansConvention(_ word: String, _ lang: String, _ term: String) {
        #expect(resources.stemTerm(word, language: lang) == term)
        #expect(term.hasPrefix(TermPrefix.stem))
    }

    @Test func stopwordsAndNumbersGetNoStem() {
        #expect(resources.isStopword("the", language: "en"))
        #expect(resources.isStopword("und", language: "de"))
        #expect(!resources.isStopword("house", language: "en"))
        #expect(resources.stemTerm("the", language: "en") == nil)
        #expect(resources.stemTerm("2016", language: "en") == nil)
        #expect(resources.stemTerm("casa", language: "gl") == nil)
        #expect(resources.stopwords.count >= 15)
    }

    @Test(arguments: [
        ("東京都", ["東京", "京都"]), ("東京", []), ("전자제품", ["전자", "자제", "제품"]), ("ありがとう", ["あり", "りが", "がと", "とう"]),
        ("hello", []),
    ])
    func cjkBigrams(_ word: String, _ expected: [String]) {
        #expect(CJKBigrams.bigrams(word) == expected)
    }

    @Test(arguments: [("en-GB", "en"), ("pt-br", "pt"), ("und", nil), ("", nil), ("iw", "he"), ("zh-cn", "zh")])
    func platformTags(_ tag: String, _ expected: String?) {
        #expect(LanguageCodes.normalizePlatformTag(tag) == expected)
    }
}
