// Mastodon sends a status as a small HTML fragment. This turns it into the plain text a person sees
// (line breaks and paragraphs kept, tags dropped, entities decoded) and collects the links it holds.
import StarlingModel

/// Plain text and links of an HTML fragment.
struct HTMLText: Sendable, Equatable {
    /// The visible text, with `<br>` as a newline and paragraphs separated by a blank line.
    var text: String
    /// Links from anchors that are not mention or hashtag links: `url` is the anchor's text, `expanded` its
    /// `href` when that differs.
    var links: [PostURL]

    /// Converts `html`.
    /// - Complexity: O(n) in the length of the fragment.
    init(html: String) {
        var out: [UInt8] = []
        out.reserveCapacity(html.utf8.count)
        var links: [PostURL] = []
        var anchor: (start: Int, href: String, isLink: Bool)?
        let b = Array(html.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == 0x3C, let tag = HTMLText.parseTag(b, at: i) {  // '<'
                i = tag.end
                switch tag.name {
                case "br":
                    out.append(0x0A)
                case "p", "div", "li", "blockquote":
                    if tag.closing { HTMLText.paragraphBreak(&out) } else if !out.isEmpty, out.last != 0x0A {
                        HTMLText.paragraphBreak(&out)
                    }
                case "a":
                    if tag.closing {
                        if let a = anchor, a.isLink {
                            let shown = String(decoding: out[a.start...], as: UTF8.self).trimmed
                            if !shown.isEmpty || !a.href.isEmpty {
                                let url = shown.isEmpty ? a.href : shown
                                links.append(PostURL(url: url, expanded: a.href.isEmpty || a.href == url ? nil : a.href))
                            }
                        }
                        anchor = nil
                    } else {
                        let cls = tag.attributes["class"] ?? ""
                        let rel = tag.attributes["rel"] ?? ""
                        // Mastodon marks hashtag links `class="mention hashtag"` and mentions `class="u-url mention"`.
                        let isEntity = cls.contains("mention") || cls.contains("hashtag") || rel.contains("tag")
                        anchor = (out.count, tag.attributes["href"] ?? "", !isEntity)
                    }
                default:
                    break
                }
                continue
            }
            if c == 0x26, let (scalar, end) = HTMLText.parseEntity(b, at: i) {  // '&'
                out.append(contentsOf: Array(String(scalar).utf8))
                i = end
                continue
            }
            out.append(c)
            i += 1
        }
        while let last = out.last, last == 0x0A || last == 0x20 { out.removeLast() }
        var start = 0
        while start < out.count, out[start] == 0x0A || out[start] == 0x20 { start += 1 }
        text = String(decoding: out[start...], as: UTF8.self)
        self.links = links
    }

    private static func paragraphBreak(_ out: inout [UInt8]) {
        guard !out.isEmpty else { return }
        while out.last == 0x20 { out.removeLast() }
        if out.last != 0x0A { out.append(0x0A) }
        if out.count < 2 || out[out.count - 2] != 0x0A { out.append(0x0A) }
    }

    private struct Tag {
        var name: String
        var closing: Bool
        var attributes: [String: String]
        var end: Int
    }

    /// Parses the tag at `b[i] == '<'`; nil when it is not a tag (a lone `<` in text).
    private static func parseTag(_ b: [UInt8], at start: Int) -> Tag? {
        var i = start + 1
        var closing = false
        if i < b.count, b[i] == 0x2F { closing = true; i += 1 }
        let nameStart = i
        while i < b.count, isNameByte(b[i]) { i += 1 }
        guard i > nameStart else {
            // Comments and doctype-like constructs: skip to '>'.
            if i < b.count, b[i] == 0x21, let close = b[i...].firstIndex(of: 0x3E) {
                return Tag(name: "!", closing: false, attributes: [:], end: close + 1)
            }
            return nil
        }
        let name = String(decoding: b[nameStart..<i], as: UTF8.self).lowercased()
        var attributes: [String: String] = [:]
        while i < b.count {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x2F { i += 1 }
            guard i < b.count else { return nil }
            if b[i] == 0x3E { return Tag(name: name, closing: closing, attributes: attributes, end: i + 1) }
            let attrStart = i
            while i < b.count, isNameByte(b[i]) { i += 1 }
            if i == attrStart { i += 1; continue }  // junk byte inside a tag: skip it
            let attr = String(decoding: b[attrStart..<i], as: UTF8.self).lowercased()
            var value = ""
            if i < b.count, b[i] == 0x3D {  // '='
                i += 1
                if i < b.count, b[i] == 0x22 || b[i] == 0x27 {
                    let q = b[i]
                    i += 1
                    let vStart = i
                    while i < b.count, b[i] != q { i += 1 }
                    value = decodeEntities(b[vStart..<min(i, b.count)])
                    i += 1
                } else {
                    let vStart = i
                    while i < b.count, b[i] != 0x20, b[i] != 0x3E { i += 1 }
                    value = decodeEntities(b[vStart..<i])
                }
            }
            attributes[attr] = value
        }
        return nil
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x5F || c == 0x3A
    }

    private static func decodeEntities(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(0x26) else { return String(decoding: s, as: UTF8.self) }
        let b = Array(s)
        var out = ""
        var i = 0
        while i < b.count {
            if b[i] == 0x26, let (scalar, end) = parseEntity(b, at: i) {
                out.unicodeScalars.append(scalar)
                i = end
            } else {
                let runStart = i
                i += 1
                while i < b.count, b[i] != 0x26 { i += 1 }
                out += String(decoding: b[runStart..<i], as: UTF8.self)
            }
        }
        return out
    }

    /// Decodes `&name;`, `&#NNN;` or `&#xHH;` at `b[i] == '&'`.
    static func parseEntity(_ b: [UInt8], at start: Int) -> (Unicode.Scalar, Int)? {
        var i = start + 1
        let limit = min(b.count, start + 12)
        let bodyStart = i
        while i < limit, b[i] != 0x3B { i += 1 }
        guard i < limit, i > bodyStart else { return nil }
        let body = b[bodyStart..<i]
        let end = i + 1
        if body.first == 0x23 {  // '#'
            var digits = body.dropFirst()
            var radix = 10
            if let x = digits.first, x == 0x78 || x == 0x58 { radix = 16; digits = digits.dropFirst() }
            guard !digits.isEmpty, let v = UInt32(String(decoding: digits, as: UTF8.self), radix: radix) else { return nil }
            // Numeric references to surrogates or beyond Unicode become U+FFFD, as HTML specifies.
            return (Unicode.Scalar(v == 0 ? 0xFFFD : v) ?? "\u{FFFD}", end)
        }
        guard let scalar = namedEntities[String(decoding: body, as: UTF8.self)] else { return nil }
        return (scalar, end)
    }

    /// The named entities that occur in social HTML (the full HTML table is 2,000 names; these cover real posts).
    private static let namedEntities: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "hellip": "\u{2026}",
        "mdash": "\u{2014}", "ndash": "\u{2013}", "lsquo": "\u{2018}", "rsquo": "\u{2019}", "ldquo": "\u{201C}",
        "rdquo": "\u{201D}", "laquo": "\u{00AB}", "raquo": "\u{00BB}", "copy": "\u{00A9}", "reg": "\u{00AE}",
        "trade": "\u{2122}", "euro": "\u{20AC}", "pound": "\u{00A3}", "middot": "\u{00B7}", "bull": "\u{2022}",
        "shy": "\u{00AD}", "zwj": "\u{200D}", "zwnj": "\u{200C}", "deg": "\u{00B0}", "times": "\u{00D7}",
    ]
}
