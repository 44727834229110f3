// Unicode normalisation for matching: NFKC + case folding through utf8proc, with an ASCII fast path.
// "Fancy" letters (𝐛𝐨𝐥𝐝, 𝓼𝓬𝓻𝓲𝓹𝓽, full-width) are compatibility characters, so NFKC folds them to plain letters.
import CUtf8proc

/// Folds text for matching. Stateless and thread-safe.
public enum Normalizer {
    /// NFKC + casefold; default-ignorable characters (zero-width spaces and joiners, bidi controls, soft hyphens)
    /// are dropped. Use for words, hashtags, mentions; not for emoji, whose joiners matter.
    ///
    /// - Complexity: O(n); ASCII text never leaves Swift.
    public static func fold(_ text: Substring) -> String {
        var ascii = true
        var hasUpper = false
        for b in text.utf8 {
            if b >= 0x80 { ascii = false; break }
            if b >= 0x41 && b <= 0x5A { hasUpper = true }
        }
        if ascii {
            if !hasUpper { return String(text) }
            return String(decoding: text.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 + 32 : $0 }, as: UTF8.self)
        }
        return utf8procMap(text, options: foldOptions)
    }

    /// `fold` for a whole string.
    public static func fold(_ text: String) -> String { fold(text[...]) }

    /// NFKC + casefold, then combining marks removed: `café` -> `cafe`. Used for accent-insensitive terms.
    public static func foldStrippingMarks(_ text: Substring) -> String {
        for b in text.utf8 where b >= 0x80 {
            return utf8procMap(text, options: stripOptions)
        }
        return fold(text)
    }

    /// NFC only: the canonical form text is stored and displayed in.
    public static func nfc(_ text: String) -> String {
        for b in text.utf8 where b >= 0x80 {
            return utf8procMap(text[...], options: nfcOptions)
        }
        return text
    }

    private static let foldOptions = utf8proc_option_t(
        rawValue: UTF8PROC_STABLE.rawValue | UTF8PROC_COMPOSE.rawValue | UTF8PROC_COMPAT.rawValue
            | UTF8PROC_CASEFOLD.rawValue | UTF8PROC_IGNORE.rawValue)
    private static let stripOptions = utf8proc_option_t(
        rawValue: UTF8PROC_STABLE.rawValue | UTF8PROC_COMPOSE.rawValue | UTF8PROC_COMPAT.rawValue
            | UTF8PROC_CASEFOLD.rawValue | UTF8PROC_IGNORE.rawValue | UTF8PROC_STRIPMARK.rawValue)
    private static let nfcOptions = utf8proc_option_t(
        rawValue: UTF8PROC_STABLE.rawValue | UTF8PROC_COMPOSE.rawValue)

    private static func utf8procMap(_ text: Substring, options: utf8proc_option_t) -> String {
        var copy = String(text)
        return copy.withUTF8 { buf -> String in
            var out: UnsafeMutablePointer<utf8proc_uint8_t>? = nil
            let n = utf8proc_map(buf.baseAddress, utf8proc_ssize_t(buf.count), &out, options)
            defer { free(out) }
            guard n >= 0, let out else {
                // Invalid UTF-8 cannot reach here (Swift strings are valid); keep the text rather than lose it.
                return String(decoding: buf, as: UTF8.self).lowercased()
            }
            return String(decoding: UnsafeBufferPointer(start: out, count: Int(n)), as: UTF8.self)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
