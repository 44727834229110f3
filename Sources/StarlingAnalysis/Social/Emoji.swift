// Emoji: recognising a grapheme cluster as an emoji sequence, and folding it for matching
// (skin tones and presentation selectors dropped, so 👍 finds 👍🏽).

/// Emoji recognition and folding. Stateless.
public enum Emoji {
    /// Whether a grapheme cluster is an emoji (single pictograph, ZWJ sequence, flag, keycap, tagged flag,
    /// or a text-default symbol made emoji by U+FE0F or a skin-tone modifier).
    public static func isEmoji(_ c: Character) -> Bool {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return false }
        let p = first.properties
        if p.isEmojiPresentation { return true }
        if first.value < 0x80 && !(first == "#" || first == "*" || (first.value >= 0x30 && first.value <= 0x39)) {
            return false
        }
        if p.isEmoji {
            for s in scalars.dropFirst() where s.value == 0xFE0F || s.value == 0x20E3 || s.properties.isEmojiModifier {
                return true
            }
            // Text-default pictographs standing alone (☺, ♥, ✈) count too; ©, ®, ™ and ‼ stay symbols.
            if first.value >= 0x2300 { return true }
        }
        return false
    }

    /// The matching form: variation selectors (U+FE0E, U+FE0F) and skin-tone modifiers removed.
    /// A sequence that folds to nothing keeps its original form.
    public static func fold(_ c: Substring) -> String {
        var out = String.UnicodeScalarView()
        for s in c.unicodeScalars {
            if s.value == 0xFE0F || s.value == 0xFE0E || (s.value >= 0x1F3FB && s.value <= 0x1F3FF) { continue }
            out.append(s)
        }
        return out.isEmpty ? String(c) : String(out)
    }
}
