// The form a post takes in the index's document data: its native JSON object (Post.nativeJSON, plus any fields
// the post came with) in a compact binary encoding.
//
// Why not the JSON text: in a tweet-sized post the JSON syntax (`{"id":"`, `","text":"`, `","platform":"twitter"}`),
// escapes and ISO 8601 times are a fifth of the stored bytes, and Xapian's per-document zlib can do little with
// 150 bytes. The encoding keeps every value and the order of every object's keys, so a post reads back exactly as
// its JSON would have. Documents written as JSON text by earlier versions are still read (they start with `{`).
//
// Format (version 1): the byte 0x01, then one value:
//   value   = tag payload
//   0x00 null | 0x01 false | 0x02 true
//   0x03 int: zigzag varint          0x04 double: 8 bytes, little-endian IEEE 754
//   0x05 string: varint length, UTF-8 bytes
//   0x06 array: varint count, values
//   0x07 object: varint count, then per member a key and a value;
//        key = varint: 0 then varint length and UTF-8 bytes, or n >= 1 for the n-th name of `keyNames`
//   0x08 string of decimal digits (no leading zero, fits in 64 bits): varint of its number
//   0x09 string "YYYY-MM-DDTHH:MM:SSZ": zigzag varint of its seconds since 1970 (used only when it prints back
//        identically)
//   0x10 + n: the n-th string of `commonStrings`
// The tables below are part of the format: names may be appended, never reordered or removed.
import Foundation

/// Encodes posts for the index's document data and reads them back.
public enum StoredPost {
    /// The first byte of the binary form (JSON text never starts with it).
    static let version: UInt8 = 0x01

    /// Object keys written as one byte: the native format's fields and those of its nested objects.
    static let keyNames: [String] = [
        "id", "text", "author", "created_at", "platform", "lang", "reshare_of", "reply_to", "urls", "metrics",
        "hashtags", "mentions", "reshare_author", "has_media", "is_reshare", "url", "expanded", "likes", "reshares",
        "replies", "quotes", "unshortened", "resolved",
    ]
    /// String values written as one byte: platforms.
    static let commonStrings: [String] = ["twitter", "mastodon", "reddit", "bluesky", "facebook", "youtube"]

    private static let keyCodes: [String: Int] = Dictionary(
        uniqueKeysWithValues: keyNames.enumerated().map { ($0.element, $0.offset + 1) })
    private static let stringCodes: [String: UInt8] = Dictionary(
        uniqueKeysWithValues: commonStrings.enumerated().map { ($0.element, UInt8(0x10 + $0.offset)) })

    // MARK: - Writing

    /// The stored form of `post`.
    public static func encode(_ post: Post) -> [UInt8] { encode(post.nativeJSON) }

    /// The stored form of a post's JSON object (any JSON value round-trips).
    public static func encode(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = [version]
        out.reserveCapacity(160)
        write(value, to: &out)
        return out
    }

