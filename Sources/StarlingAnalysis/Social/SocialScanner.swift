// Finds the social entities of a post — #hashtags, @mentions, $cashtags and URLs — before word segmentation,
// because ICU splits them apart (`#SwiftLang` -> `#` + `SwiftLang`, URLs into pieces).
//
// The rules are twitter-text's (the platforms' own), written as hand-made matchers over UTF-8 instead of its
// regular expressions, so that the conformance suite passes and scanning stays linear and allocation-free.
// Each matcher keeps the regex's quirks that the suite depends on: the character before an entity is *consumed*
// by the previous match (so `@a@b` yields nothing), a rejected match still moves the search past itself, and a
// URL may lack its `http://` when its domain ends in a known TLD (analyzers/url/tlds.txt).

/// The kind of a social entity.
public enum EntityKind: String, Sendable {
    case hashtag, mention, cashtag, url
}

/// An entity found in text: UTF-8 byte offsets of the whole match (sigil included), and of its body (sigil excluded).
public struct EntitySpan: Sendable, Equatable {
    public var kind: EntityKind
    /// Where the entity starts (its sigil, or the URL's first byte).
    public var start: Int
    /// Where it ends; for a mention of a list (`@user/list`) this includes the list slug.
    public var end: Int
    /// Where the body starts (after `#`, `@`, `$`; the same as `start` for URLs).
    public var bodyStart: Int
    /// Where the body ends: the end of the handle for a list mention, else `end`.
    public var bodyEnd: Int
    /// For URLs: whether the text carries the scheme (`http://`, `https://`).
    public var hasScheme: Bool

    /// An entity whose body runs to its end.
    public init(kind: EntityKind, start: Int, end: Int, bodyStart: Int, bodyEnd: Int? = nil, hasScheme: Bool = false) {
        self.kind = kind
        self.start = start
        self.end = end
        self.bodyStart = bodyStart
        self.bodyEnd = bodyEnd ?? end
        self.hasScheme = hasScheme
    }
}

/// The top-level domains a scheme-less URL may end in: ASCII ones packed for allocation-free lookup, the
/// internationalised ones (`みんな`, `рф`) as strings.
public struct TopLevelDomains: Sendable {
    /// An ASCII TLD of up to 24 letters packed 5 bits a letter.
    struct Packed: Hashable, Sendable {
        var a: UInt64 = 0
        var b: UInt64 = 0
    }

    private var ascii: Set<Packed> = []
    private var unicode: Set<String> = []
    /// The longest internationalised TLD, in Unicode scalars.
    private(set) var maxUnicodeScalars = 0
    /// How many TLDs there are.
    public private(set) var count = 0

    /// An empty list: no scheme-less URLs are found, and URLs with a scheme need a known TLD too.
    public init() {}

    /// Parses analyzers/url/tlds.txt: `tld<TAB>section`, `#` comments.
    public init(text: String) {
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            if raw.hasPrefix("#") { continue }
            let tld = raw.split(separator: "\t", maxSplits: 1).first.map { $0.trimmingCharacters() } ?? ""
            if !tld.isEmpty { insert(tld) }
        }
    }

    /// Builds from a list of TLDs.
    public init<S: Sequence>(_ tlds: S) where S.Element == String {
        for t in tlds { insert(t) }
    }

    private mutating func insert(_ tld: String) {
        let lower = tld.lowercased()
        if lower.utf8.allSatisfy({ $0 >= 0x61 && $0 <= 0x7A }), lower.utf8.count <= 24 {
            var p = Packed()
            var k = 0
            for c in lower.utf8 { Self.pack(&p, c, k); k += 1 }
            if ascii.insert(p).inserted { count += 1 }
        } else {
            if unicode.insert(lower).inserted { count += 1 }
            maxUnicodeScalars = max(maxUnicodeScalars, lower.unicodeScalars.count)
        }
    }

    @inline(__always)
    private static func pack(_ p: inout Packed, _ c: UInt8, _ k: Int) {
        let v = UInt64((c | 0x20) - 0x60)  // 1...26
        if k < 12 { p.a |= v << (5 * UInt64(k)) } else { p.b |= v << (5 * UInt64(k - 12)) }
    }

    /// Whether the ASCII letters `b[s..<e]` (any case) are a TLD.
    func containsASCII(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        guard e - s <= 24 else { return false }
        var p = Packed()
        for k in s..<e { Self.pack(&p, b[k], k - s) }
        return ascii.contains(p)
    }

    /// Whether `text` is an internationalised TLD.
    func containsUnicode(_ text: String) -> Bool { unicode.contains(text) }

    /// Whether any TLD is listed.
    var isEmpty: Bool { count == 0 }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

