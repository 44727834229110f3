// The phrase stage, after the weighting stage: adds a pair term (`G` + "see the") for every two adjacent words of
// which one is very common, so a two-word phrase with such a word is answered from one posting list instead of an
// AND that walks the common word's postings (a quarter to a third of all posts). Lucene calls these common grams.
// The common words are a file in analyzers/phrases; a new index records the list it was written with, and
// queries use pairs only for that list.
import Foundation
import StarlingAnalysis
import StarlingModel
import XapianKit

/// Errors about an index's pair terms.
public struct PhrasePairError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Adds the pair terms of a post's common words.
public final class PhraseStage: IngestStage, @unchecked Sendable {
    public let name = "phrases"
    /// The metadata key holding the common words (space-separated) an index's pair terms were written for.
    public static let metadataKey = "phrase.pairs"
    /// The common words.
    public let commonWords: [String]
    /// The weighting the pairs' wdfs are folded with (the same as every other term's).
    public let weighting: TermWeighting
    private let joined: String
    /// Whether the index's recorded list was checked (writer thread only).
    private var checked = false

    public init(commonWords: [String], weighting: TermWeighting = .standard) {
        self.commonWords = commonWords
        self.weighting = weighting
        joined = commonWords.joined(separator: "\n")
    }

    /// The stage with the words of analyzers/phrases/common-words.txt.
    public static func standard(analyzers: URL? = AnalyzerConfiguration.locateAnalyzersFolder()) throws -> PhraseStage {
        guard let analyzers else { return PhraseStage(commonWords: []) }
        return PhraseStage(commonWords: try commonWords(in: analyzers.appendingPathComponent("phrases/common-words.txt")))
    }

    /// The words of a common-words file (a list file: one a line, `#` comments), case-folded; none if it is absent.
    public static func commonWords(in file: URL) throws -> [String] {
        guard FileManager.default.fileExists(atPath: file.path) else { return [] }
        var words: [String] = []
        for w in try AnalyzerConfiguration.readList(file).map(Normalizer.fold) where !w.isEmpty && !w.contains(" ") {
            if !words.contains(w) { words.append(w) }
        }
        return words
    }

    /// The common words an index's metadata records (empty: the index has no usable pair terms).
    public static func recordedWords(_ metadata: String) -> Set<String> {
        Set(metadata.split(separator: " ").map(String.init))
    }

    /// - Complexity: O(p log p) for p positions in the post.
    public func prepare(_ post: Post, analysis: Analysis, document: Document) {
        guard !commonWords.isEmpty else { return }
        // Folded like every other weighted term, by the length the weighting stage used (pairs are not counted).
        let factor = weighting.scale / weighting.divisor(length: document.weightedTermCount())
        document.addAdjacentPairs(prefix: TermPrefix.pair, common: joined, factor: factor,
                                  maxTermBytes: DocumentBuilder.maxTermBytes)
    }

    /// Records the list in a new index; refuses to add pairs of another list to an index that has one. An
    /// older index without a list gets its new posts' pairs but queries keep using phrases there.
    public func beforeWrite(id: String, document: Document, database: WritableDatabase) throws {
        guard !checked, !commonWords.isEmpty else { return }
        let mine = commonWords.joined(separator: " ")
        let stored = try database.metadata(Self.metadataKey)
        if stored.isEmpty {
            if try database.documentCount() == 0 { try database.setMetadata(Self.metadataKey, mine) }
        } else if Self.recordedWords(stored) != Set(commonWords) {
            throw PhrasePairError(description: "the index's phrase pairs were written for the common words "
                + "\"\(stored)\", analyzers/phrases/common-words.txt now lists \"\(mine)\": restore the file or "
                + "rebuild the index (starling rebuild)")
        }
        checked = true
    }
}
