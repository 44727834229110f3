// What the index stores, where its size was cut: bucket keys in their recorded format (old indexes still read,
// and refused for writing with a message to rebuild), and stems left out where they equal their word but still
// found by queries.
import Foundation
import StarlingAnalysis
import StarlingDuplicates
import StarlingIndex
import StarlingModel
import Testing
import XapianKit

struct IndexFormatTests {
    /// Settings as indexes stored them before bucket keys had a format field.
    static let legacy = "shingles=word3 permutations=128 bands=10 rows=3 threshold=0.7"

    @Test func bucketKeysFollowTheRecordedFormat() throws {
        let old = try #require(DuplicateParameters(metadataText: Self.legacy))
        #expect(old.bucketKeys == .hex48)
        #expect(old.bucketTerm(0x0123_4567_89AB_CDEF) == "XNB0123456789ab")
        let std = DuplicateParameters.standard
        #expect(std.bucketKeys == .base32)
        #expect(std.metadataText.hasSuffix(" keys=b32"))
        #expect(DuplicateParameters(metadataText: std.metadataText) == std)
        // The top 30 bits, 5 at a time: 00000 00100 10001 10100 01010 11001 = 0 4 h k a p.
        #expect(std.bucketTerm(0x0123_4567_89AB_CDEF) == "XNB04hkap")
        #expect(DuplicateParameters(metadataText: Self.legacy + " keys=zz") == nil)
    }

    @Test func anIndexWithOldBucketKeysIsReadButNotWrittenTo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("format-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try WritableDatabase(path: dir.path, mode: .createOrOverwrite)
        try db.setMetadata(DuplicateClusterWriter.parametersKey, Self.legacy)
        let old = Document()
        old.addBooleanTerm(TermPrefix.id + "0")
        _ = try db.replaceDocument(uniqueTerm: TermPrefix.id + "0", old)
        try db.commit()
        #expect(try DuplicateSearcher(database: db).parameters.bucketKeys == .hex48)

        let analyzer = try Analyzer()
        let stage = DuplicateStage()
        let post = Post(id: "1", text: "one two three four five six")
        let analysis = analyzer.analyze(post.text)
        let doc = DocumentBuilder().build(post, analysis: analysis)
        stage.prepare(post, analysis: analysis, document: doc)
        do {
            try stage.beforeWrite(id: post.id, document: doc, database: db)
            Issue.record("writing into an index with other bucket keys must fail")
        } catch let e as DuplicateIndexError {
            #expect(e.description.contains("rebuild"))
        }
        try db.close()
    }

    @Test func stemsEqualToTheirWordAreLeftOutAndStillFound() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stems-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try WritableDatabase(path: dir.path, mode: .createOrOverwrite)
        let analyzer = try Analyzer()
        let stage = try LanguageStage()
        let posts = [
            Post(id: "exact", text: "I will run to the park every morning this week", lang: "en"),
            Post(id: "inflected", text: "She runs to the park every morning this week", lang: "en"),
            Post(id: "other", text: "We walked to the park every morning this week", lang: "en"),
        ]
        for post in posts {
            let analysis = analyzer.analyze(post.text)
            let doc = DocumentBuilder().build(post, analysis: analysis)
            stage.prepare(post, analysis: analysis, document: doc)
            let terms = Set(doc.terms().map(\.term))
            if post.id == "exact" {
                #expect(terms.contains("run") && !terms.contains("Zrun"))
                #expect(terms.contains("park") && !terms.contains("Zpark"))
            }
            if post.id == "inflected" { #expect(terms.contains("runs") && terms.contains("Zrun")) }
            _ = try db.replaceDocument(uniqueTerm: TermPrefix.id + post.id, doc)
        }
        try db.commit()
        try db.close()
        let searcher = try Searcher(path: dir.path)
        func ids(_ q: String) throws -> Set<String> {
            Set(try searcher.search(SearchRequest(query: q, limit: 10)).hits.map(\.id))
        }
        #expect(try ids("running") == ["exact", "inflected"])
        #expect(try ids("run lang:en") == ["exact", "inflected"])
        #expect(try ids("runs") == ["exact", "inflected"])
        #expect(try ids("\"will run\"") == ["exact"])
    }
}
