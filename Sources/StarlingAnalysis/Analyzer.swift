// The analysis pipeline, run on a post's text at index time and on a query's words at query time:
//   1. social entities found on the raw text (SocialScanner): #hashtags, @mentions, $cashtags, URLs;
//   2. ICU word segmentation of everything else (WordSegmenter), emoji sequences kept whole;
//   3. each token folded for matching (Normalizer: NFKC + casefold; Emoji.fold; URLCanonicalizer).
// Offsets always point into the original text.
import StarlingModel

/// Analyses texts. Holds an ICU breaker, so it is not thread-safe: give each thread its own (they are cheap).
public final class Analyzer {
    /// The shared data tables.
    public let configuration: AnalyzerConfiguration
    private let segmenter: WordSegmenter

    public init(configuration: AnalyzerConfiguration) throws {
        self.configuration = configuration
        segmenter = try WordSegmenter()
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

    private func run(_ b: UnsafeBufferPointer<UInt8>, links: [PostURL], into r: inout Analysis) {
        let entities = SocialScanner.scan(b)
        let segments = segmenter.segments(b)
        var position: UInt32 = 0
        var cursor = 0
        var ei = 0
        r.tokens.reserveCapacity(segments.count / 2 + entities.count)

        // "RT @user:" at the start (after any punctuation) marks a reshare.
        var skipRTWord = -1
        if let first = entities.first, first.kind == .mention {
            var k = 0
            while k < first.start, b[k] < 0x80, !((b[k] | 0x20) >= 0x61 && (b[k] | 0x20) <= 0x7A) { k += 1 }
            if k + 2 <= first.start, (b[k] | 0x20) == 0x72, (b[k + 1] | 0x20) == 0x74 {
                var m = k + 2
                while m < first.start, b[m] == 0x20 || b[m] == 0x3A { m += 1 }
                if m == first.start, k + 2 < first.start {
                    r.isReshare = true
                    r.reshareAuthor = string(b, first.bodyStart, first.end)
                    skipRTWord = k
                }
            }
        }

        func emitEntity(_ e: EntitySpan) {
            let whole = string(b, e.start, e.end)
            switch e.kind {
            case .hashtag:
                let body = b[e.bodyStart..<e.end]
                let bodyText = String(decoding: UnsafeBufferPointer(rebasing: body), as: UTF8.self)
                let folded = Normalizer.fold(bodyText)
                let parts = HashtagWords.split(bodyText[...]).map { Normalizer.fold($0) }
                r.hashtags.append(Hashtag(text: bodyText, normalized: folded, words: parts))
                r.tokens.append(Token(kind: .hashtag, text: whole, normalized: folded, start: e.start, end: e.end,
                                      position: position))
                position += UInt32(max(1, parts.count))
            case .mention:
                let body = string(b, e.bodyStart, e.end)
                let folded = Normalizer.fold(body)
                r.mentions.append(Handle(text: body, normalized: folded))
                r.tokens.append(Token(kind: .mention, text: whole, normalized: folded, start: e.start, end: e.end,
                                      position: position))
                position += 1
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
                    if Emoji.isEmoji(ch) {
                        let raw = String(ch)
                        let folded = Emoji.fold(raw[...])
                        r.emoji.append(EmojiToken(text: raw, folded: folded))
                        r.tokens.append(Token(kind: .emoji, text: raw, normalized: folded, start: offset,
                                              end: offset + len, position: position))
                        position += 1
                    }
                    offset += len
                }
                return
            }
            if s == skipRTWord && e - s == 2 { return }
            let raw = string(b, s, e)
            // A keycap (1️⃣) segments as a number; it is an emoji.
            if kind == .number, raw.unicodeScalars.contains(where: { $0.value == 0x20E3 || $0.value == 0xFE0F }) {
                let folded = Emoji.fold(raw[...])
                r.emoji.append(EmojiToken(text: raw, folded: folded))
                r.tokens.append(Token(kind: .emoji, text: raw, normalized: folded, start: s, end: e,
                                      position: position))
                position += 1
                return
            }
            var folded = Normalizer.fold(raw)
            if folded.utf8.contains(0xE2) { folded = folded.replacingOccurrences(of: "\u{2019}", with: "'") }
            if folded.isEmpty { return }
            r.tokens.append(Token(kind: kind == .number ? .number : .word, text: raw, normalized: folded, start: s,
                                  end: e, position: position))
            position += 1
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
