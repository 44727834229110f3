// MinHash signatures: k independent minima of hashed shingles, so that the share of equal positions in two
// signatures estimates the Jaccard similarity of the two shingle sets.
//
// Permutation i of a shingle x is the high 32 bits of (a_i * mix(x) + b_i) mod 2^64 with random odd a_i
// (multiply-shift hashing). It needs one multiply-add per shingle and permutation and no modulo, which is
// why signatures cost about a microsecond for a tweet.

/// Computes MinHash signatures with a fixed number of permutations from a fixed seed.
public struct MinHasher: Sendable {
    /// Number of permutations (signature length).
    public let permutations: Int
    private let a: [UInt64]
    private let b: [UInt64]

    /// A hasher with `permutations` permutations drawn from `seed`. The same seed gives the same signatures
    /// in every process, which the index relies on.
    public init(permutations: Int, seed: UInt64 = 0x5354_4152_4C49_4E47) {
        precondition(permutations > 0, "MinHasher needs at least one permutation")
        self.permutations = permutations
        var state = seed
        var a: [UInt64] = []
        var b: [UInt64] = []
        for _ in 0..<permutations {
            state = StableHash.mix(state)
            a.append(state | 1)
            state = StableHash.mix(state)
            b.append(state)
        }
        self.a = a
        self.b = b
    }

    /// The signature of `shingles`; all `UInt32.max` for the empty set.
    ///
    /// - Complexity: O(s · k) for s shingles and k permutations.
    public func signature(_ shingles: [UInt32]) -> [UInt32] {
        let k = permutations
        return [UInt32](unsafeUninitializedCapacity: k) { sig, count in
            for i in 0..<k { sig[i] = .max }
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    for s in shingles {
                        let y = StableHash.mix(UInt64(s))
                        for i in 0..<k {
                            let h = UInt32(truncatingIfNeeded: (a[i] &* y &+ b[i]) >> 32)
                            if h < sig[i] { sig[i] = h }
                        }
                    }
                }
            }
            count = k
        }
    }
}

/// Jaccard similarity, exact and estimated.
public enum Jaccard {
    /// |A ∩ B| / |A ∪ B| of two sorted, duplicate-free arrays; 0 when both are empty.
    ///
    /// - Complexity: O(|A| + |B|).
    public static func exact(_ x: [UInt32], _ y: [UInt32]) -> Double {
        if x.isEmpty || y.isEmpty { return 0 }
        var i = 0, j = 0, common = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] { common += 1; i += 1; j += 1 }
            else if x[i] < y[j] { i += 1 }
            else { j += 1 }
        }
        return Double(common) / Double(x.count + y.count - common)
    }

    /// The share of positions where two signatures of the same length agree.
    ///
    /// - Complexity: O(k).
    public static func estimate(_ x: [UInt32], _ y: [UInt32]) -> Double {
        precondition(x.count == y.count, "signatures of different lengths")
        if x.isEmpty { return 0 }
        var same = 0
        for i in 0..<x.count where x[i] == y[i] { same += 1 }
        return Double(same) / Double(x.count)
    }
}
