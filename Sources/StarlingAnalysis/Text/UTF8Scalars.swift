// Decoding Unicode scalars straight from UTF-8 bytes, for scanners that work in byte offsets.

/// Helpers over a buffer of valid UTF-8.
enum UTF8Scalars {
    /// The scalar starting at byte `i` and its length in bytes. Assumes valid UTF-8 (Swift strings are).
    @inline(__always)
    static func decode(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> (Unicode.Scalar, Int) {
        let c0 = b[i]
        if c0 < 0x80 { return (Unicode.Scalar(c0), 1) }
        if c0 < 0xE0, i + 1 < b.count {
            let v = (UInt32(c0 & 0x1F) << 6) | UInt32(b[i + 1] & 0x3F)
            return (Unicode.Scalar(v) ?? "\u{FFFD}", 2)
        }
        if c0 < 0xF0, i + 2 < b.count {
            let v = (UInt32(c0 & 0x0F) << 12) | (UInt32(b[i + 1] & 0x3F) << 6) | UInt32(b[i + 2] & 0x3F)
            return (Unicode.Scalar(v) ?? "\u{FFFD}", 3)
        }
        if i + 3 < b.count {
            let v = (UInt32(c0 & 0x07) << 18) | (UInt32(b[i + 1] & 0x3F) << 12) | (UInt32(b[i + 2] & 0x3F) << 6)
                | UInt32(b[i + 3] & 0x3F)
            return (Unicode.Scalar(v) ?? "\u{FFFD}", 4)
        }
        return ("\u{FFFD}", 1)
    }

    /// The scalar that ends just before byte `i`, or nil at the start.
    @inline(__always)
    static func scalar(before i: Int, in b: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        guard i > 0 else { return nil }
        var j = i - 1
        while j > 0 && (b[j] & 0xC0) == 0x80 { j -= 1 }
        return decode(b, j).0
    }

    /// Letters, marks and decimal digits (what `\w` means in Unicode-aware patterns, less the underscore).
    @inline(__always)
    static func isAlnum(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber:
            return true
        default:
            return false
        }
    }

    /// Letters and marks only.
    @inline(__always)
    static func isLetterOrMark(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            let v = s.value
            return (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// White space, including the Unicode spaces and the zero-width space.
    @inline(__always)
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return s.value == 0x20 || (s.value >= 0x09 && s.value <= 0x0D) }
        return s.properties.isWhitespace || s.value == 0x200B
    }
}