/// Scans UTF-8 text for social entities with twitter-text's rules. Immutable and thread-safe.
public struct SocialScanner: Sendable {
    /// The TLDs URLs may end in.
    public let tlds: TopLevelDomains

    /// A scanner with the given TLD list.
    public init(tlds: TopLevelDomains) {
        self.tlds = tlds
    }

    /// Every entity in `text`, in order, non-overlapping: where two overlap the earlier wins, and a URL wins over
    /// anything starting at the same place (twitter-text's `extractEntitiesWithIndices`).
    ///
    /// - Complexity: O(n) in the bytes of the text (each matcher looks a bounded way back and scans forward once).
    public func scan(_ b: UnsafeBufferPointer<UInt8>) -> [EntitySpan] {
        var all = urls(b)
        let tags = hashtags(b)
        let handles = mentions(b)
        let tickers = cashtags(b)
        if tags.isEmpty && handles.isEmpty && tickers.isEmpty { return all }
        all.append(contentsOf: tags)
        all.append(contentsOf: handles)
        all.append(contentsOf: tickers)
        // Stable: on equal starts the URL (added first) stays first.
        let ordered = all.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
        var out = [EntitySpan]()
        out.reserveCapacity(ordered.count)
        for (_, e) in ordered {
            if let last = out.last, last.end > e.start { continue }
            out.append(e)
        }
        return out
    }

    // MARK: Character classes (twitter-text's Regex.java)

    @inline(__always)
    static func isASCIIAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    @inline(__always)
    static func isASCIILetter(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    /// LATIN_ACCENTS_CHARS.
    @inline(__always)
    static func isLatinAccent(_ v: UInt32) -> Bool {
        switch v {
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x24F, 0x253, 0x254, 0x256, 0x257, 0x259, 0x25B, 0x263, 0x268, 0x26F,
             0x272, 0x289, 0x28B, 0x2BB, 0x300...0x36F, 0x1E00...0x1EFF:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isCyrillic(_ v: UInt32) -> Bool { v >= 0x400 && v <= 0x4FF }

    /// DIRECTIONAL_CHARACTERS: marks, embeddings, overrides and isolates.
    @inline(__always)
    static func isDirectional(_ v: UInt32) -> Bool {
        v == 0x61C || v == 0x200E || v == 0x200F || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
    }

    /// UNICODE_SPACES.
    @inline(__always)
    static func isUnicodeSpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x180E, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// URL_VALID_CHARS: ASCII letters and digits, Latin accented letters.
    @inline(__always)
    static func isDomainChar(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x80 ? isASCIIAlnum(UInt8(s.value)) : isLatinAccent(s.value)
    }

    /// URL_VALID_UNICODE_CHARS: anything but ASCII punctuation, spaces and General Punctuation.
    @inline(__always)
    static func isUnicodeDomainChar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return isASCIIAlnum(UInt8(v)) }
        if v >= 0x2000 && v <= 0x206F { return false }
        switch s.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return false
        default: return true
        }
    }

