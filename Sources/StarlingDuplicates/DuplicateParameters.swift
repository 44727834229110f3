// The near-duplicate settings: shingles, permutations, bands, the Jaccard threshold and how bucket keys are
// written as terms, with the defaults that tools/dup-eval measured (see tools/dup-eval/README.md for the sweep).
import StarlingModel

/// How an LSH bucket key is written after the `XNB` prefix. Bucket terms are nearly unique (one post each), so
/// their length is paid in every posting-list key and term-list entry: about 38 bytes a term in a compacted index.
public enum BucketKeyFormat: String, Sendable, Equatable {
    /// 48 bits as 12 lower-case hex digits: indexes made before the format was recorded (no `keys=` in their
    /// settings), still readable.
    case hex48 = "hex48"
    /// 30 bits as 6 lower-case base-32 digits (`0-9a-v`). Random collisions are harmless (every candidate is
    /// verified by exact Jaccard) and rare: a lookup meets an unrelated post in one band with probability
    /// posts / 2^30, 0.1% at a million posts, so about one post in 170 costs one extra verification.
    case base32 = "b32"

    /// The key part of the term for a 64-bit band key.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public func text(_ key: UInt64) -> String {
        switch self {
        case .hex48: return Self.digits(key >> 16, count: 12, bits: 4)
        case .base32: return Self.digits(key >> 34, count: 6, bits: 5)
        }
    }

    private static let alphabet: [UInt8] = Array("0123456789abcdefghijklmnopqrstuv".utf8)

    /// `count` digits of `bits` bits each, most significant first, with leading zeros.
    @inline(__always)
    static func digits(_ v: UInt64, count: Int, bits: Int) -> String {
        let mask = UInt64((1 << bits) - 1)
        return String(unsafeUninitializedCapacity: count) { buf in
            for i in 0..<count { buf[i] = alphabet[Int((v >> UInt64(bits * (count - 1 - i))) & mask)] }
            return count
        }
    }
}

/// Where an index keeps its LSH bucket entries.
public enum BucketStorage: String, Sendable, Equatable {
    /// As `XNB` boolean terms in Xapian: indexes made before 2026-12-02 (no `buckets=` in their settings).
    /// Nearly unique terms: about 30 bytes a post in each of the posting and term lists, and the slowest part
    /// of a Xapian commit.
    case terms
    /// In a file beside Xapian's tables (`starling-dup-buckets`, 8 bytes an entry), kept in step with each
    /// commit (StarlingIndex.BucketStore).
    case file
}

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
    /// How bucket keys are written as terms.
    public var bucketKeys: BucketKeyFormat
    /// Where the bucket entries are kept.
    public var buckets: BucketStorage

    /// Settings from their parts.
    public init(shingles: ShingleKind, permutations: Int, lsh: LSHBands, threshold: Double,
                bucketKeys: BucketKeyFormat = .base32, buckets: BucketStorage = .file) {
        precondition(lsh.bands * lsh.rows <= permutations, "bands × rows exceeds the permutations")
        precondition(threshold > 0 && threshold <= 1, "the threshold is a Jaccard similarity in (0, 1]")
        self.shingles = shingles
        self.permutations = permutations
        self.lsh = lsh
        self.threshold = threshold
        self.bucketKeys = bucketKeys
        self.buckets = buckets
    }

    /// The measured defaults (tools/dup-eval/README.md): word 3-shingles, LSH on 6 bands of 2 rows, threshold
    /// 0.7, 128 permutations for the reported estimate, base-32 bucket keys. At J = 0.7 two posts share a bucket
    /// with probability 0.982 (10x3, the earlier default: 0.985; at J >= 0.75 the two curves are within 0.3%);
    /// on the real corpus 6x2 finds 23,732 of the 23,738 pairs (10x3: 23,736) with 1.2 candidates verified per
    /// post (10x3: 0.36), and costs 6 bucket terms a post instead of 10: bucket terms, nearly unique, were a
    /// third of a compacted index (now kept in a file beside the index instead: 8 bytes an entry). Candidates are verified with the exact Jaccard of the stored shingle sets, so
    /// precision does not depend on the estimate.
    public static let standard = DuplicateParameters(shingles: .words(3), permutations: 128,
                                                     lsh: LSHBands(bands: 6, rows: 2), threshold: 0.7)

    /// The standard settings with another threshold. The buckets do not depend on it, so an index built with
    /// one threshold answers queries at another (recall falls below about 0.6, where buckets rarely match).
    public func with(threshold: Double) -> DuplicateParameters {
        DuplicateParameters(shingles: shingles, permutations: permutations, lsh: lsh, threshold: threshold,
                            bucketKeys: bucketKeys, buckets: buckets)
    }

    /// The 30 bits of a band key that name its bucket (those the base-32 terms spell).
    @inline(__always)
    public static func bucketKey(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 34) }

    /// The bucket term of a band key: `XNB` + the key in `bucketKeys`' format.
    @inline(__always)
    public func bucketTerm(_ key: UInt64) -> String { TermPrefix.duplicateBucket + bucketKeys.text(key) }

    /// The hasher for estimates (`permutations` long).
    public var hasher: MinHasher { MinHasher(permutations: permutations) }
    /// The hasher for LSH bucket keys (`bands × rows` long, a prefix of `hasher`'s signature).
    public var lshHasher: MinHasher { MinHasher(permutations: lsh.bands * lsh.rows) }
    /// The shingler for these settings.
    public var shingler: Shingler { Shingler(kind: shingles) }
}

extension DuplicateParameters {
    /// The settings as one line, stored in the index's metadata so queries use what the index was built with:
    /// `shingles=word3 permutations=128 bands=6 rows=2 threshold=0.7 keys=b32 buckets=file`. Indexes written
    /// before bucket keys had a format field hold hex keys and no `keys=`, which reads as `hex48`; those written
    /// before the bucket file have no `buckets=`, which reads as `terms`.
    public var metadataText: String {
        let keys = bucketKeys == .hex48 ? "" : " keys=\(bucketKeys.rawValue)"
        let store = buckets == .terms ? "" : " buckets=\(buckets.rawValue)"
        return "shingles=\(shingles) permutations=\(permutations) bands=\(lsh.bands) rows=\(lsh.rows) threshold=\(threshold)"
            + keys + store
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
        var keys = BucketKeyFormat.hex48
        if let f = fields["keys"] {
            guard let known = BucketKeyFormat(rawValue: f) else { return nil }
            keys = known
        }
        var storage = BucketStorage.terms
        if let f = fields["buckets"] {
            guard let known = BucketStorage(rawValue: f) else { return nil }
            storage = known
        }
        self.init(shingles: s, permutations: k, lsh: LSHBands(bands: b, rows: r), threshold: t, bucketKeys: keys,
                  buckets: storage)
    }
}
