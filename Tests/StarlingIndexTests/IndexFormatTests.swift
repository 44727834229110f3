// What the index stores, where its size was cut: bucket keys in their recorded format (old indexes still read,
// and refused for writing with a message to rebuild), stems left out where they equal their word but still
// found by queries, and term weights with BM25's length normalisation folded in.
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
        #expect(std.metadataText.hasSuffix(" keys=b32 buckets=file"))
        #expect(DuplicateParameters(metadataText: Self.legacy)?.buckets == .terms)
        #expect(DuplicateParameters(metadataText: Self.legacy + " keys=b32 buckets=disk") == nil)
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

    @Test func foldedFrequenciesComeBackExactly() throws {
        let w = TermWeighting.standard
        for length in 0...2_000 {
            for tf in UInt32(1)...60 {
                let folded = w.fold(tf, length: length)
                #expect(folded >= tf, "a wdf can only grow: tf \(tf) length \(length)")
                #expect(w.unfold(folded, length: length) == tf, "tf \(tf) length \(length)")
            }
            // Longer posts weigh a word less, down to the cap.
            if length > 0 { #expect(w.fold(1, length: length) <= w.fold(1, length: length - 1)) }
        }
        #expect(w.fold(0, length: 10) == 0 && w.unfold(0, length: 10) == 0)
        #expect(w.fold(1, length: Int(w.averageLength)) == UInt32(w.scale))
        #expect(try TermWeighting.named("") == nil)
        #expect(try TermWeighting.named(w.metadataText) == w)
        #expect(throws: TermWeightingError.self) { try TermWeighting.named("bm25-folded k1=1.0 b=0.75") }
    }

    /// Posts written through the standard stages into a new index at `dir`.
    private func write(_ posts: [Post], to dir: URL, mode: DatabaseOpenMode = .createOrOverwrite) throws {
        let db = try WritableDatabase(path: dir.path, mode: mode)
        let analyzer = try Analyzer()
        let stages = try StandardStages.make(configuration: analyzer.configuration)
        for post in posts {
            let analysis = analyzer.analyze(post.text)
            let doc = DocumentBuilder().build(post, analysis: analysis)
            for stage in stages { stage.prepare(post, analysis: analysis, document: doc) }
            for stage in stages { try stage.beforeWrite(id: post.id, document: doc, database: db) }
            _ = try db.replaceDocument(uniqueTerm: TermPrefix.id + post.id, doc)
        }
        try db.commit()
        try db.close()
    }

    @Test func lengthNormalisationIsFoldedIntoTheWdf() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("weights-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let posts = [
            Post(id: "short", text: "Sourdough bread today", lang: "en"),
            Post(id: "long", text: "After a long week of meetings, travel and far too little sleep I finally baked "
                 + "some bread with the kids on Sunday afternoon while it rained outside", lang: "en"),
            Post(id: "twice", text: "bread bread and more sourdough", lang: "en"),
            Post(id: "tag", text: "Morning loaf #bread", lang: "en"),
        ]
        try write(posts, to: dir)
        let db = try Database(path: dir.path)
        #expect(try db.metadata(TermWeighting.metadataKey) == TermWeighting.standard.metadataText)
        let w = TermWeighting.standard
        for post in posts {
            let docid = try #require(try db.postings(TermPrefix.id + post.id).first)
            let stored = try db.termList(docid)
            let weighted = stored.filter { $0.wdf > 0 }
            // The raw counts a plain document gets, folded by the number of weighted terms.
            let analyzer = try Analyzer()
            let plain = DocumentBuilder().build(post, analysis: analyzer.analyze(post.text))
            try LanguageStage().prepare(post, analysis: analyzer.analyze(post.text), document: plain)
            let raw = Dictionary(uniqueKeysWithValues: plain.terms().filter { $0.wdf > 0 }.map { ($0.term, $0.wdf) })
            #expect(weighted.count == raw.count, "\(post.id)")
            for (term, wdf) in weighted {
                #expect(wdf == w.fold(raw[term] ?? 0, length: raw.count), "\(post.id) \(term)")
            }
            #expect(w.unfold(stored).filter { $0.wdf > 0 }.map(\.wdf) == weighted.map { raw[$0.term] ?? 0 })
        }
        // BM25 without length look-ups still prefers the short post and the repeated word.
        let searcher = try Searcher(path: dir.path)
        let hits = try searcher.search(SearchRequest(query: "bread", limit: 10)).hits
        #expect(Set(hits.map(\.id)) == ["short", "long", "twice", "tag"])
        #expect(hits.first?.id == "twice")
        #expect(hits.last?.id == "long")
        let short = try #require(hits.firstIndex { $0.id == "short" })
        let long = try #require(hits.firstIndex { $0.id == "long" })
        #expect(short < long)
    }

    @Test func anIndexWithRawFrequenciesIsSearchedButNotWrittenTo() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("raw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        // An index as Starling wrote it before the folding: raw wdfs, no `weighting` metadata.
        let db = try WritableDatabase(path: dir.path, mode: .createOrOverwrite)
        for (id, text) in [("a", "bread"), ("b", "bread and butter on a plate with jam and tea")] {
            let doc = Document()
            doc.addBooleanTerm(TermPrefix.id + id)
            doc.data = Post(id: id, text: text).nativeJSONText
            for (k, word) in text.split(separator: " ").enumerated() { doc.addPosting(String(word), position: UInt32(k + 1)) }
            _ = try db.replaceDocument(uniqueTerm: TermPrefix.id + id, doc)
        }
        try db.commit()
        try db.close()
        let hits = try Searcher(path: dir.path).search(SearchRequest(query: "bread", limit: 10)).hits
        #expect(hits.map(\.id) == ["a", "b"])
        do {
            try write([Post(id: "c", text: "fresh bread")], to: dir, mode: .createOrOpen)
            Issue.record("adding to an index with raw frequencies must fail")
        } catch let e as TermWeightingError {
            #expect(e.description.contains("rebuild"))
        }
    }
}
