// The analysis pipeline, run on a post's text at index time and on a query's words at query time:
//   1. social entities found on the raw text (SocialScanner, twitter-text's rules): #hashtags, @mentions,
//      $cashtags, URLs (with or without a scheme);
//   2. ICU word segmentation of everything else (WordSegmenter), emoji sequences kept whole;
//   3. each token folded for matching (Normalizer: NFKC + casefold; Emoji.fold; URLCanonicalizer), words also
//      without accents, hashtags split into words (CamelCase, then the word-frequency model), emoji named (CLDR).
// Offsets always point into the original text.
import StarlingModel

/// Analyses texts. Holds an ICU breaker, so it is not thread-safe: give each thread its own (they are cheap).
public final class Analyzer {
    /// The shared data tables.
    public let configuration: AnalyzerConfiguration
    private let segmenter: WordSegmenter
    private let scanner: SocialScanner

    /// An analyser over the given tables.
    public init(configuration: AnalyzerConfiguration) throws {
        self.configuration = configuration
        segmenter = try WordSegmenter()
        scanner = SocialScanner(tlds: configuration.tlds)
    }

    /// An analyser with the standard configuration from analyzers/.
    public convenience init() throws {
        try self.init(configuration: AnalyzerConfiguration.shared.get())
    }

    /// Analyses `text`. `links` are the platform's URL entities: a t.co link in the text is replaced by its
    /// `expanded` form for canonical URLs and domains.
    ///
    /// - Complexity: O(n) in the length of the text.
    public func analyze(_ text: String, links: [PostURL] = []) -> Analysis {
        var text = text
        text.makeContiguousUTF8()
        var result = Analysis(text: text, normalized: Normalizer.fold(text), tokens: [], hashtags: [], mentions: [],
                              cashtags: [], urls: [], emoji: [], isReshare: false, reshareAuthor: nil)
        text.withUTF8 { b in
            run(b, links: links, into: &result)
        }
        return result
    }

    private func string(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
    }

    /// An emoji token for a grapheme cluster, named from the table.
    private func emojiToken(_ raw: String) -> EmojiToken {
        let folded = Emoji.fold(raw[...])
        let entry = configuration.emoji.entry(folded: folded)
        return EmojiToken(text: raw, folded: folded, name: entry?.name, nameTerms: entry?.nameTerms ?? [])
    }

    /// Whether the marks of `word` are accents a reader may leave out: every letter is Latin, Greek, Cyrillic,
    /// Armenian, Hebrew or Arabic (pointing and harakat are optional there). Not for kana (バ is not ハ), Indic
    /// scripts or Thai, whose marks are letters in all but name.
    static func hasOptionalMarks(_ word: String) -> Bool {
        for s in word.unicodeScalars where s.value >= 0x80 {
            switch s.value {
            case 0x80...0x6FF, 0x1E00...0x1FFF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xFB00...0xFB4F:
                continue
            default:
                return false
            }
        }
        return true
    }

    /// Whether `b[s..<e]` may hold an emoji: a presentation selector, a keycap mark, or a scalar from the
    /// symbol blocks (U+2100–U+2BFF, U+1F000 and up). Cheap, so plain words skip the grapheme walk.
    @inline(__always)
    private func mayHoldEmoji(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int) -> Bool {
        var i = s
        while i < e {
            let c = b[i]
            if c < 0xE2 { i += c < 0x80 ? 1 : 2; continue }
            if c >= 0xF0 { if c == 0xF0 && i + 1 < e && b[i + 1] >= 0x9F { return true }; i += 4; continue }
            let (sc, len) = UTF8Scalars.decode(b, i)
            let v = sc.value
            if v == 0xFE0F || v == 0x20E3 || (v >= 0x2100 && v <= 0x2BFF) || v == 0x3030 || v == 0x303D
                || v == 0x3297 || v == 0x3299 {
                return true
            }
            i += len
        }
        return false
    }

