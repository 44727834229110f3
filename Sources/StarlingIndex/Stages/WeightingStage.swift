// The weighting stage, last of all: folds BM25's length normalisation into the wdf of every weighted term the
// earlier stages added (StarlingModel/TermWeighting.swift says why), and records the weighting in a new index.
import StarlingAnalysis
import StarlingModel
import XapianKit

/// Folds each weighted term's frequency by the post's length. Must run after every stage that adds weighted terms.
public final class WeightingStage: IngestStage, @unchecked Sendable {
    /// `weighting`.
    public let name = "weighting"
    /// The weighting written.
    public let weighting: TermWeighting
    /// Whether the index's metadata was checked (writer thread only).
    private var checked = false

    public init(weighting: TermWeighting = .standard) {
        self.weighting = weighting
    }

    /// - Complexity: O(terms of the document).
    public func prepare(_ post: Post, analysis: Analysis, document: Document) {
        // Folded frequencies are never smaller, so each wdf only grows (all Xapian allows).
        document.rewriteWdfs { [weighting] wdf, count in weighting.fold(wdf, length: Int(count)) }
    }

    public func beforeWrite(id: String, document: Document, database: WritableDatabase) throws {
        guard !checked else { return }
        let stored = try database.metadata(TermWeighting.metadataKey)
        if stored.isEmpty {
            guard try database.documentCount() == 0 else { throw TermWeightingError.unfolded }
            try database.setMetadata(TermWeighting.metadataKey, weighting.metadataText)
        } else if stored != weighting.metadataText {
            throw TermWeightingError.unknown(index: stored, expected: weighting.metadataText)
        }
        checked = true
    }
}
