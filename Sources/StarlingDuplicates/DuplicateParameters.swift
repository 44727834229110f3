// The near-duplicate settings: shingles, permutations, bands and the Jaccard threshold, with the defaults that
// tools/dup-eval measured (see tools/dup-eval/README.md for the sweep behind them).

/// Near-duplicate detection settings. The index stores shingle sets and bucket terms made with these, so an
/// index must be queried with the settings it was built with (`DuplicateParameters.standard`).
public struct DuplicateParameters: Sendable, Equatable {
    /// The shingle definition.
    public var shingles: ShingleKind
    /// Signature length for the estimated Jaccard reported with results. LSH uses only the first
    /// `bands × rows` permutations (the seeded permutations of a shorter hasher are a prefix of a longer one's),
    /// so ingest computes just those.
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

    /// The measured defaults (tools/dup-eval/README.md): word 3-shingles, LSH on 10 bands of 3 rows, threshold
    /// 0.7, 128 permutations for the reported estimate. At J = 0.7 two posts share a bucket with probability
    /// 0.985; on the shared corpora 10x3 missed 1 of 24,414 pairs (exact copies are found by their exact-copy
    /// term, so only true near-duplicates depend on the buckets) with 0.66 candidates verified per post, against
    /// 16x4's 16 bucket terms a post. Candidates are verified with the exact Jaccard of the stored shingle sets,
    /// so precision does not depend on the estimate.
    public static let standard = DuplicateParameters(shingles: .words(3), permutations: 128,
                                                     lsh: LSHBands(bands: 10, rows: 3), threshold: 0.7)

    /// The standard settings with another threshold. The buckets do not depend on it, so an index built with
    /// one threshold answers queries at another (recall falls below about 0.6, where buckets rarely match).
    public func with(threshold: Double) -> DuplicateParameters {
        DuplicateParameters(shingles: shingles, permutations: permutations, lsh: lsh, threshold: threshold)
    }

    /// The hasher for estimates (`permutations` long).
    public var hasher: MinHasher { MinHasher(permutations: permutations) }
    /// The hasher for LSH bucket keys (`bands × rows` long, a prefix of `hasher`'s signature).
    public var lshHasher: MinHasher { MinHasher(permutations: lsh.bands * lsh.rows) }
    /// The shingler for these settings.
    public var shingler: Shingler { Shingler(kind: shingles) }
}

extension DuplicateParameters {
    /// The settings as one line, stored in the index's metadata so queries use what the index was built with:
    /// `shingles=word3 permutations=64 bands=16 rows=4 threshold=0.7`.
    public var metadataText: String {
        "shingles=\(shingles) permutations=\(permutations) bands=\(lsh.bands) rows=\(lsh.rows) threshold=\(threshold)"
    }

    /// Parses ``metadataText``; nil when a field is missing or invalid.
    public init?(metadataText text: String) {
        var fields: [String: String] = [:]
        for part in text.split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        guard let s = fields["shingles"].flatMap(ShingleKind.init), let k = fields["permutations"].flatMap(Int.init),
              let b = fields["bands"].flatMap(Int.init), let r = fields["rows"].flatMap(Int.init),
              let t = fields["threshold"].flatMap(Double.init),
              k > 0, b > 0, r > 0, b * r <= k, t > 0, t <= 1
        else { return nil }
        self.init(shingles: s, permutations: k, lsh: LSHBands(bands: b, rows: r), threshold: t)
    }
}
