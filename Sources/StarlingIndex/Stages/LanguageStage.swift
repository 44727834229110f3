// The language stage: detects each post's language on the worker thread (text, platform tag, author history),
// writes it as the `L` term and the language value slot, and adds language-aware terms: Snowball stems, and
// character bigrams of CJK words so that words are found whatever the dictionary segmenter did.
//
// A word whose stem differs from it (`runs`, `running`) adds to the term of the word the stem spells (`run`), with
// no position: `run` then holds the family's count, as one posting list, and a search for `run` reads that one
// list (a synonym of `run` and `Zrun`, the older layout, merges two lists in full: 2-3 times slower over a million
// posts). Phrases are unchanged, since only the word as written has positions. Stems of stopwords are not added.
import StarlingAnalysis
import StarlingLanguage
import StarlingModel
import XapianKit

/// Detects languages and adds stemmed and bigram terms. One per ingest run (it keeps the authors' tallies).
public struct LanguageStage: IngestStage {
    public var name: String { "language" }
    /// Detector, stemmers and stopwords.
    public let resources: LanguageResources
    /// Per-author language tallies of this run.
    public let history: AuthorLanguageHistory
    /// Whether the index's stem layout was checked (writer thread only).
    private let marked = WriterFlag()

    /// A stage with the standard resources (analyzers/langid, analyzers/stopwords, Xapian's stemmers).
    public init() throws {
        try self.init(resources: LanguageResources.standard())
    }

    /// A stage over explicit resources.
    public init(resources: LanguageResources, history: AuthorLanguageHistory = AuthorLanguageHistory()) {
        self.resources = resources
        self.history = history
    }

    /// - Complexity: O(tokens), plus one detection (O(n) in the text).
    public func prepare(_ post: Post, analysis: Analysis, document: Document) {
        let guess = resources.detector.detect(analysis, platformTag: post.lang, author: post.author, history: history)
        let code = guess.code
        document.addBooleanTerm(TermPrefix.language + code)
        document.setValue(ValueSlot.language, code)
        let stemmer = resources.stemmers[code]
        // Stems that differ from their word, by the word they spell, with their counts.
        var stems: [Substring: UInt32] = [:]
        for t in analysis.tokens where t.kind == .word {
            // A stem equal to its word (about half of all stems) is counted by the word's own term already.
            if stemmer != nil, let z = resources.stemTerm(t.normalized, language: code) {
                let stem = z.dropFirst(TermPrefix.stem.count)
                if stem != t.normalized { stems[stem, default: 0] += 1 }
            }
            for b in CJKBigrams.bigrams(t.normalized) { document.addTerm(DocumentBuilder.clip(b)) }
        }
        // The family counts on the term of the word the stem spells, without positions (LanguageStage's header).
        for (stem, count) in stems { document.addTerm(DocumentBuilder.clip(String(stem)), wdf: count) }
    }

    /// Writes ``StemLayout/metadataKey`` into a new index: its posts are all written with merged stems.
    public func beforeWrite(id: String, document: Document, database: WritableDatabase) throws {
        guard !marked.value else { return }
        if try database.metadata(StemLayout.metadataKey).isEmpty, try database.documentCount() == 0 {
            try database.setMetadata(StemLayout.metadataKey, StemLayout.merged.rawValue)
        }
        marked.value = true
    }
}

/// A flag only the writer thread touches.
private final class WriterFlag: @unchecked Sendable {
    var value = false
}
