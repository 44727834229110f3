// The language stage: detects each post's language on the worker thread (text, platform tag, author history),
// writes it as the `L` term and the language value slot, and adds language-aware terms: Snowball stems (`Z` +
// stem, Xapian's convention) beside the unstemmed words where they differ from them and the post does not hold the
// stem as a word (then that word counts them: StemLayout.disjoint), and character bigrams of CJK words so that
// words are found whatever the dictionary segmenter did.
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
        var stems: [String: UInt32] = [:]
        for t in analysis.tokens where t.kind == .word {
            // A stem equal to its word adds nothing the word's own term does not say (about half of all stems:
            // 30 bytes a post): it is left out, and queries match a stem as `Z` + stem or as the bare word.
            if stemmer != nil, let z = resources.stemTerm(t.normalized, language: code),
               !Self.isWordItself(z, t.normalized) {
                stems[z, default: 0] += 1
            }
            for b in CJKBigrams.bigrams(t.normalized) { document.addTerm(DocumentBuilder.clip(b)) }
        }
        for (z, count) in stems {
            // Disjoint stems: where the post also holds the stem as a word of its own (`likes` beside `like`), the
            // other forms count towards that word's term and `Zlike` is left out. So every post is in at most one
            // of `like` and `Zlike`, a word's family is found by an OR of the two (which Xapian can prune) rather
            // than a synonym (which it must merge in full), and the word's wdf is its family's frequency, as
            // the synonym's was.
            // (The word may come from the text or from inside a hashtag.)
            let base = DocumentBuilder.clip(String(z.utf8.dropFirst(TermPrefix.stem.utf8.count))!)
            if document.hasTerm(base) {
                document.addTerm(base, wdf: count)
            } else {
                document.addTerm(DocumentBuilder.clip(z), wdf: count)
            }
        }
    }

    /// Writes ``StemLayout/metadataKey`` into a new index: its posts are all written with disjoint stems.
    public func beforeWrite(id: String, document: Document, database: WritableDatabase) throws {
        guard !marked.value else { return }
        if try database.metadata(StemLayout.metadataKey).isEmpty, try database.documentCount() == 0 {
            try database.setMetadata(StemLayout.metadataKey, StemLayout.disjoint.rawValue)
        }
        marked.value = true
    }

    /// Whether the stem term `z` (`Z` + stem) is just `word` with the prefix.
    @inline(__always)
    static func isWordItself(_ z: String, _ word: String) -> Bool {
        z.utf8.count == word.utf8.count + TermPrefix.stem.utf8.count && z.utf8.dropFirst(TermPrefix.stem.utf8.count).elementsEqual(word.utf8)
    }
}

/// A flag only the writer thread touches.
private final class WriterFlag: @unchecked Sendable {
    var value = false
}