    /// URL_VALID_GENERAL_PATH_CHARS.
    @inline(__always)
    static func isPathChar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            let c = UInt8(v)
            if isASCIIAlnum(c) { return true }
            switch c {
            case UInt8(ascii: "!"), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: ";"), UInt8(ascii: ":"),
                 UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "$"),
                 UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "|"), UInt8(ascii: "&"),
                 UInt8(ascii: "@"):
                return true
            default:
                return false
            }
        }
        return v == 0x2013 || isLatinAccent(v) || isCyrillic(v)
    }

    /// URL_VALID_PATH_ENDING_CHARS (less the balanced parentheses, handled by the path matcher).
    @inline(__always)
    static func isPathEndChar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 {
            let c = UInt8(v)
            return isASCIIAlnum(c) || c == UInt8(ascii: "=") || c == UInt8(ascii: "_") || c == UInt8(ascii: "#")
                || c == UInt8(ascii: "/") || c == UInt8(ascii: "-") || c == UInt8(ascii: "+")
        }
        return isLatinAccent(v) || isCyrillic(v)
    }

    /// URL_VALID_URL_QUERY_CHARS.
    @inline(__always)
    static func isQueryChar(_ c: UInt8) -> Bool {
        if isASCIIAlnum(c) { return true }
        switch c {
        case UInt8(ascii: "!"), UInt8(ascii: "?"), UInt8(ascii: "*"), UInt8(ascii: "'"), UInt8(ascii: "("),
             UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: ":"), UInt8(ascii: "&"), UInt8(ascii: "="),
             UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "/"), UInt8(ascii: "%"), UInt8(ascii: "#"),
             UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
             UInt8(ascii: ","), UInt8(ascii: "~"), UInt8(ascii: "|"), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }

    /// URL_VALID_URL_QUERY_ENDING_CHARS.
    @inline(__always)
    static func isQueryEndChar(_ c: UInt8) -> Bool {
        isASCIIAlnum(c) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_") || c == UInt8(ascii: "&")
            || c == UInt8(ascii: "=") || c == UInt8(ascii: "#") || c == UInt8(ascii: "/")
    }

    /// HASHTAG_LETTERS_AND_MARKS.
    @inline(__always)
    static func isHashtagLetter(_ s: Unicode.Scalar) -> Bool { UTF8Scalars.isLetterOrMark(s) }

    /// HASHTAG_LETTERS_NUMERALS: letters, marks, decimal digits and a few joiners and script punctuation.
    @inline(__always)
    static func isHashtagChar(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return isASCIIAlnum(UInt8(v)) || v == 0x5F }
        switch v {
        case 0x200C, 0x200D, 0xA67E, 0x05BE, 0x05F3, 0x05F4, 0xFF5E, 0x301C, 0x309B, 0x309C, 0x30A0, 0x30FB, 0x3003,
             0x0F0B, 0x0F0C, 0x00B7:
            return true
        default:
            break
        }
        return isHashtagLetter(s) || s.properties.generalCategory == .decimalNumber
    }

    // MARK: Decoding

    @inline(__always)
    static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Unicode.Scalar, Int) {
        UTF8Scalars.decode(b, i)
    }

    /// Where the scalar ending just before byte `i` starts.
    @inline(__always)
    static func start(before i: Int, in b: UnsafeBufferPointer<UInt8>) -> Int {
        var j = i - 1
        while j > 0 && (b[j] & 0xC0) == 0x80 { j -= 1 }
        return j
    }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c + 32 : c }

    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ p: StaticString) -> Bool {
        let count = p.utf8CodeUnitCount
        guard i >= 0, i + count <= b.count else { return false }
        let ptr = p.utf8Start
        for k in 0..<count where lower(b[i + k]) != ptr[k] { return false }
        return true
    }

    // MARK: Hashtags

    /// Hashtags (`#tag`, `＃tag`): a run of letters, marks, digits and joiners holding at least one letter,
    /// not glued to a word or `&` before it, not followed by another `#` or `://`.
    ///
    /// - Complexity: O(n).
    public func hashtags(_ b: UnsafeBufferPointer<UInt8>) -> [EntitySpan] {
        var out = [EntitySpan]()
        let n = b.count
        var pos = 0  // where the previous match (kept or rejected) ended: the regex cannot look before it
        var i = 0
        while i < n {
            let c = b[i]
            var sigil = 0
            if c == 0x23 { sigil = 1 } else if c == 0xEF, i + 2 < n, b[i + 1] == 0xBC, b[i + 2] == 0x83 { sigil = 3 }
            if sigil == 0 { i += 1; continue }
            // The character before: start of text, a variation selector, or anything but `&`/a tag character.
            var beforeOK = i == 0
            if i > pos {
                let (p, _) = Self.decode(b, Self.start(before: i, in: b))
                beforeOK = p.value == 0xFE0E || p.value == 0xFE0F || (p != "&" && !Self.isHashtagChar(p))
            }
            guard beforeOK else { i += sigil; continue }
            let bodyStart = i + sigil
            if bodyStart < n {
                let (next, _) = Self.decode(b, bodyStart)
                if next.value == 0xFE0F || next.value == 0x20E3 { i = bodyStart; continue }  // #️⃣ is a keycap
            }
            var j = bodyStart
            var sawLetter = false
            while j < n {
                let (s, len) = Self.decode(b, j)
                guard Self.isHashtagChar(s) else { break }
                if !sawLetter && Self.isHashtagLetter(s) { sawLetter = true }
                j += len
            }
            guard sawLetter else { i = max(j, bodyStart); continue }
            let hashStart = i
            pos = j
            i = j
            if j < n {
                if b[j] == 0x23 || (b[j] == 0xEF && j + 2 < n && b[j + 1] == 0xBC && b[j + 2] == 0x83) { continue }
                if b[j] == 0x3A, j + 2 < n, b[j + 1] == 0x2F, b[j + 2] == 0x2F { continue }
            }
            out.append(EntitySpan(kind: .hashtag, start: hashStart, end: j, bodyStart: bodyStart))
        }
        return out
    }

    // MARK: Mentions

    @inline(__always)
    static func isHandleByte(_ c: UInt8) -> Bool { isASCIIAlnum(c) || c == 0x5F }

    /// The length of an at sign at `i` (`@` 1, `＠` 3), or 0.
    @inline(__always)
    static func atSign(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        if b[i] == 0x40 { return 1 }
        if b[i] == 0xEF, i + 2 < b.count, b[i + 1] == 0xBC, b[i + 2] == 0xA0 { return 3 }
        return 0
    }

    /// Whether text after a mention makes it invalid: another at sign, a Latin accented letter, or `://`.
    @inline(__always)
    static func invalidMentionEnd(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Bool {
        guard j < b.count else { return false }
        if atSign(b, j) > 0 { return true }
        if b[j] == 0x3A { return j + 2 < b.count && b[j + 1] == 0x2F && b[j + 2] == 0x2F }
        if b[j] >= 0x80 { return isLatinAccent(decode(b, j).0.value) }
        return false
    }

    /// Mentions (`@user`, `＠user`, `@user/list`): 1–20 ASCII letters, digits or `_`, not glued to a word or to
    /// `!#$%&*@`, allowed straight after `RT`/`RT:`.
    ///
    /// - Complexity: O(n).
    public func mentions(_ b: UnsafeBufferPointer<UInt8>) -> [EntitySpan] {
        var out = [EntitySpan]()
        let n = b.count
        var pos = 0
        var i = 0
        while i < n {
            let first = Self.atSign(b, i)
            if first == 0 { i += 1; continue }
            // The whole run of at signs is the match's `@+`; only its first can have a valid character before.
            var j = i + first
            while j < n, case let k = Self.atSign(b, j), k > 0 { j += k }
            if !mentionMayStart(b, at: i, searchFrom: pos) { i = j; continue }
            let nameStart = j
            while j < n, j - nameStart < 20, Self.isHandleByte(b[j]) { j += 1 }
            guard j > nameStart else { i = j; continue }
            let nameEnd = j
            // Optional list: `/` + a letter + up to 24 letters, digits, `_` or `-`.
            if j + 1 < n, b[j] == 0x2F, Self.isASCIILetter(b[j + 1]) {
                var k = j + 2
                while k < n, k - j - 2 < 24, Self.isHandleByte(b[k]) || b[k] == 0x2D { k += 1 }
                j = k
            }
            pos = j
            i = j
            if Self.invalidMentionEnd(b, j) { continue }
            out.append(EntitySpan(kind: .mention, start: nameStart - Self.lastAtSignLength(b, nameStart), end: j,
                                  bodyStart: nameStart, bodyEnd: nameEnd))
        }
        return out
    }

    @inline(__always)
    static func lastAtSignLength(_ b: UnsafeBufferPointer<UInt8>, _ nameStart: Int) -> Int {
        b[nameStart - 1] == 0x40 ? 1 : 3
    }

    /// The `before` group of VALID_MENTION_OR_LIST for an at sign at `i`: start of text, a character that is not a
    /// handle character or `!#$%&*@＠`, or `RT`/`RT:` at the start or after a character that is not `[a-z0-9_+~.-]`.
    /// Characters before `searchFrom` belong to the previous match.
    private func mentionMayStart(_ b: UnsafeBufferPointer<UInt8>, at i: Int, searchFrom pos: Int) -> Bool {
        if i == 0 { return true }
        if i - 1 >= pos {
            let ps = Self.start(before: i, in: b)
            if ps >= pos {
                let c = b[ps]
                if c >= 0x80 {
                    if Self.decode(b, ps).0 != "＠" { return true }
                } else if !Self.isHandleByte(c) && !"!#$%&*@".utf8.contains(c) {
                    return true
                }
            }
        }
        // RT:? — the `T` (or `:`) right before the at sign.
        var t = i - 1
        if t >= 0, b[t] == 0x3A { t -= 1 }
        guard t >= 1, Self.lower(b[t]) == 0x74, Self.lower(b[t - 1]) == 0x72, t - 1 >= pos else { return false }
        let r = t - 1
        if r == 0 { return true }
        let ps = Self.start(before: r, in: b)
        guard ps >= pos else { return false }
        let c = b[ps]
        if c >= 0x80 { return true }
        return !(Self.isHandleByte(c) || c == 0x2B || c == 0x7E || c == 0x2E || c == 0x2D)
    }

    /// The handle a reply is addressed to: an at sign at the very start (after spaces and direction marks).
    /// UTF-8 offsets of the handle, or nil.
    public func reply(_ b: UnsafeBufferPointer<UInt8>) -> Range<Int>? {
        var i = 0
        let n = b.count
        while i < n {
            let (s, len) = Self.decode(b, i)
            if Self.isUnicodeSpace(s.value) || Self.isDirectional(s.value) { i += len } else { break }
        }
        guard i < n, case let a = Self.atSign(b, i), a > 0 else { return nil }
        let nameStart = i + a
        var j = nameStart
        while j < n, j - nameStart < 20, Self.isHandleByte(b[j]) { j += 1 }
        guard j > nameStart, !Self.invalidMentionEnd(b, j) else { return nil }
        return nameStart..<j
    }

    // MARK: Cashtags

    /// Cashtags (`$AAPL`, `$BRK.A`, `$RDS_A`): 1–6 ASCII letters and an optional `.`/`_` class of 1–2 letters,
    /// after a space or the start, before a space, ASCII punctuation or the end.
    ///
    /// - Complexity: O(n).
    public func cashtags(_ b: UnsafeBufferPointer<UInt8>) -> [EntitySpan] {
        var out = [EntitySpan]()
        let n = b.count
        var pos = 0
        var i = 0
        while i < n {
            guard b[i] == 0x24 else { i += 1; continue }
            var beforeOK = i == 0
            if !beforeOK, i > pos {
                let ps = Self.start(before: i, in: b)
                if ps >= pos {
                    let v = Self.decode(b, ps).0.value
                    beforeOK = Self.isUnicodeSpace(v) || Self.isDirectional(v)
                }
            }
            guard beforeOK else { i += 1; continue }
            let s = i + 1
            var j = s
            while j < n, Self.isASCIILetter(b[j]) { j += 1 }
            let run = j - s
            guard run >= 1, run <= 6 else { i = max(j, s); continue }
            var end = j
            if j + 1 < n, b[j] == 0x2E || b[j] == 0x5F, Self.isASCIILetter(b[j + 1]) {
                var k = j + 1
                while k < n, Self.isASCIILetter(b[k]) { k += 1 }
                let suffix = k - j - 1
                // With a class suffix the lookahead must hold after it; else backtracking drops the suffix and the
                // `.`/`_` itself is the punctuation the lookahead wants.
                end = suffix <= 2 && Self.cashtagMayEndBefore(b, k) ? k : j
            } else if !Self.cashtagMayEndBefore(b, j) {
                i = j
                continue
            }
            pos = end
            i = end
            out.append(EntitySpan(kind: .cashtag, start: s - 1, end: end, bodyStart: s))
        }
        return out
    }

    /// `(?=$|\s|\p{Punct})`: the end, ASCII white space or ASCII punctuation.
    @inline(__always)
    static func cashtagMayEndBefore(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Bool {
        guard j < b.count else { return true }
        let c = b[j]
        if c == 0x20 || (c >= 0x09 && c <= 0x0D) { return true }
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60)
            || (c >= 0x7B && c <= 0x7E)
    }

    // MARK: URLs

    /// URLs, with or without a scheme: a host ending in a known TLD (or any host after `http(s)://` whose last label
    /// is a known TLD), an optional port, a path that does not end in punctuation, and a query. t.co links are cut
    /// after their slug; hosts that cannot be IDNA-encoded are refused.
    ///
    /// - Complexity: O(n) for ordinary text; a candidate start rescans at most one host.
    public func urls(_ b: UnsafeBufferPointer<UInt8>) -> [EntitySpan] {
        let n = b.count
        guard n > 0, b.contains(0x2E) else { return [] }  // every URL has a dot
        var out = [EntitySpan]()
        var pos = 0
        var i = 0
        var labels = LabelBuffer()
        while i < n {
            // Candidate start `i`: the text start, or after a character the previous match did not consume that is
            // not an ASCII letter/digit, `@＠$#＃` or a non-character.
            var ok = i == 0
            if !ok && i > pos {
                let ps = Self.start(before: i, in: b)
                if ps >= pos {
                    let (p, _) = Self.decode(b, ps)
                    let v = p.value
                    if v < 0x80 {
                        let c = UInt8(v)
                        ok = !Self.isASCIIAlnum(c) && c != 0x40 && c != 0x24 && c != 0x23
                    } else {
                        ok = v != 0xFF20 && v != 0xFF03 && v != 0xFFFE && v != 0xFEFF && v != 0xFFFF
                    }
                }
            }
            // Cheap filter: a URL starts with a domain character or a Unicode domain character after a scheme.
            if !ok || b[i] < 0x30 || (b[i] < 0x80 && !Self.isASCIIAlnum(b[i])) {
                i += 1
                while i < n && (b[i] & 0xC0) == 0x80 { i += 1 }
                continue
            }
            if let m = matchURL(b, at: i, labels: &labels) {
                pos = m.end
                i = m.end
                if let span = m.span { out.append(span) }
                continue
            }
            i += 1
            while i < n && (b[i] & 0xC0) == 0x80 { i += 1 }
        }
        return out
    }

    /// A regex match at `s`: where it ends, and the entity if the extractor keeps it.
    private struct URLMatch {
        var end: Int
        var span: EntitySpan?
    }

    /// Offsets of the labels of a host being matched, reused between candidates.
    private struct LabelBuffer {
        var starts = [Int]()
        var ends = [Int]()
        var hasUnderscore = [Bool]()
        var valid = [Bool]()

        mutating func reset() {
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            hasUnderscore.removeAll(keepingCapacity: true)
            valid.removeAll(keepingCapacity: true)
        }
    }

    private func matchURL(_ b: UnsafeBufferPointer<UInt8>, at s: Int, labels: inout LabelBuffer) -> URLMatch? {
        var schemeEnd = -1
        if Self.hasPrefix(b, s, "https://") { schemeEnd = s + 8 } else if Self.hasPrefix(b, s, "http://") { schemeEnd = s + 7 }
        var hostStart = s
        var hostEnd: Int?
        if schemeEnd > 0 {
            hostEnd = matchHost(b, at: schemeEnd, afterScheme: true, labels: &labels)
            if hostEnd != nil { hostStart = schemeEnd } else { schemeEnd = -1 }
        }
        if hostEnd == nil {
            let afterScheme = Self.hasPrefix(b, s - 7, "http://") || Self.hasPrefix(b, s - 8, "https://")
            hostEnd = matchHost(b, at: s, afterScheme: afterScheme, labels: &labels)
        }
        guard let he = hostEnd else { return nil }
        let n = b.count
        var e = he
        // Port.
        if e + 1 < n, b[e] == 0x3A, b[e + 1] >= 0x30, b[e + 1] <= 0x39 {
            e += 1
            while e < n, b[e] >= 0x30, b[e] <= 0x39 { e += 1 }
        }
        // Path: the longest run of path characters and balanced parentheses that ends in an ending character.
        if e < n, b[e] == 0x2F {
            e += 1
            var j = e
            while j < n {
                if b[j] == 0x28 {
                    guard let pe = balancedParens(b, j) else { break }
                    j = pe
                    e = j
                    continue
                }
                let (c, len) = Self.decode(b, j)
                guard Self.isPathChar(c) else { break }
                j += len
                if Self.isPathEndChar(c) { e = j }
            }
        }
        // Query: `?` and query characters, ending in a query-ending character.
        if e < n, b[e] == 0x3F { e = queryEnd(b, from: e, limit: n) ?? e }
        let matchEnd = e
        var urlEnd = e
        let hasScheme = schemeEnd > 0
        if !hasScheme {
            // A scheme-less URL right after `-`, `_`, `.` or `/` is part of something else.
            if s > 0 {
                let c = b[s - 1]
                if c == 0x2D || c == 0x5F || c == 0x2E || c == 0x2F { return URLMatch(end: matchEnd, span: nil) }
            }
        } else if he - hostStart == 4, Self.hasPrefix(b, hostStart, "t.co"), he < urlEnd, b[he] == 0x2F {
            // t.co: only the slug (at most 40 characters) and a query count.
            var k = he + 1
            while k < urlEnd, Self.isASCIIAlnum(b[k]) { k += 1 }
            if k > he + 1 {
                if k - he - 1 > 40 { return URLMatch(end: matchEnd, span: nil) }
                urlEnd = k
                if k < e, b[k] == 0x3F { urlEnd = queryEnd(b, from: k, limit: e) ?? k }
            }
        }
        guard isValidHost(b, hostStart, he, urlLength: urlEnd - s + (hasScheme ? 0 : 8)) else {
            return URLMatch(end: matchEnd, span: nil)
        }
        return URLMatch(end: matchEnd, span: EntitySpan(kind: .url, start: s, end: urlEnd, bodyStart: s,
                                                         hasScheme: hasScheme))
    }

    private func queryEnd(_ b: UnsafeBufferPointer<UInt8>, from q: Int, limit: Int) -> Int? {
        var j = q + 1
        var last: Int?
        while j < limit, Self.isQueryChar(b[j]) {
            if Self.isQueryEndChar(b[j]) { last = j + 1 }
            j += 1
        }
        return last
    }

    /// `( path+ )` or `( path* ( path+ ) path* )` at `j`; the offset after it.
    private func balancedParens(_ b: UnsafeBufferPointer<UInt8>, _ j: Int) -> Int? {
        let n = b.count
        func pathRun(_ from: Int) -> Int {
            var k = from
            while k < n {
                let (c, len) = Self.decode(b, k)
                guard Self.isPathChar(c) else { break }
                k += len
            }
            return k
        }
        let a = pathRun(j + 1)
        guard a < n else { return nil }
        if b[a] == 0x29 { return a > j + 1 ? a + 1 : nil }
        guard b[a] == 0x28 else { return nil }
        let c = pathRun(a + 1)
        guard c > a + 1, c < n, b[c] == 0x29 else { return nil }
        let d = pathRun(c + 1)
        guard d < n, b[d] == 0x29 else { return nil }
        return d + 1
    }

    /// URL_VALID_DOMAIN at `s`: subdomains, a domain name and a TLD; or, right after a scheme, one label of any
    /// non-punctuation characters and a TLD. The offset after the TLD.
    private func matchHost(_ b: UnsafeBufferPointer<UInt8>, at s: Int, afterScheme: Bool,
                           labels: inout LabelBuffer) -> Int? {
        let n = b.count
        labels.reset()
        // Labels: runs of domain characters, `-` and `_`, each followed by a dot.
        var i = s
        while i < n, labels.starts.count < 128 {
            var j = i
            var underscore = false
            var firstOK = false
            var lastOK = false
            while j < n {
                let c = b[j]
                if c == 0x2D || c == 0x5F {
                    if c == 0x5F { underscore = true }
                    lastOK = false
                    j += 1
                    continue
                }
                let (sc, len) = Self.decode(b, j)
                guard Self.isDomainChar(sc) else { break }
                if j == i { firstOK = true }
                lastOK = true
                j += len
            }
            guard j > i, j < n, b[j] == 0x2E else { break }
            labels.starts.append(i)
            labels.ends.append(j)
            labels.hasUnderscore.append(underscore)
            labels.valid.append(firstOK && lastOK)
            i = j + 1
        }
        let m = labels.starts.count
        if m > 0 {
            // How many leading labels are valid subdomains.
            var validPrefix = 0
            while validPrefix < m, labels.valid[validPrefix] { validPrefix += 1 }
            var k = min(m - 1, validPrefix)
            while k >= 0 {
                if labels.valid[k], !labels.hasUnderscore[k], let e = tldEnd(b, at: labels.ends[k] + 1, allowPunycode: true) {
                    return e
                }
                k -= 1
            }
        }
        guard afterScheme else { return nil }
        // One label of Unicode domain characters (inner `-` allowed), a dot, a TLD.
        var j = s
        var lastOK = false
        while j < n {
            if b[j] == 0x2D { lastOK = false; j += 1; continue }
            let (sc, len) = Self.decode(b, j)
            guard Self.isUnicodeDomainChar(sc) else { break }
            lastOK = true
            j += len
        }
        guard j > s, b[s] != 0x2D, lastOK, j < n, b[j] == 0x2E else { return nil }
        return tldEnd(b, at: j + 1, allowPunycode: false)
    }

    /// A TLD at `t` followed by something that is not `[a-z0-9@+-]`; or punycode (`xn--…`). The offset after it.
    private func tldEnd(_ b: UnsafeBufferPointer<UInt8>, at t: Int, allowPunycode: Bool) -> Int? {
        let n = b.count
        guard t < n else { return nil }
        @inline(__always) func lookaheadOK(_ j: Int) -> Bool {
            guard j < n else { return true }
            let c = b[j]
            return !(Self.isASCIIAlnum(c) || c == 0x40 || c == 0x2B || c == 0x2D)
        }
        if b[t] < 0x80 {
            var j = t
            while j < n, Self.isASCIILetter(b[j]) { j += 1 }
            if j > t, lookaheadOK(j), tlds.containsASCII(b, t, j) { return j }
            if allowPunycode, Self.hasPrefix(b, t, "xn--"), t + 4 < n,
               Self.isASCIIAlnum(b[t + 4]) || b[t + 4] == 0x2D {
                var k = t + 4
                while k < n, Self.isASCIIAlnum(b[k]) || b[k] == 0x2D { k += 1 }
                return k
            }
            // `vermögensberatung`: ASCII letters running into non-ASCII ones may still spell a listed TLD.
            guard j > t, j < n, b[j] >= 0x80 else { return nil }
        }
        // Internationalised TLDs: the longest listed prefix of the run of (mostly) non-ASCII characters.
        var ends = [Int]()
        var j = t
        while j < n, ends.count < tlds.maxUnicodeScalars {
            let (sc, len) = Self.decode(b, j)
            if !Self.isUnicodeDomainChar(sc) { break }
            j += len
            ends.append(j)
        }
        for e in ends.reversed() where lookaheadOK(e) {
            let text = String(decoding: UnsafeBufferPointer(rebasing: b[t..<e]), as: UTF8.self)
            if tlds.containsUnicode(text) { return e }
        }
        return nil
    }

    /// IDNA check of the host (Java's `IDN.toASCII`): every label 1–63 characters once punycode-encoded, no
    /// non-ASCII label posing as punycode, and the URL within 4096 characters.
    private func isValidHost(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, urlLength: Int) -> Bool {
        var extra = 0
        var labelStart = s
        var ascii = true
        var i = s
        func checkLabel(_ ls: Int, _ le: Int, _ isASCII: Bool) -> Bool {
            if isASCII { return le - ls >= 1 && le - ls <= 63 }
            if Self.hasPrefix(b, ls, "xn--") { return false }
            let label = Normalizer.fold(String(decoding: UnsafeBufferPointer(rebasing: b[ls..<le]), as: UTF8.self))
            guard let encoded = Punycode.encodedLength(label) else { return false }
            extra += encoded - (le - ls)
            return encoded >= 1 && encoded <= 63
        }
        while i < e {
            let c = b[i]
            if c == 0x2E {
                if !checkLabel(labelStart, i, ascii) { return false }
                i += 1
                labelStart = i
                ascii = true
                continue
            }
            if c >= 0x80 {
                let (sc, len) = Self.decode(b, i)
                // Ideographic and full-width full stops separate labels in IDNA too.
                if sc.value == 0x3002 || sc.value == 0xFF0E || sc.value == 0xFF61 {
                    if !checkLabel(labelStart, i, ascii) { return false }
                    i += len
                    labelStart = i
                    ascii = true
                    continue
                }
                ascii = false
                i += len
                continue
            }
            i += 1
        }
        if !checkLabel(labelStart, e, ascii) { return false }
        return urlLength + extra <= 4096
    }
}

