// A Bloom filter of 64-bit keys: lets the index writer skip a Xapian lookup for the great majority of posts,
// whose buckets and ids were never written before. A "maybe" costs one real lookup; a "no" is always right.

/// A fixed-size Bloom filter over already well-mixed 64-bit keys, three probes per key.
public struct BloomFilter: Sendable {
    private var bits: [UInt64]
    private let mask: UInt64

    /// A filter of 2^`log2Bits` bits (2^27 = 16 MiB keeps false positives near 3% at 17 million keys).
    public init(log2Bits: Int = 27) {
        precondition(log2Bits >= 6 && log2Bits <= 40, "unreasonable Bloom filter size")
        bits = [UInt64](repeating: 0, count: 1 << (log2Bits - 6))
        mask = (UInt64(1) << UInt64(log2Bits)) - 1
    }

    @inline(__always)
    private func probes(_ key: UInt64) -> (UInt64, UInt64, UInt64) {
        let h2 = StableHash.mix(key ^ 0xA076_1D64_78BD_642F) | 1
        return (key & mask, (key &+ h2) & mask, (key &+ 2 &* h2) & mask)
    }

    /// Records `key`.
    ///
    /// - Complexity: O(1).
    public mutating func insert(_ key: UInt64) {
        let (a, b, c) = probes(key)
        bits[Int(a >> 6)] |= 1 << (a & 63)
        bits[Int(b >> 6)] |= 1 << (b & 63)
        bits[Int(c >> 6)] |= 1 << (c & 63)
    }

    /// False when `key` was certainly never inserted.
    ///
    /// - Complexity: O(1).
    public func mayContain(_ key: UInt64) -> Bool {
        let (a, b, c) = probes(key)
        return bits[Int(a >> 6)] & (1 << (a & 63)) != 0 && bits[Int(b >> 6)] & (1 << (b & 63)) != 0
            && bits[Int(c >> 6)] & (1 << (c & 63)) != 0
    }
}
