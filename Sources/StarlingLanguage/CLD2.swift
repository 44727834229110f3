// CLD2 from Swift: one call into the CCLD2 shim, its answer copied into a value with ISO codes.
import CCLD2

/// One language in CLD2's answer.
public struct CLD2Language: Sendable, Equatable {
    /// ISO 639-1 code where one exists (CLD2's `iw` becomes `he`, `zh-Hant` becomes `zh`), else CLD2's code.
    public var code: String
    /// Share of the text's letters in this language, 0-100.
    public var percent: Int
    /// CLD2's normalised score for the language (per-byte score scaled; real text of the language scores high).
    public var score: Double
}

/// CLD2's answer for a text.
public struct CLD2Result: Sendable, Equatable {
    /// Up to three languages, best first; empty when CLD2 does not know.
    public var languages: [CLD2Language]
    /// CLD2 calls the top language reliable.
    public var isReliable: Bool
    /// Letter bytes CLD2 looked at.
    public var textBytes: Int

    /// The top language's code, or nil.
    public var top: String? { languages.first?.code }
}

/// The Compact Language Detector 2 (Debian's libcld2 with its full tables). Stateless and thread-safe.
public enum CLD2 {
    /// Detects the language of plain `text`. With `bestEffort`, CLD2 answers even for a few letters.
    ///
    /// - Complexity: O(n) in the length of the text.
    public static func detect(_ text: String, bestEffort: Bool = true, hint: String? = nil) -> CLD2Result {
        var text = text
        var raw = ccld2_result()
        let ok = text.withUTF8 { b -> Bool in
            b.withMemoryRebound(to: CChar.self) { c in
                if let hint {
                    return hint.withCString { ccld2_detect(c.baseAddress, c.count, bestEffort, $0, &raw) }
                }
                return ccld2_detect(c.baseAddress, c.count, bestEffort, nil, &raw)
            }
        }
        guard ok else { return CLD2Result(languages: [], isReliable: false, textBytes: 0) }
        var langs: [CLD2Language] = []
        withUnsafeBytes(of: raw.codes) { codes in
            let width = 16
            let percents = [raw.percents.0, raw.percents.1, raw.percents.2]
            let scores = [raw.scores.0, raw.scores.1, raw.scores.2]
            for i in 0..<3 {
                let bytes = codes[(i * width)..<(i * width + width)].prefix { $0 != 0 }
                let cld = String(decoding: bytes, as: UTF8.self)
                guard cld != "un", percents[i] > 0, let code = LanguageCodes.iso(fromCLD2: cld) else { continue }
                langs.append(CLD2Language(code: code, percent: Int(percents[i]), score: scores[i]))
            }
        }
        return CLD2Result(languages: langs, isReliable: raw.reliable, textBytes: Int(raw.text_bytes))
    }

    /// CLD2's version text.
    public static var version: String { String(cString: ccld2_version()) }
}
