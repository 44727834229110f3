// Language-aware indexing end to end on a real Xapian index on disk: LanguageStage writes `L`, stems and CJK
// bigrams; the query compiler matches stems under lang:xx or the query's plausible language, and CJK words
// whatever the segmenter did. (Needs StarlingIndex and XapianKit: see the note in the report about the target.)
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingLanguage
import StarlingModel
import Testing
import XapianKit

struct LanguageIndexingTests {
    static let posts: [(String, String)] = [
        ("en", "The runners were running through the park this morning"),
        ("es", "Los corredores estaban corriendo por el parque esta mañana"),
        ("ja", "東京都の天気は晴れです"),
        ("zh", "我们今天去北京大学参观"),
        ("th", "วันนี้อากาศดีมากที่กรุงเทพ"),
        ("ar", "الطقس جميل اليوم في القاهرة"),
        ("hi", "aaj mausam bahut accha hai yaar, chalo bahar ghoomne chalte hain"),
        ("ko", "서울에서 친구를 만났어요"),
        ("de", "Die Häuser in der Altstadt sind wunderschön"),
    ]

    /// Indexes the posts (id = their language) into a fresh on-disk index and opens a searcher on it.
    func makeIndex() throws -> (Searcher, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-lang-\(UUID().uuidString)")
        let db = try WritableDatabase(path: dir.path, mode: .createOrOverwrite)
        let analyzer = try Analyzer()
        let stage = try LanguageStage()
        for (id, text) in Self.posts {
            let post = Post(id: id, text: text, author: "someone")
            let analysis = analyzer.analyze(text)
            let doc = DocumentBuilder().build(post, analysis: analysis)
            stage.prepare(post, analysis: analysis, document: doc)
            _ = try db.replaceDocument(uniqueTerm: TermPrefix.id + id, doc)
        }
        try db.commit()
        try db.close()
        return (try Searcher(path: dir.path), dir)
    }

    func ids(_ s: Searcher, _ q: String) throws -> Set<String> {
        Set(try s.search(SearchRequest(query: q, limit: 20)).hits.map(\.id))
    }

    @Test func eachPostGetsItsLanguageTerm() throws {
        let (s, dir) = try makeIndex()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (lang, _) in Self.posts {
            #expect(try ids(s, "lang:\(lang)") == [lang], "lang:\(lang)")
        }
    }

    @Test(arguments: [
        ("run lang:en", ["en"]),              // stem of "running" under the English stemmer
        ("runner", ["en"]),                   // no lang: the query's plausible language (English) stems it
        ("running", ["en"]),                  // the exact word
        ("correr lang:es", ["es"]),           // Spanish stem: corriendo, correr -> corr
        ("haus lang:de", ["de"]),             // Häuser -> haus
        ("\"the runners\"", ["en"]),          // phrases stay exact
        ("the park", ["en"]),                 // "the" only adds weight
        ("東京", ["ja"]), ("天気", ["ja"]),      // Japanese words, whatever the segmenter made of 東京都
        ("北京", ["zh"]), ("大学", ["zh"]),
        ("서울", ["ko"]),                      // hangul bigrams: 서울에서 holds 서울
        ("อากาศ", ["th"]),                     // Thai: ICU's dictionary segmentation
        ("القاهرة", ["ar"]),
        ("mausam", ["hi"]),
    ])
    func wordsAreFoundAcrossLanguages(_ query: String, _ expected: [String]) throws {
        let (s, dir) = try makeIndex()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try ids(s, query) == Set(expected), "\(query)")
    }

    @Test func stemsAreNotAddedForStopwords() throws {
        let analyzer = try Analyzer()
        let post = Post(id: "1", text: "The runners were running")
        let analysis = analyzer.analyze(post.text)
        let doc = DocumentBuilder().build(post, analysis: analysis)
        try LanguageStage().prepare(post, analysis: analysis, document: doc)
        let terms = Set(doc.terms().map(\.term))
        // Stems count on the words they spell (`runners` -> `runner`, `running` -> `run`); none for stopwords.
        let wdf = Dictionary(uniqueKeysWithValues: doc.terms().map { ($0.term, $0.wdf) })
        #expect(wdf["runner"] == 1 && wdf["run"] == 1 && terms.contains("Len"))
        #expect(!terms.contains { $0.hasPrefix(TermPrefix.stem) })
        #expect(wdf["the"] == 1 && wdf["were"] == 1)
        #expect(terms.contains("the"))  // the unstemmed word stays for exact matches and phrases
        #expect(doc.stringValue(ValueSlot.language) == "en")
    }
}
