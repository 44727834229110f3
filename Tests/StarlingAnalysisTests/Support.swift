// Shared helpers of the analysis tests: the compact token form of the golden tables, and where Debian's
// Unicode data files live.
import Foundation
import StarlingAnalysis

/// Compact form: words as their folded text, other kinds as kind:normalized, space separated.
func compact(_ a: Analysis) -> String {
    a.tokens.map { t in
        switch t.kind {
        case .word, .number: return t.normalized
        default: return "\(t.kind.rawValue):\(t.normalized)"
        }
    }.joined(separator: " ")
}

/// Debian's unicode-data files.
enum UnicodeData {
    static let root = URL(fileURLWithPath: "/usr/share/unicode")
    static let emojiTest = root.appendingPathComponent("emoji/emoji-test.txt")
    static let wordBreakTest = root.appendingPathComponent("auxiliary/WordBreakTest.txt")
    static var emojiTestAvailable: Bool { FileManager.default.fileExists(atPath: emojiTest.path) }
    static var wordBreakTestAvailable: Bool { FileManager.default.fileExists(atPath: wordBreakTest.path) }

    /// A string from space-separated hex code points.
    static func string(hex: Substring) -> String? {
        var out = String.UnicodeScalarView()
        for h in hex.split(separator: " ") {
            guard let v = UInt32(h, radix: 16), let s = Unicode.Scalar(v) else { return nil }
            out.append(s)
        }
        return String(out)
    }
}