    private static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(0x00)
        case .bool(let b): out.append(b ? 0x02 : 0x01)
        case .int(let i):
            out.append(0x03)
            varint(zigzag(i), to: &out)
        case .double(let d):
            out.append(0x04)
            let bits = d.bitPattern
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(0x06)
            varint(UInt64(items.count), to: &out)
            for item in items { write(item, to: &out) }
        case .object(let members):
            out.append(0x07)
            varint(UInt64(members.count), to: &out)
            for (key, v) in members {
                if let code = keyCodes[key] {
                    varint(UInt64(code), to: &out)
                } else {
                    out.append(0)
                    bytes(key, to: &out)
                }
                write(v, to: &out)
            }
        }
    }

    private static func writeString(_ s: String, to out: inout [UInt8]) {
        if let code = stringCodes[s] {
            out.append(code)
        } else if let n = canonicalNumber(s) {
            out.append(0x08)
            varint(n, to: &out)
        } else if let t = UTCSeconds.parse(s) {
            out.append(0x09)
            varint(zigzag(t), to: &out)
        } else {
            out.append(0x05)
            bytes(s, to: &out)
        }
    }

    /// The number a string of 1-19 decimal digits without a leading zero (or "0") spells.
    private static func canonicalNumber(_ s: String) -> UInt64? {
        let u = s.utf8
        guard (1...19).contains(u.count), let first = u.first, first != UInt8(ascii: "0") || u.count == 1 else {
            return nil
        }
        var n: UInt64 = 0
        for c in u {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + UInt64(c - UInt8(ascii: "0"))
        }
        return n
    }

    private static func bytes(_ s: String, to out: inout [UInt8]) {
        varint(UInt64(s.utf8.count), to: &out)
        out.append(contentsOf: s.utf8)
    }

    private static func varint(_ v: UInt64, to out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func zigzag(_ i: Int64) -> UInt64 { UInt64(bitPattern: (i << 1) ^ (i >> 63)) }
    private static func unzigzag(_ u: UInt64) -> Int64 { Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1) }

    // MARK: - Reading

    /// The post's JSON object from its stored form (binary, or JSON text from an index written before it).
    ///
    /// - Throws: `StoredPostError` naming the byte offset where the data stops making sense.
    public static func decode(_ data: [UInt8]) throws -> JSONValue {
        guard data.first == version else {
            do { return try JSONParser.parse(data) } catch {
                throw StoredPostError(offset: error.offset, message: "stored JSON: \(error.message)")
            }
        }
        var reader = Reader(data: data, at: 1)
        let value = try reader.value(depth: 0)
        guard reader.at == data.count else {
            throw StoredPostError(offset: reader.at, message: "\(data.count - reader.at) bytes after the post")
        }
        return value
    }

    /// The post stored as `data`, or nil when it cannot be read back.
    public static func post(_ data: [UInt8]) -> Post? {
        (try? decode(data)).flatMap { try? Post.fromNative($0) }
    }

    /// The stored post as native JSON text (one line), or nil when it cannot be read back.
    public static func jsonText(_ data: [UInt8]) -> String? { (try? decode(data))?.jsonText }

    private struct Reader {
        let data: [UInt8]
        var at: Int

        mutating func byte() throws -> UInt8 {
            guard at < data.count else {
                throw StoredPostError(offset: at, message: "data ends in the middle of a value")
            }
            defer { at += 1 }
            return data[at]
        }

        mutating func varint() throws -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let start = at
                let b = try byte()
                guard shift < 64 else { throw StoredPostError(offset: start, message: "number too long") }
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }

        mutating func count() throws -> Int {
            let start = at
            let n = try varint()
            // Every element takes at least one byte: a larger count is damage, not a huge allocation to attempt.
            guard n <= UInt64(data.count - at) else {
                throw StoredPostError(offset: start, message: "count \(n) exceeds the bytes left")
            }
            return Int(n)
        }

        mutating func string() throws -> String {
            let n = try count()
            defer { at += n }
            return String(decoding: data[at..<(at + n)], as: UTF8.self)
        }

        mutating func value(depth: Int) throws -> JSONValue {
            let start = at
            guard depth < 64 else { throw StoredPostError(offset: start, message: "nesting deeper than 64") }
            let tag = try byte()
            switch tag {
            case 0x00: return .null
            case 0x01: return .bool(false)
            case 0x02: return .bool(true)
            case 0x03: return .int(StoredPost.unzigzag(try varint()))
            case 0x04:
                guard at + 8 <= data.count else { throw StoredPostError(offset: at, message: "truncated number") }
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(data[at + k]) << (8 * UInt64(k)) }
                at += 8
                return .double(Double(bitPattern: bits))
            case 0x05: return .string(try string())
            case 0x06:
                let n = try count()
                var items: [JSONValue] = []
                items.reserveCapacity(n)
                for _ in 0..<n { items.append(try value(depth: depth + 1)) }
                return .array(items)
            case 0x07:
                let n = try count()
                var members: [(String, JSONValue)] = []
                members.reserveCapacity(n)
                for _ in 0..<n {
                    let keyAt = at
                    let code = try varint()
                    let key: String
                    if code == 0 {
                        key = try string()
                    } else {
                        guard code <= UInt64(StoredPost.keyNames.count) else {
                            throw StoredPostError(offset: keyAt, message: "unknown key code \(code)")
                        }
                        key = StoredPost.keyNames[Int(code) - 1]
                    }
                    members.append((key, try value(depth: depth + 1)))
                }
                return .object(members)
            case 0x08: return .string(String(try varint()))
            case 0x09: return .string(UTCSeconds.format(StoredPost.unzigzag(try varint())))
            case 0x10..<(0x10 + UInt8(StoredPost.commonStrings.count)):
                return .string(StoredPost.commonStrings[Int(tag - 0x10)])
            default:
                throw StoredPostError(offset: start, message: "unknown value tag 0x\(String(tag, radix: 16))")
            }
        }
    }
}

/// Stored data that does not read back as a post.
public struct StoredPostError: Error, CustomStringConvertible, Sendable {
    /// Byte offset into the document data.
    public let offset: Int
    public let message: String
    public var description: String { "stored post, byte \(offset): \(message)" }
}

/// "YYYY-MM-DDTHH:MM:SSZ" times as seconds since 1970 (proleptic Gregorian calendar, years 0000-9999).
enum UTCSeconds {
    /// The seconds of `s` when it is exactly in that form and `format` prints it back identically.
    static func parse(_ s: String) -> Int64? {
        guard s.utf8.count == 20 else { return nil }  // before copying: every string of every post is tried
        let u = Array(s.utf8)
        guard u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"), u[10] == UInt8(ascii: "T"),
              u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"), u[19] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ from: Int, _ length: Int) -> Int64? {
            var n: Int64 = 0
            for c in u[from..<(from + length)] {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard let y = number(0, 4), let mo = number(5, 2), let d = number(8, 2), let h = number(11, 2),
              let mi = number(14, 2), let sec = number(17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 60
        else { return nil }
        let t = days(year: y, month: mo, day: d) * 86_400 + h * 3_600 + mi * 60 + sec
        return format(t) == s ? t : nil  // 31 February and the like do not print back
    }

    /// The time `t` seconds after 1970-01-01T00:00:00Z in that form.
    static func format(_ t: Int64) -> String {
        let day = t >= 0 ? t / 86_400 : (t - 86_399) / 86_400
        let rest = t - day * 86_400
        let (y, m, d) = civil(day)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        let padded = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(padded)-\(two(m))-\(two(d))T\(two(rest / 3_600)):\(two(rest / 60 % 60)):\(two(rest % 60))Z"
    }

    /// Days since 1970-01-01 of a date (years counted in 400-year eras of 146,097 days, March first).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01 (the inverse of `days`).
    static func civil(_ z: Int64) -> (Int64, Int64, Int64) {
        let shifted = z + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