    private func run(_ b: UnsafeBufferPointer<UInt8>, links: [PostURL], into r: inout Analysis) {
        let entities = scanner.scan(b)
        let segments = segmenter.segments(b)
        var position: UInt32 = 0
        var cursor = 0
        var ei = 0
        r.tokens.reserveCapacity(segments.count / 2 + entities.count)
        if let reply = scanner.reply(b) { r.replyTo = string(b, reply.lowerBound, reply.upperBound) }

        // "RT @user:" at the start (after any punctuation) marks a reshare.
        var skipRTWord = -1
        if let first = entities.first, first.kind == .mention {
            var k = 0
            while k < first.start, b[k] < 0x80, !((b[k] | 0x20) >= 0x61 && (b[k] | 0x20) <= 0x7A) { k += 1 }
            if k + 2 <= first.start, (b[k] | 0x20) == 0x72, (b[k + 1] | 0x20) == 0x74 {
                var m = k + 2
                while m < first.start, b[m] == 0x20 || b[m] == 0x3A { m += 1 }
                if m == first.start {
                    r.isReshare = true
                    r.reshareAuthor = string(b, first.bodyStart, first.bodyEnd)
                    skipRTWord = k
                }
            }
        }

        func emitSpan(_ s: Int, _ e: Int, _ kind: SegmentKind) {
            guard s < e else { return }
            if kind == .other {
                // Punctuation and spaces carry nothing; emoji do.
                var ascii = true
                for k in s..<e where b[k] >= 0x80 { ascii = false; break }
                if ascii { return }
                let piece = string(b, s, e)
                var offset = s
                for ch in piece {
                    let len = ch.utf8.count
                    if Emoji.isEmoji(ch) || (ch.utf8.count > 1 && configuration.emoji.entry(folded: Emoji.fold(String(ch)[...])) != nil) {
                        let token = emojiToken(String(ch))
                        r.emoji.append(token)
                        r.tokens.append(Token(kind: .emoji, text: token.text, normalized: token.folded, start: offset,
                                              end: offset + len, position: position))
                        position += 1
                    }
                    offset += len
                }
                return
            }
            if s == skipRTWord && e - s == 2 { return }
            // A piece of a word cut by an entity (`http://t.co/abc's`) loses the punctuation at its edges.
            var s = s
            var e = e
            while s < e, b[s] < 0x80, !SocialScanner.isASCIIAlnum(b[s]) { s += 1 }
            while e > s, b[e - 1] < 0x80, !SocialScanner.isASCIIAlnum(b[e - 1]) { e -= 1 }
            guard s < e else { return }
            // ICU puts keycaps (1️⃣) and letter-like pictographs (🅰️, ℹ️, Ⓜ️) inside words: they are emoji.
            if mayHoldEmoji(b, s, e) {
                let piece = string(b, s, e)
                if piece.contains(where: Emoji.isEmoji) {
                    var offset = s
                    var runStart = s
                    for ch in piece {
                        let len = ch.utf8.count
                        if Emoji.isEmoji(ch) {
                            if runStart < offset { emitWord(runStart, offset, kind) }
                            let token = emojiToken(String(ch))
                            r.emoji.append(token)
                            r.tokens.append(Token(kind: .emoji, text: token.text, normalized: token.folded,
                                                  start: offset, end: offset + len, position: position))
                            position += 1
                            runStart = offset + len
                        }
                        offset += len
                    }
                    if runStart < e { emitWord(runStart, e, kind) }
                    return
                }
            }
            emitWord(s, e, kind)
        }

        func emitWord(_ s: Int, _ e: Int, _ kind: SegmentKind) {
            let raw = string(b, s, e)
            var folded = Normalizer.fold(raw)
            if folded.utf8.contains(0xE2) { folded = folded.replacingOccurrences(of: "\u{2019}", with: "'") }
            if folded.isEmpty { return }
            var unaccented: String?
            if folded.utf8.contains(where: { $0 >= 0x80 }), Self.hasOptionalMarks(folded) {
                let stripped = Normalizer.foldStrippingMarks(folded[...])
                if stripped != folded && !stripped.isEmpty { unaccented = stripped }
            }
            r.tokens.append(Token(kind: kind == .number ? .number : .word, text: raw, normalized: folded, start: s,
                                  end: e, position: position, unaccented: unaccented))
            position += 1
        }

        func emitEntity(_ e: EntitySpan) {
            let whole = string(b, e.start, e.end)
            switch e.kind {
            case .hashtag:
                let bodyText = string(b, e.bodyStart, e.end)
                let folded = Normalizer.fold(bodyText)
                let parts = HashtagWords.words(bodyText[...], segmenter: configuration.hashtagWords)
                    .map { Normalizer.fold($0) }
                r.hashtags.append(Hashtag(text: bodyText, normalized: folded, words: parts))
                r.tokens.append(Token(kind: .hashtag, text: whole, normalized: folded, start: e.start, end: e.end,
                                      position: position))
                position += UInt32(max(1, parts.count))
            case .mention:
                // A list mention (`@user/list`) mentions the user; the slug's words stay words.
                let handle = string(b, e.start, e.bodyEnd)
                let body = string(b, e.bodyStart, e.bodyEnd)
                let folded = Normalizer.fold(body)
                r.mentions.append(Handle(text: body, normalized: folded))
                r.tokens.append(Token(kind: .mention, text: handle, normalized: folded, start: e.start, end: e.bodyEnd,
                                      position: position))
                position += 1
                if e.bodyEnd < e.end { emitWords(e.bodyEnd, e.end) }
            case .cashtag:
                let body = string(b, e.bodyStart, e.end)
                let folded = Normalizer.fold(body)
                r.cashtags.append(Handle(text: body, normalized: folded))
                r.tokens.append(Token(kind: .cashtag, text: whole, normalized: folded, start: e.start, end: e.end,
                                      position: position))
                position += 1
            case .url:
                let expanded = links.first { $0.url == whole }?.expanded
                let target = expanded ?? whole
                let canon = configuration.urls.canonicalize(target)
                r.urls.append(Link(text: whole, canonical: canon?.canonical ?? target, expanded: expanded,
                                   domains: canon?.domains ?? []))
                r.tokens.append(Token(kind: .url, text: whole, normalized: canon?.canonical ?? target, start: e.start,
                                      end: e.end, position: position))
                position += 1
                // A URL written without a scheme (`bbc.co.uk`, or `tired.So` typed without a space) is also
                // text: its words stay findable as before.
                if !e.hasScheme { emitWords(e.start, e.end) }
            }
        }

        /// The word segments inside `[s, e)`.
        func emitWords(_ s: Int, _ e: Int) {
            var lo = 0
            var hi = segments.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if segments[mid].end <= s { lo = mid + 1 } else { hi = mid }
            }
            var k = lo
            while k < segments.count, segments[k].start < e {
                let seg = segments[k]
                if seg.kind != .other { emitSpan(max(seg.start, s), min(seg.end, e), seg.kind) }
                k += 1
            }
        }

        for seg in segments {
            var s = max(seg.start, cursor)
            while s < seg.end {
                if ei < entities.count, entities[ei].start < seg.end {
                    let ent = entities[ei]
                    if ent.start > s { emitSpan(s, ent.start, seg.kind) }
                    emitEntity(ent)
                    cursor = ent.end
                    ei += 1
                    s = max(s, cursor)
                } else {
                    emitSpan(s, seg.end, seg.kind)
                    s = seg.end
                }
            }
        }
        while ei < entities.count {
            emitEntity(entities[ei])
            ei += 1
        }
    }
}