/// Punycode (RFC 3492), only as far as host validation needs it.
enum Punycode {
    /// The length of `xn--` + the punycode form of `label`, or the label's length when it is all ASCII;
    /// nil when it cannot be encoded.
    static func encodedLength(_ label: String) -> Int? {
        let input = label.unicodeScalars.map(\.value)
        let basic = input.filter { $0 < 0x80 }.count
        if basic == input.count { return input.count }
        let base: UInt32 = 36, tMin: UInt32 = 1, tMax: UInt32 = 26
        var length = basic + (basic > 0 ? 1 : 0)
        var n: UInt32 = 128
        var delta: UInt32 = 0
        var bias: UInt32 = 72
        var h = UInt32(basic)
        func adapt(_ d: UInt32, _ points: UInt32, _ first: Bool) -> UInt32 {
            var d = first ? d / 700 : d / 2
            d += d / points
            var k: UInt32 = 0
            while d > ((base - tMin) * tMax) / 2 {
                d /= base - tMin
                k += base
            }
            return k + (((base - tMin + 1) * d) / (d + 38))
        }
        while h < UInt32(input.count) {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            let (grow, overflow) = (m - n).multipliedReportingOverflow(by: h + 1)
            if overflow { return nil }
            delta = delta &+ grow
            n = m
            for c in input {
                if c < n { delta &+= 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        length += 1
                        q = (q - t) / (base - t)
                        k += base
                    }
                    length += 1
                    bias = adapt(delta, h + 1, h == UInt32(basic))
                    delta = 0
                    h += 1
                }
            }
            delta &+= 1
            n += 1
        }
        return length + 4
    }
}
