// Bytes to text under the file's declared encoding: UTF-8 is validated (so a Latin-1 file is caught and the
// user told what to do), Latin-1 is mapped byte for byte.

enum TextDecoding {
    /// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or nil when all are.
    /// - Complexity: O(n); ASCII runs are skipped eight bytes at a time.
    static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        let n = b.count
        guard let p = b.baseAddress else { return nil }
        var i = 0
        while i < n {
            // Fast path: eight ASCII bytes at once.
            if i + 8 <= n {
                let word = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)
                if word & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            }
            let c0 = p[i]
            if c0 < 0x80 { i += 1; continue }
            func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool { j < n && p[j] >= lo && p[j] <= hi }
            let len: Int
            let ok: Bool
            switch c0 {
            case 0xC2...0xDF: len = 2; ok = cont(i + 1)
            case 0xE0: len = 3; ok = cont(i + 1, 0xA0) && cont(i + 2)
            case 0xE1...0xEC, 0xEE...0xEF: len = 3; ok = cont(i + 1) && cont(i + 2)
            case 0xED: len = 3; ok = cont(i + 1, 0x80, 0x9F) && cont(i + 2)
            case 0xF0: len = 4; ok = cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3)
            case 0xF1...0xF3: len = 4; ok = cont(i + 1) && cont(i + 2) && cont(i + 3)
            case 0xF4: len = 4; ok = cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3)
            default: len = 1; ok = false
            }
            if !ok { return i }
            i += len
        }
        return nil
    }

    /// The reason to report for invalid UTF-8 at `offset` of a record.
    static func invalidUTF8Reason(at offset: Int) -> String {
        "invalid UTF-8 at byte \(offset) (is the file Latin-1? try --encoding latin1)"
    }

    /// Latin-1 bytes re-encoded as UTF-8 (every byte is the code point of the same value).
    static func latin1ToUTF8(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        for b in bytes {
            if b < 0x80 {
                out.append(b)
            } else {
                out.append(0xC0 | (b >> 6))
                out.append(0x80 | (b & 0x3F))
            }
        }
        return out
    }

    /// The record as UTF-8 bytes, or the reason it cannot be.
    static func utf8Bytes(_ bytes: [UInt8], encoding: TextEncoding) -> Result<[UInt8], RecordProblem> {
        switch encoding {
        case .latin1:
            return .success(bytes.allSatisfy { $0 < 0x80 } ? bytes : latin1ToUTF8(bytes))
        case .utf8:
            if let bad = bytes.withUnsafeBufferPointer({ firstInvalidUTF8($0) }) {
                return .failure(RecordProblem(invalidUTF8Reason(at: bad)))
            }
            return .success(bytes)
        }
    }
}

/// Why one record (or one post inside it) could not be read; the decoder adds the file and line.
struct RecordProblem: Error, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
