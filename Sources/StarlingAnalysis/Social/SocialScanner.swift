// Finds the social entities of a post — #hashtags, @mentions, $cashtags and URLs — before word segmentation,
// because ICU splits them apart (`#SwiftLang` -> `#` + `SwiftLang`, URLs into pieces).
// The rules follow the platforms' own (twitter-text): what may stand before a sigil, which characters a handle or
// tag may hold, where a URL ends.

/// The kind of a social entity.
public enum EntityKind: String, Sendable {
    case hashtag, mention, cashtag, url
}

/// An entity found in text: UTF-8 byte offsets of the whole match (sigil included), and of its body (sigil excluded).
public struct EntitySpan: Sendable, Equatable {
    public var kind: EntityKind
    public var start: Int
    public var end: Int
    /// Where the body starts (after `#`, `@`, `$`; the same as `start` for URLs).
    public var bodyStart: Int
}

/// Scans UTF-8 text for social entities. Stateless.
public enum SocialScanner {
    /// Every entity in `text`, in order, non-overlapping.
    ///
    /// - Complexity: O(n) in the bytes of the text.
    public static func scan(_ b: UnsafeBufferPointer<UInt8>) -> [EntitySpan] {
        var out = [EntitySpan]()
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            switch c {
            case 0x68, 0x48, 0x77, 0x57:  // h H w W: maybe a URL
                if let end = urlEnd(b, at: i) {
                    out.append(EntitySpan(kind: .url, start: i, end: end, bodyStart: i))
                    i = end
                    continue
                }
            case 0x23:  // '#'
                if let end = hashtagEnd(b, sigil: i, sigilLength: 1) {
                    out.append(EntitySpan(kind: .hashtag, start: i, end: end, bodyStart: i + 1))
                    i = end
                    continue
                }
            case 0x40:  // '@'
                if let end = mentionEnd(b, sigil: i, sigilLength: 1) {
                    out.append(EntitySpan(kind: .mention, start: i, end: end, bodyStart: i + 1))
                    i = end
                    continue
                }
            case 0x24:  // '$'
                if let end = cashtagEnd(b, sigil: i) {
                    out.append(EntitySpan(kind: .cashtag, start: i, end: end, bodyStart: i + 1))
                    i = end
                    continue
                }
            case 0xEF:  // full-width ＃ (EF BC 83) and ＠ (EF BC A0)
                if i + 2 < n, b[i + 1] == 0xBC {
                    if b[i + 2] == 0x83, let end = hashtagEnd(b, sigil: i, sigilLength: 3) {
                        out.append(EntitySpan(kind: .hashtag, start: i, end: end, bodyStart: i + 3))
                        i = end
                        continue
                    }
                    if b[i + 2] == 0xA0, let end = mentionEnd(b, sigil: i, sigilLength: 3) {
                        out.append(EntitySpan(kind: .mention, start: i, end: end, bodyStart: i + 3))
                        i = end
                        continue
                    }
                }
            default:
                break
            }
            i += 1
        }
        return out
    }

    // MARK: Hashtags

    @inline(__always)
    private static func isHashtagChar(_ s: Unicode.Scalar) -> Bool {
        if s == "_" { return true }
        if UTF8Scalars.isAlnum(s) { return true }
        // Joiners and a few script-internal marks that twitter-text allows inside tags.
        switch s.value {
        case 0x200C, 0x200D, 0xA67E, 0x05BE, 0x05F3, 0x05F4, 0xFF5E, 0x301C, 0x309B, 0x309C, 0x30A0, 0x30FB, 0x3003,
             0x0F0B, 0x0F0C, 0x00B7:
            return true
        default:
            return false
        }
    }

    private static func hashtagEnd(_ b: UnsafeBufferPointer<UInt8>, sigil: Int, sigilLength: Int) -> Int? {
        // Not inside a word ("abc#def"), not after '&' (HTML entities like &#39;).
        if let prev = UTF8Scalars.scalar(before: sigil, in: b) {
            if prev == "&" || prev == "_" || UTF8Scalars.isAlnum(prev) || prev == "#" || prev == "＃" { return nil }
        }
        var j = sigil + sigilLength
        var sawLetter = false
        while j < b.count {
            let (s, len) = UTF8Scalars.decode(b, j)
            guard isHashtagChar(s) else { break }
            if UTF8Scalars.isLetterOrMark(s) { sawLetter = true }
            j += len
        }
        guard j > sigil + sigilLength, sawLetter else { return nil }
        // "#tag#more" and "#http://..." are not hashtags.
        if j < b.count {
            let (next, _) = UTF8Scalars.decode(b, j)
            if next == "#" || next == "＃" { return nil }
            if next == ":", j + 2 < b.count, b[j + 1] == 0x2F, b[j + 2] == 0x2F { return nil }
        }
        return j
    }

    // MARK: Mentions

    @inline(__always)
    private static func isHandleByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    private static func mentionEnd(_ b: UnsafeBufferPointer<UInt8>, sigil: Int, sigilLength: Int) -> Int? {
        if sigil > 0 {
            let p = b[sigil - 1]
            if isHandleByte(p) || p == 0x21 || p == 0x40 || p == 0x23 || p == 0x24 || p == 0x25 || p == 0x26
                || p == 0x2A {
                return nil
            }
            if p >= 0x80, let prev = UTF8Scalars.scalar(before: sigil, in: b), prev == "＠" { return nil }
        }
        var j = sigil + sigilLength
        while j < b.count, isHandleByte(b[j]) { j += 1 }
        let len = j - sigil - sigilLength
        guard len >= 1 else { return nil }
        // A handle is at most 20 characters; a longer run is not a mention at all.
        if len > 20 { return nil }
        if j < b.count {
            let c = b[j]
            if c == 0x40 { return nil }  // user@example.com-like
            if c >= 0x80 {
                let (s, _) = UTF8Scalars.decode(b, j)
                if s == "＠" || UTF8Scalars.isLetterOrMark(s) { return nil }
            }
            if c == 0x3A, j + 2 < b.count, b[j + 1] == 0x2F, b[j + 2] == 0x2F { return nil }
        }
        return j
    }

    // MARK: Cashtags

    @inline(__always)
    private static func isASCIILetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    private static func cashtagEnd(_ b: UnsafeBufferPointer<UInt8>, sigil: Int) -> Int? {
        if let prev = UTF8Scalars.scalar(before: sigil, in: b), !UTF8Scalars.isSpace(prev) { return nil }
        var j = sigil + 1
        while j < b.count, j - sigil - 1 < 6, isASCIILetter(b[j]) { j += 1 }
        let len = j - sigil - 1
        guard len >= 1 else { return nil }
        // Optional class suffix: $BRK.A, $RDS_A.
        if j + 1 < b.count, b[j] == 0x2E || b[j] == 0x5F, isASCIILetter(b[j + 1]) {
            var k = j + 1
            while k < b.count, k - j - 1 < 2, isASCIILetter(b[k]) { k += 1 }
            if k >= b.count || !(isHandleByte(b[k])) { j = k }
        }
        if j < b.count {
            let (s, _) = UTF8Scalars.decode(b, j)
            if s == "_" || s == "$" || UTF8Scalars.isAlnum(s) { return nil }
        }
        return j
    }

    // MARK: URLs

    @inline(__always)
    private static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }

    private static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ p: StaticString) -> Bool {
        let count = p.utf8CodeUnitCount
        guard i + count <= b.count else { return false }
        let ptr = p.utf8Start
        for k in 0..<count where lower(b[i + k]) != ptr[k] { return false }
        return true
    }

    private static func urlEnd(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var bodyStart: Int
        if hasPrefix(b, i, "https://") {
            bodyStart = i + 8
        } else if hasPrefix(b, i, "http://") {
            bodyStart = i + 7
        } else if hasPrefix(b, i, "www.") {
            bodyStart = i
        } else {
            return nil
        }
        if let prev = UTF8Scalars.scalar(before: i, in: b) {
            if UTF8Scalars.isAlnum(prev) || prev == "@" || prev == "$" || prev == "#" || prev == "_" || prev == "." {
                return nil
            }
        }
        var j = bodyStart
        var depthParen = 0
        var depthBracket = 0
        while j < b.count {
            let c = b[j]
            if c < 0x80 {
                if c <= 0x20 || c == 0x22 || c == 0x3C || c == 0x3E || c == 0x60 || c == 0x7B || c == 0x7D || c == 0x7C
                    || c == 0x5C || c == 0x5E {
                    break
                }
                if c == 0x28 { depthParen += 1 }
                if c == 0x29 {
                    if depthParen == 0 { break }
                    depthParen -= 1
                }
                if c == 0x5B { depthBracket += 1 }
                if c == 0x5D {
                    if depthBracket == 0 { break }
                    depthBracket -= 1
                }
                j += 1
            } else {
                let (s, len) = UTF8Scalars.decode(b, j)
                // Letters (IRIs) continue a URL; spaces, punctuation like '…' and emoji end it.
                if !UTF8Scalars.isAlnum(s) { break }
                j += len
            }
        }
        // Trailing punctuation belongs to the sentence, not the link.
        while j > bodyStart {
            let c = b[j - 1]
            if c == 0x2E || c == 0x2C || c == 0x3A || c == 0x3B || c == 0x21 || c == 0x3F || c == 0x27 || c == 0x2A {
                j -= 1
            } else {
                break
            }
        }
        // The host must be there and hold a dot (or be localhost).
        var hostEnd = bodyStart
        while hostEnd < j, b[hostEnd] != 0x2F, b[hostEnd] != 0x3F, b[hostEnd] != 0x23 { hostEnd += 1 }
        var hasDot = false
        var hasLetterAfterDot = false
        var k = bodyStart
        while k < hostEnd {
            if b[k] == 0x2E { hasDot = true; hasLetterAfterDot = false } else if hasDot && isASCIILetter(b[k]) || b[k] >= 0x80 {
                hasLetterAfterDot = true
            }
            k += 1
        }
        let isLocalhost = hostEnd - bodyStart >= 9 && hasPrefix(b, bodyStart, "localhost")
        guard (hasDot && hasLetterAfterDot) || isLocalhost || (hasDot && bodyStart != i) else { return nil }
        return j
    }
}
