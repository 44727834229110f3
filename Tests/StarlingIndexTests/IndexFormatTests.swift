// What the index stores, where its size was cut: bucket keys in their recorded format (old indexes still read,
// and refused for writing with a message to rebuild), stems left out where they equal their word but still
// found by queries, a word's stemmed family counted on one term, phrase pairs, and term weights with BM25's length normalisation
// folded in.
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
            if post.id == "inflected" { #expect(terms.contains("runs") && terms.contains("run") && !terms.contains("Zrun")) }
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

    /// The terms of post `id` with their raw frequencies (the folding undone).
    private static func rawTerms(of id: String, in db: Database) throws -> [String: UInt32] {
        let docid = try #require(try db.postings(TermPrefix.id + id).first)
        return Dictionary(uniqueKeysWithValues: TermWeighting.standard.unfold(try db.termList(docid)).map { ($0.term, $0.wdf) })
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
            // Phrase pairs are folded by the same length but are not part of it (aTwoWordPhrase... below).
            let weighted = stored.filter { $0.wdf > 0 && !$0.term.hasPrefix(TermPrefix.pair) }
            // The raw counts a plain document gets, folded by the number of weighted terms.
            let analyzer = try Analyzer()
            let plain = DocumentBuilder().build(post, analysis: analyzer.analyze(post.text))
            try LanguageStage().prepare(post, analysis: analyzer.analyze(post.text), document: plain)
            let raw = Dictionary(uniqueKeysWithValues: plain.terms().filter { $0.wdf > 0 }.map { ($0.term, $0.wdf) })
            #expect(weighted.count == raw.count, "\(post.id)")
            for (term, wdf) in weighted {
                #expect(wdf == w.fold(raw[term] ?? 0, length: raw.count), "\(post.id) \(term)")
            }
            #expect(w.unfold(stored).filter { $0.wdf > 0 && !$0.term.hasPrefix(TermPrefix.pair) }.map(\.wdf)
                    == weighted.map { raw[$0.term] ?? 0 })
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

    @Test func aWordsFamilyIsOneTermWithoutExtraPositions() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("family-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let posts = [
            Post(id: "both", text: "I run and she runs and they keep running every day", lang: "en"),
            Post(id: "inflected", text: "She runs to the park every morning", lang: "en"),
            Post(id: "twice", text: "runs and runs", lang: "en"),
            Post(id: "base", text: "Time to run", lang: "en"),
            Post(id: "other", text: "We walked to the park", lang: "en"),
        ]
        try write(posts, to: dir)
        let db = try Database(path: dir.path)
        #expect(try db.metadata(StemLayout.metadataKey) == StemLayout.merged.rawValue)
        func terms(_ id: String) throws -> [String: UInt32] { try Self.rawTerms(of: id, in: db) }
        // The forms count on `run`; no `Z` terms.
        let both = try terms("both")
        #expect(both["run"] == 3 && both["runs"] == 1 && both["running"] == 1)
        #expect(try terms("inflected")["run"] == 1 && terms("twice")["run"] == 2 && terms("base")["run"] == 1)
        for post in posts { #expect(!(try terms(post.id).keys.contains { $0.hasPrefix(TermPrefix.stem) }), "\(post.id)") }

        let searcher = Searcher(database: db, analyzer: try Analyzer())
        #expect(try searcher.compile("run") == .term("run"))
        guard case .synonym = try searcher.compile("runs") else { Issue.record("runs: a synonym"); return }
        let hits = try searcher.search(SearchRequest(query: "run", limit: 10)).hits.map(\.id)
        #expect(Set(hits) == ["both", "inflected", "twice", "base"])
        #expect(hits.first == "both" || hits.first == "twice", "\(hits)")
        #expect(Set(try searcher.search(SearchRequest(query: "running", limit: 10)).hits.map(\.id)) == Set(hits))
        // Only the word as written has positions, so phrases are unchanged ("she runs" holds `run` unpositioned).
        #expect(try searcher.search(SearchRequest(query: "\"to run\"", limit: 10)).hits.map(\.id) == ["base"])
        #expect(try searcher.search(SearchRequest(query: "\"she run\"", limit: 10)).hits.isEmpty)
        #expect(Set(try searcher.search(SearchRequest(query: "\"she runs\"", limit: 10)).hits.map(\.id)) == ["inflected", "both"])
    }

    @Test func aTwoWordPhraseWithACommonWordIsOnePairTerm() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pairs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let posts = [
            Post(id: "adjacent", text: "Come and see the light of the morning", lang: "en"),
            Post(id: "apart", text: "See what the light does", lang: "en"),
            Post(id: "twice", text: "see the sea, see the sky", lang: "en"),
            Post(id: "tag", text: "Off to see #TheBeatles tonight", lang: "en"),
            Post(id: "accent", text: "Le café the best", lang: "en"),
        ]
        try write(posts, to: dir)
        let db = try Database(path: dir.path)
        let words = PhraseStage.recordedWords(try db.metadata(PhraseStage.metadataKey))
        #expect(words.contains("the"))
        func terms(_ id: String) throws -> [String: UInt32] { try Self.rawTerms(of: id, in: db) }
        let adjacent = try terms("adjacent")
        #expect(adjacent["Gsee the"] == 1 && adjacent["Gthe light"] == 1 && adjacent["Gof the"] == 1)
        #expect(adjacent["Gcome and"] == nil && adjacent["Glight of"] == nil, "no common word in these pairs")
        #expect(try terms("twice")["Gsee the"] == 2)
        // Words inside a hashtag stand at positions too, and an accent-free form beside its word.
        #expect(try terms("tag")["Gsee the"] == 1)
        #expect(try terms("accent")["Gcafe the"] == 1 && terms("accent")["Gcafé the"] == 1)

        // The phrase is the pair term, and finds exactly what the positional phrase finds.
        let searcher = Searcher(database: db, analyzer: try Analyzer())
        for phrase in ["see the", "the light", "cafe the", "what the", "the sky", "the beatles"] {
            let compiled = try searcher.compile("\"\(phrase)\"")
            #expect(compiled == .term(TermPrefix.pair + phrase), "\(phrase): \(compiled)")
            let enquire = Enquire(db)
            let parts = phrase.split(separator: " ").map { Query.term(String($0)) }
            try enquire.setQuery(.phrase(parts))
            let expected = Set(try enquire.mset(first: 0, max: 100).items.map { StoredPost.post($0.dataBytes)?.id ?? "" })
            let found = Set(try searcher.search(SearchRequest(query: "\"\(phrase)\"", limit: 100)).hits.map(\.id))
            #expect(found == expected, "\(phrase)")
        }
        #expect(Set(try searcher.search(SearchRequest(query: "\"see the\"", limit: 10)).hits.map(\.id))
                == ["adjacent", "twice", "tag"])
        // Longer phrases and phrases without a common word stay positional.
        guard case .phrase = try searcher.compile("\"see the light\"") else { Issue.record("3 words"); return }
        guard case .phrase = try searcher.compile("\"light of\"") else { Issue.record("no common word"); return }
        #expect(Set(try searcher.search(SearchRequest(query: "\"see the light\"", limit: 10)).hits.map(\.id)) == ["adjacent"])

        // Another list cannot be mixed into the index.
        let other = try WritableDatabase(path: dir.path, mode: .createOrOpen)
        let stage = PhraseStage(commonWords: ["the", "you"])
        let post = Post(id: "more", text: "thank you")
        let doc = DocumentBuilder().build(post, analysis: try Analyzer().analyze(post.text))
        #expect(throws: PhrasePairError.self) { try stage.beforeWrite(id: post.id, document: doc, database: other) }
        try other.close()
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
