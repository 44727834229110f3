// What counts as a hashtag, a mention or a cashtag after its sigil. Anything else that starts with a
// sigil stays a word (`#1`, `$5`, `@bob!`), which the analyzer then reads exactly as it reads posts.

enum QueryTerms {
    /// Punctuation that lives inside words of some scripts and so inside hashtags, as on the platforms:
    /// ZWNJ/ZWJ (Persian, Indic), Hebrew maqaf and gershayim, Japanese wave dashes, middle dots,
    /// iteration and sound marks, the Tibetan tsheg.
    static let hashtagInnerPunctuation: Set<UInt32> = [
        0x200C, 0x200D, 0xA67E, 0x05BE, 0x05F3, 0x05F4, 0xFF5E, 0x301C, 0x309B, 0x309C, 0x30A0, 0x30FB,
        0x3003, 0x0F0B, 0x0F0C, 0x00B7,
    ]

    /// Letters, marks, numbers, connectors (`_`) and ``hashtagInnerPunctuation`` in any script, with at
    /// least one letter or mark (`#1`, `#_`, `#1_2` are not hashtags).
    static func isHashtag(_ body: String) -> Bool {
        var sawLetter = false
        for scalar in body.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .nonspacingMark, .spacingMark, .enclosingMark:
                sawLetter = true
            case .decimalNumber, .letterNumber, .otherNumber, .connectorPunctuation:
                continue
            default:
                if hashtagInnerPunctuation.contains(scalar.value) { continue }
                return false
            }
        }
        return sawLetter
    }

    /// A user name: ASCII letters, digits and `_` (every platform's rule), with `.` and `-` allowed inside
    /// (Bluesky handles, Mastodon names), optionally followed by `@instance.host` (`alice@mastodon.social`).
    static func isHandle(_ body: String) -> Bool {
        let parts = body.split(separator: "@", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return isUserName(parts[0])
        case 2: return isUserName(parts[0]) && isHostName(parts[1])
        default: return false
        }
    }

    private static func isUserName(_ name: Substring) -> Bool {
        func isNameCharacter(_ c: Character) -> Bool { c == "_" || (c.isASCII && (c.isLetter || c.isNumber)) }
        guard let first = name.first, let last = name.last, isNameCharacter(first), isNameCharacter(last) else {
            return false
        }
        return name.allSatisfy { isNameCharacter($0) || $0 == "." || $0 == "-" }
    }

    /// Dot-separated labels of letters, marks and digits with inner hyphens; at least two labels.
    static func isHostName(_ host: Substring) -> Bool {
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            guard let first = label.first, let last = label.last, first != "-", last != "-" else { return false }
            return label.allSatisfy { $0 == "-" || $0.isLetter || $0.isNumber }
        }
    }

    /// `$` + 1–6 ASCII letters, optionally `.` or `_` and 1–2 more letters (`$BRK.B`, `$BF_B`). `$5` is money.
    static func isCashtag(_ body: String) -> Bool {
        let scalars = Array(body.unicodeScalars)
        func isLetter(_ s: Unicode.Scalar) -> Bool { ("A"..."Z").contains(s) || ("a"..."z").contains(s) }
        var i = 0
        while i < scalars.count, isLetter(scalars[i]) { i += 1 }
        guard (1...6).contains(i) else { return false }
        if i == scalars.count { return true }
        guard scalars[i] == "." || scalars[i] == "_" else { return false }
        let suffix = scalars[(i + 1)...]
        return (1...2).contains(suffix.count) && suffix.allSatisfy(isLetter)
    }
}
