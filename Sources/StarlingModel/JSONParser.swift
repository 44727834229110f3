// A strict RFC 8259 JSON parser that reads bytes directly (no Foundation). Every imported record goes
// through it, so it validates UTF-8 and builds `JSONValue`s in one pass, with no intermediate tokens.

/// Why a JSON text was rejected, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is, so callers can give targeted advice (e.g. "try --encoding latin1").
    public enum Kind: Sendable, Equatable {
        /// The bytes are valid UTF-8 but not valid JSON.
        case syntax
        /// A string holds bytes that are not valid UTF-8.
        case invalidUTF8
        /// Arrays/objects nest deeper than `JSONParser.maxDepth`.
        case tooDeep
    }

    /// Byte offset (0-based) in the input where the problem was found.
    public let offset: Int
    /// A human sentence, e.g. "expected ',' or '}' after object member".
    public let message: String
    /// The kind of problem.
    public let kind: Kind

    /// Makes an error; `kind` defaults to a syntax error.
    public init(offset: Int, message: String, kind: Kind = .syntax) {
        self.offset = offset
        self.message = message
        self.kind = kind
    }

    /// "message at byte N".
    public var description: String { "\(message) at byte \(offset)" }
}

/// Parses JSON text into `JSONValue`.
///
/// Strict RFC 8259: no comments, no trailing commas, no leading zeros, no NaN; the input must be one value
/// with only whitespace around it. Strings must be valid UTF-8 (overlong forms and encoded surrogates are
/// rejected). Escaped lone surrogates (`\uD83D` without its pair, as truncated tweets carry) are grammatical
/// JSON but not Unicode, so they become U+FFFD rather than failing the record. Integers that fit `Int64`
/// become `.int`; every other number becomes `.double`. Duplicate keys are kept in order.
public enum JSONParser {
    /// The deepest nesting accepted; deeper input is rejected rather than risking the stack.
    public static let maxDepth = 512

    /// Parses one JSON value from `bytes`.
    /// - Complexity: O(n) in the input length; one allocation per string, array and object built.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(offset: 0, message: "empty input, expected a JSON value")
        }
        var parser = Parser(p: base.assumingMemoryBound(to: UInt8.self), n: bytes.count)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.i < parser.n {
            throw JSONParseError(offset: parser.i, message: "unexpected data after the JSON value")
        }
        return value
    }

    /// Parses one JSON value from a byte array.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSONValue in try parse(raw) }
        }
        return try result.get()
    }

    /// Parses one JSON value from a string's UTF-8.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(UnsafeRawBufferPointer(buffer)) }
        }
        return try result.get()
    }
}

// MARK: - The parser

private let quote: UInt8 = 0x22, backslash: UInt8 = 0x5C, comma: UInt8 = 0x2C, colon: UInt8 = 0x3A
private let openBrace: UInt8 = 0x7B, closeBrace: UInt8 = 0x7D, openBracket: UInt8 = 0x5B, closeBracket: UInt8 = 0x5D

private struct Parser {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i = 0
    var depth = 0
    /// Reused for strings with escapes, so only the final String allocates.
    var scratch: [UInt8] = []

    init(p: UnsafePointer<UInt8>, n: Int) {
        self.p = p
        self.n = n
    }

    func fail(_ message: String, at offset: Int? = nil) -> JSONParseError {
        JSONParseError(offset: offset ?? i, message: message)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < n {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard i < n else { throw fail("unexpected end of input, expected a value") }
        switch p[i] {
        case openBrace: return try parseObject()
        case openBracket: return try parseArray()
        case quote: return .string(try parseString())
        case 0x74: try literal("true"); return .bool(true)
        case 0x66: try literal("false"); return .bool(false)
        case 0x6E: try literal("null"); return .null
        case 0x2D, 0x30...0x39: return try parseNumber()
        default: throw fail("unexpected \(describeByte(p[i])), expected a value")
        }
    }

    func describeByte(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "character '\(Character(Unicode.Scalar(c)))'" }
        let hex = String(c, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let len = word.utf8CodeUnitCount
        let w = word.utf8Start
        guard i + len <= n else { throw fail("invalid literal, expected '\(word)'") }
        for k in 0..<len where p[i + k] != w[k] { throw fail("invalid literal, expected '\(word)'") }
        i += len
    }

    mutating func enter() throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maxDepth {
            throw JSONParseError(offset: i, message: "nesting deeper than \(JSONParser.maxDepth) levels", kind: .tooDeep)
        }
    }

    mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if i < n, p[i] == closeBrace {
            i += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard i < n else { throw fail("unexpected end of input inside an object") }
            guard p[i] == quote else {
                throw fail(members.isEmpty ? "expected '\"' to start an object key" : "expected object key after ','")
            }
            let key = try parseString()
            skipWhitespace()
            guard i < n, p[i] == colon else { throw fail("expected ':' after object key") }
            i += 1
            let value = try parseValue()
            members.append((key, value))
            skipWhitespace()
            guard i < n else { throw fail("unexpected end of input inside an object") }
            if p[i] == comma {
                i += 1
            } else if p[i] == closeBrace {
                i += 1
                depth -= 1
                return .object(members)
            } else {
                throw fail("expected ',' or '}' after object member")
            }
        }
    }

    mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        i += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if i < n, p[i] == closeBracket {
            i += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            guard i < n else { throw fail("unexpected end of input inside an array") }
            if p[i] == comma {
                i += 1
                skipWhitespace()
                if i < n, p[i] == closeBracket { throw fail("expected a value after ',' (trailing commas are not JSON)") }
            } else if p[i] == closeBracket {
                i += 1
                depth -= 1
                return .array(elements)
            } else {
                throw fail("expected ',' or ']' after array element")
            }
        }
    }

    /// Parses a string starting at the opening quote.
    /// - Complexity: O(length); strings without escapes are copied once, straight from the input.
    mutating func parseString() throws(JSONParseError) -> String {
        let open = i
        i += 1
        let start = i
        while i < n {
            let c = p[i]
            if c == quote {
                let s = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
                i += 1
                return s
            }
            if c == backslash {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
                return try parseEscapedRest(open: open)
            }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c < 0x80 { i += 1 } else { i += try utf8SequenceLength(at: i) }
        }
        throw fail("unterminated string", at: open)
    }

    /// The slow path: the string has escapes; `scratch` holds the bytes before the first one.
    mutating func parseEscapedRest(open: Int) throws(JSONParseError) -> String {
        while i < n {
            let c = p[i]
            if c == quote {
                i += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if c == backslash {
                guard i + 1 < n else { break }
                let e = p[i + 1]
                switch e {
                case quote, backslash, 0x2F: scratch.append(e); i += 2
                case 0x62: scratch.append(0x08); i += 2
                case 0x66: scratch.append(0x0C); i += 2
                case 0x6E: scratch.append(0x0A); i += 2
                case 0x72: scratch.append(0x0D); i += 2
                case 0x74: scratch.append(0x09); i += 2
                case 0x75: appendScalar(try parseUnicodeEscape())
                default: throw fail("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string")
                }
                continue
            }
            if c < 0x20 { throw fail("unescaped control character in string") }
            if c < 0x80 {
                scratch.append(c)
                i += 1
            } else {
                let len = try utf8SequenceLength(at: i)
                scratch.append(contentsOf: UnsafeBufferPointer(start: p + i, count: len))
                i += len
            }
        }
        throw fail("unterminated string", at: open)
    }

    mutating func hex4(at k: Int) throws(JSONParseError) -> UInt32 {
        guard k + 4 <= n else { throw fail("incomplete \\u escape") }
        var v: UInt32 = 0
        for j in k..<(k + 4) {
            let c = p[j]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape", at: j)
            }
            v = v << 4 | d
        }
        return v
    }

    /// Reads `\uXXXX` (and its low-surrogate partner when it is a high surrogate) at `i`.
    mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
        let v = try hex4(at: i + 2)
        i += 6
        if v >= 0xD800 && v <= 0xDBFF {
            if i + 1 < n, p[i] == backslash, p[i + 1] == 0x75 {
                let low = try hex4(at: i + 2)
                if low >= 0xDC00 && low <= 0xDFFF {
                    i += 6
                    return Unicode.Scalar(0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00))!
                }
            }
            return "\u{FFFD}"
        }
        if v >= 0xDC00 && v <= 0xDFFF { return "\u{FFFD}" }
        return Unicode.Scalar(v)!
    }

    mutating func appendScalar(_ s: Unicode.Scalar) {
        let v = s.value
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | (v >> 6)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | (v >> 12)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        default:
            scratch.append(UInt8(0xF0 | (v >> 18)))
            scratch.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Validates the multi-byte UTF-8 sequence starting at `k` and returns its length (Unicode Table 3-7).
    @inline(__always)
    func utf8SequenceLength(at k: Int) throws(JSONParseError) -> Int {
        let c0 = p[k]
        @inline(__always) func cont(_ j: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            j < n && p[j] >= lo && p[j] <= hi
        }
        let ok: Bool
        let len: Int
        switch c0 {
        case 0xC2...0xDF: len = 2; ok = cont(k + 1)
        case 0xE0: len = 3; ok = cont(k + 1, 0xA0) && cont(k + 2)
        case 0xE1...0xEC, 0xEE...0xEF: len = 3; ok = cont(k + 1) && cont(k + 2)
        case 0xED: len = 3; ok = cont(k + 1, 0x80, 0x9F) && cont(k + 2)
        case 0xF0: len = 4; ok = cont(k + 1, 0x90) && cont(k + 2) && cont(k + 3)
        case 0xF1...0xF3: len = 4; ok = cont(k + 1) && cont(k + 2) && cont(k + 3)
        case 0xF4: len = 4; ok = cont(k + 1, 0x80, 0x8F) && cont(k + 2) && cont(k + 3)
        default: len = 1; ok = false
        }
        guard ok else { throw JSONParseError(offset: k, message: "invalid UTF-8", kind: .invalidUTF8) }
        return len
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = i
        var negative = false
        if p[i] == 0x2D {
            negative = true
            i += 1
        }
        guard i < n, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("invalid number: expected a digit") }
        var magnitude: UInt64 = 0
        var overflow = false
        if p[i] == 0x30 {
            i += 1
            if i < n, p[i] >= 0x30, p[i] <= 0x39 { throw fail("invalid number: leading zeros are not allowed") }
        } else {
            while i < n, p[i] >= 0x30, p[i] <= 0x39 {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(p[i] - 0x30))
                overflow = overflow || o1 || o2
                magnitude = a
                i += 1
            }
        }
        var isInteger = true
        if i < n, p[i] == 0x2E {
            isInteger = false
            i += 1
            guard i < n, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("invalid number: expected a digit after '.'") }
            while i < n, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if i < n, p[i] == 0x65 || p[i] == 0x45 {
            isInteger = false
            i += 1
            if i < n, p[i] == 0x2B || p[i] == 0x2D { i += 1 }
            guard i < n, p[i] >= 0x30, p[i] <= 0x39 else { throw fail("invalid number: expected a digit in the exponent") }
            while i < n, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        }
        if isInteger && !overflow {
            if !negative && magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if negative && magnitude <= UInt64(Int64.max) + 1 {
                return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
            }
        }
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        guard let d = Double(text) else { throw fail("invalid number", at: start) }
        return .double(d)
    }
}
