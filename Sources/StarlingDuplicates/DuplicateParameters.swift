// The near-duplicate settings: shingles, permutations, bands and the Jaccard threshold, with the defaults that
// tools/dup-eval measured (see tools/dup-eval/README.md for the sweep behind them).

/// Near-duplicate detection settings. The index stores shingle sets and bucket terms made with these, so an
/// index must be queried with the settings it was built with (`DuplicateParameters.standard`).
public struct DuplicateParameters: Sendable, Equatable {
    /// The shingle definition.
    public var shingles: ShingleKind
    /// MinHash permutations.
    public var permutations: Int
    /// LSH banding (bands × rows must not exceed `permutations`).
    public var lsh: LSHBands
    /// Posts at or above this exact Jaccard are near-duplicates.
    public var threshold: Double

    /// Settings from their parts.
    public init(shingles: ShingleKind, permutations: Int, lsh: LSHBands, threshold: Double) {
        precondition(lsh.bands * lsh.rows <= permutations, "bands × rows exceeds the permutations")
        precondition(threshold > 0 && threshold <= 1, "the threshold is a Jaccard similarity in (0, 1]")
        self.shingles = shingles
        self.permutations = permutations
        self.lsh = lsh
        self.threshold = threshold
    }

    /// The measured defaults: word 3-shingles, 64 permutations in 16 bands of 4 rows, threshold 0.7.
    /// At J = 0.7 two posts share a bucket with probability 0.988; candidates are then verified with the exact
    /// Jaccard of the stored shingle sets, so precision does not depend on the estimate.
    public static let standard = DuplicateParameters(shingles: .words(3), permutations: 64,
                                                     lsh: LSHBands(bands: 16, rows: 4), threshold: 0.7)

    /// The standard settings with another threshold. The buckets do not depend on it, so an index built with
    /// one threshold answers queries at another (recall falls below about 0.6, where buckets rarely match).
    public func with(threshold: Double) -> DuplicateParameters {
        DuplicateParameters(shingles: shingles, permutations: permutations, lsh: lsh, threshold: threshold)
    }

    /// The hasher for these settings.
    public var hasher: MinHasher { MinHasher(permutations: permutations) }
    /// The shingler for these settings.
    public var shingler: Shingler { Shingler(kind: shingles) }
}
