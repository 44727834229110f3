// Fast 64-bit hashing used by shingling, MinHash and LSH: FNV-1a over bytes and the splitmix64 finaliser.
// Not cryptographic; chosen because they are tiny, well mixed and stable across runs and platforms (the
// values are stored in indexes, so they must never change with Swift's per-process hash seeding).

/// Stable, process-independent hash functions.
public enum StableHash {
    /// The splitmix64 finaliser: a bijective avalanche of `x`.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a of the UTF-8 bytes of `text`, finalised with ``mix(_:)``.
    ///
    /// - Complexity: O(n) in the UTF-8 length.
    @inline(__always)
    public static func string(_ text: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        var copy = text
        copy.withUTF8 { bytes in
            for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        }
        return mix(h)
    }

    /// Combines `next` into the running hash `h`, order-sensitively.
    @inline(__always)
    public static func combine(_ h: UInt64, _ next: UInt64) -> UInt64 {
        mix(h ^ (next &* 0xD6E8_FEB8_6659_FD93) ^ (h << 7))
    }
}
