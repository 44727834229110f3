// Language codes: CLD2's codes mapped onto ISO 639-1 (where one exists), and which writing systems point to which
// language when a text has nothing else to go on.

/// Conversions between the codes CLD2 uses and the ISO codes Starling stores.
public enum LanguageCodes {
    /// The code Starling stores when the language is undetermined (ISO 639-2 `und`).
    public static let undetermined = "und"

    /// Old or CLD2-specific codes and their ISO 639-1 equivalents.
    private static let renamed: [String: String] = [
        "iw": "he", "jw": "jv", "in": "id", "ji": "yi", "mo": "ro", "sh": "sr", "zh-Hant": "zh", "sr-ME": "sr",
        "nn": "nn", "nb": "no",
    ]

    /// The ISO code for a CLD2 language code, or nil for CLD2's unknown / artificial languages (`un`, `xx-…`).
    public static func iso(fromCLD2 code: String) -> String? {
        if code == "un" || code.hasPrefix("xx") || code.isEmpty { return nil }
        if let r = renamed[code] { return r }
        if let dash = code.firstIndex(of: "-") { return String(code[..<dash]) }
        return code
    }

    /// A language tag from a platform (`en`, `en-GB`, `pt-br`, `und`, `zh-cn`) as the ISO code Starling stores,
    /// or nil when it names no language.
    public static func normalizePlatformTag(_ tag: String?) -> String? {
        guard var t = tag?.lowercased(), !t.isEmpty else { return nil }
        if let dash = t.firstIndex(where: { $0 == "-" || $0 == "_" }) { t = String(t[..<dash]) }
        if t == "und" || t == "un" || t == "zxx" || t == "qme" || t == "qht" || t == "qam" || t == "qct"
            || t.hasPrefix("q") && t.count == 3 || t == "lang" || t == "language" || t.count < 2 || t.count > 3 {
            return nil
        }
        guard t.allSatisfy({ $0 >= "a" && $0 <= "z" }) else { return nil }
        return renamed[t] ?? t
    }
}

/// The writing systems that matter for telling languages apart.
public enum Script: Int, Sendable, CaseIterable {
    case latin, arabic, devanagari, han, kana, hangul, thai, cyrillic, greek, hebrew, armenian, georgian, bengali,
         tamil, telugu, gujarati, gurmukhi, kannada, malayalam, sinhala, khmer, lao, myanmar, ethiopic, tibetan, other

    /// The language a text written only in this script is taken to be when nothing else decides
    /// (nil: the script is shared by many languages).
    public var soleLanguage: String? {
        switch self {
        case .kana: "ja"
        case .hangul: "ko"
        case .thai: "th"
        case .greek: "el"
        case .hebrew: "he"
        case .armenian: "hy"
        case .georgian: "ka"
        case .bengali: "bn"
        case .tamil: "ta"
        case .telugu: "te"
        case .gujarati: "gu"
        case .gurmukhi: "pa"
        case .kannada: "kn"
        case .malayalam: "ml"
        case .sinhala: "si"
        case .khmer: "km"
        case .lao: "lo"
        case .myanmar: "my"
        case .ethiopic: "am"
        case .tibetan: "bo"
        case .han: "zh"
        case .arabic: "ar"
        case .devanagari: "hi"
        case .cyrillic: "ru"
        case .latin, .other: nil
        }
    }

    /// The script of a letter, by Unicode block.
    @inline(__always)
    public static func of(_ v: UInt32) -> Script {
        switch v {
        case 0..<0x250, 0x1E00..<0x1F00, 0x2C60..<0x2C80, 0xA720..<0xA800, 0xFF21..<0xFF5B: .latin
        case 0x370..<0x400, 0x1F00..<0x2000: .greek
        case 0x400..<0x530, 0x1C80..<0x1C90, 0x2DE0..<0x2E00, 0xA640..<0xA6A0: .cyrillic
        case 0x530..<0x590: .armenian
        case 0x590..<0x600, 0xFB1D..<0xFB50: .hebrew
        case 0x600..<0x700, 0x750..<0x780, 0x8A0..<0x900, 0xFB50..<0xFE00, 0xFE70..<0xFF00: .arabic
        case 0x900..<0x980, 0xA8E0..<0xA900: .devanagari
        case 0x980..<0xA00: .bengali
        case 0xA00..<0xA80: .gurmukhi
        case 0xA80..<0xB00: .gujarati
        case 0xB80..<0xC00: .tamil
        case 0xC00..<0xC80: .telugu
        case 0xC80..<0xD00: .kannada
        case 0xD00..<0xD80: .malayalam
        case 0xD80..<0xE00: .sinhala
        case 0xE00..<0xE80: .thai
        case 0xE80..<0xF00: .lao
        case 0xF00..<0x1000: .tibetan
        case 0x1000..<0x10A0: .myanmar
        case 0x10A0..<0x1100, 0x2D00..<0x2D30: .georgian
        case 0x1100..<0x1200, 0x3130..<0x3190, 0xA960..<0xA980, 0xAC00..<0xD7B0, 0xD7B0..<0xD800, 0xFFA0..<0xFFE0:
            .hangul
        case 0x1200..<0x13A0: .ethiopic
        case 0x1780..<0x1800: .khmer
        case 0x3040..<0x3100, 0x31F0..<0x3200, 0xFF66..<0xFF9E: .kana
        case 0x2E80..<0x2FE0, 0x3005, 0x3007, 0x3021..<0x302A, 0x3400..<0x4DC0, 0x4E00..<0xA000, 0xF900..<0xFB00,
             0x20000..<0x323B0:
            .han
        default: .other
        }
    }

    /// Han, kana and hangul: the scripts written without spaces between words (for bigram indexing).
    public var isCJK: Bool { self == .han || self == .kana || self == .hangul }
}
