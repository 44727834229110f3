// Shingling: a post's analysed text -> the set of hashed shingles that MinHash and exact Jaccard compare.
// What is left out decides what counts as "the same text": the `RT @user:` prefix (the analyser already drops
// its "RT"), @mentions, links and the bare `http` residue some corpora leave for links, so copies match
// whatever handle or link they carry. Hashtags count as their folded word (`#Ferguson` == `ferguson`).
import StarlingAnalysis

/// What a shingle is made of.
public enum ShingleKind: Sendable, Equatable, CustomStringConvertible {
    /// `n` consecutive content tokens (words, numbers, hashtag bodies, cashtags, emoji).
    case words(Int)
    /// `n` consecutive characters of the content tokens joined by single spaces.
    case characters(Int)

    /// `word3`, `char5`, ...
    public var description: String {
        switch self {
        case .words(let n): return "word\(n)"
        case .characters(let n): return "char\(n)"
        }
    }

    /// Parses `word3` / `char5`.
    public init?(_ text: String) {
        if text.hasPrefix("word"), let n = Int(text.dropFirst(4)), n > 0 { self = .words(n) }
        else if text.hasPrefix("char"), let n = Int(text.dropFirst(4)), n > 0 { self = .characters(n) }
        else { return nil }
    }
}

/// Turns analyses into sorted sets of 32-bit shingle hashes.
///
/// 32 bits keep the stored set small (4 bytes a shingle); two different shingles of two compared posts collide
/// with probability about 2⁻³² per pair of shingles, which is far below the Jaccard resolution that matters.
public struct Shingler: Sendable {
    /// The shingle definition.
    public var kind: ShingleKind

    /// A shingler of `kind` (default: word 3-shingles, chosen by tools/dup-eval).
    public init(kind: ShingleKind = .words(3)) {
        self.kind = kind
    }

    /// The content tokens of `analysis`, folded: what copies of one text have in common.
    public static func contentTokens(_ analysis: Analysis) -> [String] {
        var out: [String] = []
        out.reserveCapacity(analysis.tokens.count)
        for t in analysis.tokens {
            switch t.kind {
            case .word, .number:
                // Some corpora replace links by a bare "http"; it is link residue, not content.
                if t.normalized == "http" || t.normalized == "https" { continue }
                out.append(t.normalized)
            case .hashtag, .cashtag, .emoji:
                out.append(t.normalized)
            case .mention, .url:
                continue
            }
        }
        return out
    }

    /// The sorted, duplicate-free shingle hashes of `analysis`. Texts shorter than one shingle give a single
    /// shingle of all their tokens; texts without content tokens give the empty set (they match nothing).
    ///
    /// - Complexity: O(t) hashing plus O(s log s) sorting for t tokens and s shingles.
    public func shingles(_ analysis: Analysis) -> [UInt32] {
        shingles(tokens: Self.contentTokens(analysis))
    }

    /// The shingle hashes of already extracted content tokens.
    public func shingles(tokens: [String]) -> [UInt32] {
        if tokens.isEmpty { return [] }
        var out: [UInt32] = []
        switch kind {
        case .words(let n):
            let hashes = tokens.map(StableHash.string)
            let count = max(1, hashes.count - n + 1)
            out.reserveCapacity(count)
            for i in 0..<count {
                var h: UInt64 = UInt64(n)
                for j in i..<min(hashes.count, i + n) { h = StableHash.combine(h, hashes[j]) }
                out.append(UInt32(truncatingIfNeeded: StableHash.mix(h) >> 32))
            }
        case .characters(let n):
            let scalars = Array(tokens.joined(separator: " ").unicodeScalars)
            let count = max(1, scalars.count - n + 1)
            out.reserveCapacity(count)
            for i in 0..<count {
                var h: UInt64 = UInt64(n) | 0x100
                for j in i..<min(scalars.count, i + n) { h = StableHash.combine(h, UInt64(scalars[j].value)) }
                out.append(UInt32(truncatingIfNeeded: StableHash.mix(h) >> 32))
            }
        }
        out.sort()
        var w = 0
        for i in 0..<out.count where i == 0 || out[i] != out[i - 1] {
            out[w] = out[i]
            w += 1
        }
        out.removeLast(out.count - w)
        return out
    }

    /// A 64-bit key of the whole set: posts with equal keys have the same shingles (Jaccard 1).
    ///
    /// - Complexity: O(s).
    public static func setKey(_ shingles: [UInt32]) -> UInt64 {
        var h: UInt64 = 0x5348_494E_474C_4553
        for s in shingles { h = StableHash.combine(h, UInt64(s)) }
        return StableHash.mix(h)
    }
}

/// Byte encoding of a shingle set for a Xapian value slot: little-endian 32-bit hashes, ascending.
///
/// An exact copy of an earlier post stores a reference instead (`reference(to:)`): 5 bytes naming the post that
/// holds the set, where the set itself averages 45 bytes and copies are most of a viral corpus. A reference is never
/// mistaken for a set: a set's length is a multiple of 4.
public enum ShingleCoding {
    /// The first byte of a reference.
    static let referenceMarker: UInt8 = 0xFE

    /// The bytes saying "the same shingle set as document `docid`".
    public static func reference(to docid: UInt32) -> [UInt8] {
        [referenceMarker, UInt8(truncatingIfNeeded: docid), UInt8(truncatingIfNeeded: docid >> 8),
         UInt8(truncatingIfNeeded: docid >> 16), UInt8(truncatingIfNeeded: docid >> 24)]
    }

    /// The docid a value refers to, or nil when it is a shingle set (or empty).
    public static func referencedDocid(_ bytes: [UInt8]) -> UInt32? {
        guard bytes.count == 5, bytes[0] == referenceMarker else { return nil }
        return UInt32(bytes[1]) | UInt32(bytes[2]) << 8 | UInt32(bytes[3]) << 16 | UInt32(bytes[4]) << 24
    }

    /// The bytes of `shingles`.
    public static func encode(_ shingles: [UInt32]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(shingles.count * 4)
        for s in shingles {
            out.append(UInt8(truncatingIfNeeded: s))
            out.append(UInt8(truncatingIfNeeded: s >> 8))
            out.append(UInt8(truncatingIfNeeded: s >> 16))
            out.append(UInt8(truncatingIfNeeded: s >> 24))
        }
        return out
    }

    /// The shingles in `bytes` (trailing bytes that do not make a whole hash are ignored; a reference decodes as
    /// no shingles: resolve it with `referencedDocid` first).
    public static func decode(_ bytes: [UInt8]) -> [UInt32] {
        if referencedDocid(bytes) != nil { return [] }
        var out = [UInt32]()
        out.reserveCapacity(bytes.count / 4)
        var i = 0
        while i + 4 <= bytes.count {
            out.append(UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
                       | UInt32(bytes[i + 3]) << 24)
            i += 4
        }
        return out
    }
}
