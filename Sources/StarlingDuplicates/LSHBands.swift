// Locality-sensitive hashing by banding: the signature is cut into b bands of r rows, and each band is hashed
// to one bucket key. Two posts become candidates when they share a bucket, which happens with probability
// 1 - (1 - J^r)^b for Jaccard J: a steep S-curve whose midpoint sits near (1/b)^(1/r).
import Foundation

/// The banding of MinHash signatures.
public struct LSHBands: Sendable, Equatable {
    /// Number of bands (bucket keys per post).
    public let bands: Int
    /// Signature rows per band.
    public let rows: Int

    /// `bands` bands of `rows` rows; needs signatures of at least `bands * rows` values.
    public init(bands: Int, rows: Int) {
        precondition(bands > 0 && rows > 0, "LSH needs at least one band of one row")
        self.bands = bands
        self.rows = rows
    }

    /// The probability that two posts of Jaccard `j` share at least one bucket.
    public func candidateProbability(_ j: Double) -> Double {
        1 - pow(1 - pow(j, Double(rows)), Double(bands))
    }

    /// The bucket keys of `signature`, one per band; the band number is mixed in, so equal rows in different
    /// bands give different keys.
    ///
    /// - Complexity: O(b · r).
    public func keys(_ signature: [UInt32]) -> [UInt64] {
        precondition(signature.count >= bands * rows, "signature too short for \(bands)x\(rows) bands")
        var out = [UInt64]()
        out.reserveCapacity(bands)
        for band in 0..<bands {
            var h = StableHash.mix(UInt64(band) &+ 0x4C53_4800)
            for r in 0..<rows { h = StableHash.combine(h, UInt64(signature[band * rows + r])) }
            out.append(h)
        }
        return out
    }
}
