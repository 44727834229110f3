// How an index stores its term weights. Xapian's BM25 divides each term's frequency by the post's length relative
// to the average, which means a document-length lookup for every posting it reads: about 100 ns each in a glass
// database, most of the time of a one-word query over a million posts. Starling does that division once, when the
// post is indexed: every weighted term's wdf holds its frequency already normalised (scaled and rounded to an
// integer), and searches use BM25 with b = 0, which reads no lengths. Ranking stays BM25's (k1 1, b 0.5) up to the
// rounding, against a fixed average length rather than the live one, so every shard and every later post is
// weighed alike.
//
// The length is the number of distinct weighted terms (wdf > 0) in the post, which any reader of a term list can
// count; so the raw frequency can be recovered exactly (`unfold`) by code that wants it, such as similarity.

/// The folded-BM25 term weighting of an index, recorded in its metadata.
public struct TermWeighting: Sendable, Equatable {
    /// The metadata key holding ``metadataText``. Indexes without it store raw frequencies (older indexes).
    public static let metadataKey = "weighting"
    /// The weighting new indexes use.
    public static let standard = TermWeighting()

    /// BM25's term-frequency saturation.
    public let k1 = 1.0
    /// BM25's length normalisation strength.
    public let b = 0.5
    /// The average post length (distinct weighted terms) the normalisation is relative to: the mean over the shared
    /// corpora (21.7) rounded.
    public let averageLength = 22.0
    /// Lengths are clamped to [minRatio, maxRatio] × the average (BM25's min_normlen, and a cap for very long posts).
    public let minRatio = 0.5
    public let maxRatio = 16.0
    /// Normalised frequencies are multiplied by this before rounding.
    public let scale = 64.0

    public init() {}

    /// The value stored under ``metadataKey``.
    public var metadataText: String {
        "bm25-folded k1=\(k1) b=\(b) avglen=\(averageLength) min=\(minRatio) max=\(maxRatio) scale=\(scale)"
    }

    /// The weighting an index's metadata names; nil for an index that stores raw frequencies. Throws on a folded
    /// weighting with other settings, which this build cannot read correctly.
    public static func named(_ metadata: String) throws(TermWeightingError) -> TermWeighting? {
        if metadata.isEmpty { return nil }
        guard metadata == standard.metadataText else {
            throw .unknown(index: metadata, expected: standard.metadataText)
        }
        return standard
    }

    /// BM25's length divisor for a post of `length` distinct weighted terms.
    @inline(__always)
    public func divisor(length: Int) -> Double {
        let ratio = min(max(Double(length) / averageLength, minRatio), maxRatio)
        return 1 - b + b * ratio
    }

    /// The wdf to store for a raw frequency `tf` in a post of `length` distinct weighted terms (at least 1).
    @inline(__always)
    public func fold(_ tf: UInt32, length: Int) -> UInt32 {
        guard tf > 0 else { return 0 }
        return UInt32(max(1, (scale * Double(tf) / divisor(length: length)).rounded()))
    }

    /// The raw frequency behind a stored wdf (exact: the rounding error is below half a unit for every length).
    @inline(__always)
    public func unfold(_ wdf: UInt32, length: Int) -> UInt32 {
        guard wdf > 0 else { return 0 }
        return UInt32(max(1, (Double(wdf) * divisor(length: length) / scale).rounded()))
    }

    /// A term list (as read from the index) with raw frequencies instead of stored wdfs.
    public func unfold(_ list: [(term: String, wdf: UInt32)]) -> [(term: String, wdf: UInt32)] {
        var list = list
        unfold(&list)
        return list
    }

    /// Replaces a term list's stored wdfs by the raw frequencies, in place (no copy of a uniquely held list).
    /// Phrase pairs (``TermPrefix/pair``) are folded by the same length but do not count towards it.
    public func unfold(_ list: inout [(term: String, wdf: UInt32)]) {
        var length = 0
        for (term, wdf) in list where wdf > 0 && !term.hasPrefix(TermPrefix.pair) { length += 1 }
        for i in list.indices where list[i].wdf > 0 { list[i].wdf = unfold(list[i].wdf, length: length) }
    }

    /// The BM25 k1 to search a folded index with (b = 0): the scale carried over, so that saturation matches.
    public var searchK1: Double { k1 * scale }
}

/// A weighting this build does not know.
public enum TermWeightingError: Error, CustomStringConvertible, Sendable {
    /// The index names a folded weighting with other settings.
    case unknown(index: String, expected: String)
    /// The index holds posts with raw frequencies (written before weights were folded); new posts would not match.
    case unfolded

    public var description: String {
        switch self {
        case .unknown(let index, let expected):
            return "the index stores term weights as '\(index)', this build reads '\(expected)'; rebuild it with `starling rebuild` (it indexes the stored posts again)"
        case .unfolded:
            return "the index was written by an older Starling (raw term frequencies); it can be searched, but "
                + "adding posts needs a rebuild"
        }
    }
}
