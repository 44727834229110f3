// The JSON parser: accepted values, rejected texts with their messages and offsets, and a round-trip
// property over generated values (parse(print(v)) == v).
import Foundation
import StarlingModel
import Testing

@Suite("JSONParser")
struct JSONParserTests {
    @Test("accepts RFC 8259 values", arguments: [
        ("null", JSONValue.null),
        (" true ", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("42", .int(42)),
        ("-17", .int(-17)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9223372036854775808)),
        ("1.5", .double(1.5)),
        ("-2.5e3", .double(-2500)),
        ("1E-2", .double(0.01)),
        ("\"\"", .string("")),
        ("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", .string("a\"b\\c/d\u{8}\u{c}\n\r\t")),
        ("\"\\u00e9\\u4E2D\"", .string("é中")),
        ("\"\\ud83d\\ude00\"", .string("😀")),
        ("\"\\ud83d\"", .string("\u{FFFD}")),
        ("\"\\ude00x\"", .string("\u{FFFD}x")),
        ("\"\\u0000\"", .string("\u{0}")),
        ("\"héllo 👍🏽\"", .string("héllo 👍🏽")),
        ("[]", .array([])),
        ("{}", .object([])),
        ("[1,[2,[3]]]", .array([.int(1), .array([.int(2), .array([.int(3)])])])),
        ("{\"b\":1,\"a\":2,\"b\":3}", .object([("b", .int(1)), ("a", .int(2)), ("b", .int(3))])),
        ("\t{ \"k\" : [ null , true ] }\r\n", .object([("k", .array([.null, .bool(true)]))])),
    ])
    func accepts(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONParser.parse(text) == expected)
        #expect(try JSONParser.parse(Array(text.utf8)) == expected)
    }

    @Test("keeps object key order")
    func keyOrder() throws {
        let v = try JSONParser.parse("{\"z\":1,\"a\":2,\"m\":3}")
        #expect(v.objectValue?.map(\.0) == ["z", "a", "m"])
        #expect(v.jsonText == "{\"z\":1,\"a\":2,\"m\":3}")
    }

    @Test("rejects malformed text with a message and the offset", arguments: [
        ("", 0, "empty input"),
        ("{\"a\":1 \"b\":2}", 7, "expected ',' or '}' after object member"),
        ("[1 2]", 3, "expected ',' or ']' after array element"),
        ("{\"a\" 1}", 5, "expected ':' after object key"),
        ("{a:1}", 1, "expected '\"' to start an object key"),
        ("{\"a\":1,}", 7, "expected object key after ','"),
        ("[1,]", 3, "trailing commas"),
        ("[1", 2, "unexpected end of input inside an array"),
        ("\"abc", 0, "unterminated string"),
        ("\"a\nb\"", 2, "unescaped control character"),
        ("\"\\x\"", 1, "invalid escape"),
        ("\"\\u12G4\"", 5, "invalid hex digit"),
        ("01", 1, "leading zeros"),
        ("1.", 2, "expected a digit after '.'"),
        ("1e", 2, "exponent"),
        ("-", 1, "expected a digit"),
        ("tru", 0, "expected 'true'"),
        ("nul", 0, "expected 'null'"),
        ("NaN", 0, "unexpected character 'N'"),
        ("{} x", 3, "unexpected data after the JSON value"),
        ("// c\n1", 0, "unexpected character '/'"),
    ])
    func rejects(_ text: String, _ offset: Int, _ message: String) {
        #expect {
            try JSONParser.parse(text)
        } throws: { error in
            guard let e = error as? JSONParseError else { return false }
            return e.offset == offset && e.message.contains(message) && e.kind == .syntax
        }
    }

    @Test("invalid UTF-8 is an error naming the byte offset", arguments: [
        ([0x22, 0x61, 0xE9, 0x62, 0x22], 2),                 // Latin-1 é
        ([0x22, 0xC0, 0xAF, 0x22], 1),                       // overlong '/'
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),                 // encoded surrogate
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),           // beyond U+10FFFF
        ([0x22, 0x61, 0x62, 0xE2, 0x82, 0x22], 3),           // truncated sequence
        ([0x22, 0x5C, 0x6E, 0xFF, 0x22], 3),                 // after an escape (slow path)
    ] as [([UInt8], Int)])
    func invalidUTF8(_ bytes: [UInt8], _ offset: Int) {
        #expect {
            try JSONParser.parse(bytes)
        } throws: { error in
            guard let e = error as? JSONParseError else { return false }
            return e.kind == .invalidUTF8 && e.offset == offset
        }
    }

    @Test("nesting is limited rather than overflowing the stack")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try JSONParser.parse(ok).arrayValue != nil)
        let deep = String(repeating: "[", count: 100_000)
        #expect {
            try JSONParser.parse(deep)
        } throws: { error in (error as? JSONParseError)?.kind == .tooDeep }
    }

    @Test("the error describes itself with message and offset")
    func errorDescription() {
        do {
            _ = try JSONParser.parse("{\"a\":1 2}")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "expected ',' or '}' after object member at byte 7")
        }
    }

    // MARK: Round-trip property

    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomString(_ g: inout SplitMix) -> String {
        let pool: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "中",
                                      "😀", "\u{1F3FD}", "\u{200D}", "\u{FFFD}", "\u{10FFFF}", "#", "@"]
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &g) {
            if Bool.random(using: &g) {
                s.append(pool.randomElement(using: &g)!)
            } else {
                // Any scalar outside the surrogate range.
                var v = UInt32.random(in: 0...0x10FFFF, using: &g)
                if (0xD800...0xDFFF).contains(v) { v = 0x41 }
                s.append(Unicode.Scalar(v)!)
            }
        }
        return String(s)
    }

    static func randomValue(_ g: inout SplitMix, depth: Int = 0) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &g) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &g))
        case 2:
            let choices: [Int64] = [0, 1, -1, Int64.max, Int64.min, Int64.random(in: Int64.min...Int64.max, using: &g)]
            return .int(choices.randomElement(using: &g)!)
        case 3:
            let choices: [Double] = [0.5, -1e-300, 1e300, 3.141592653589793, 1e15, 123456.789,
                                     Double.random(in: -1e6...1e6, using: &g), Double(bitPattern: g.next() & 0x7FEF_FFFF_FFFF_FFFF)]
            return .double(choices.randomElement(using: &g)!)
        case 4, 5: return .string(randomString(&g))
        case 6: return .array((0..<Int.random(in: 0...4, using: &g)).map { _ in randomValue(&g, depth: depth + 1) })
        default:
            return .object((0..<Int.random(in: 0...4, using: &g)).map { _ in
                (randomString(&g), randomValue(&g, depth: depth + 1))
            })
        }
    }

    @Test("parse(print(v)) == v over generated values")
    func roundTrip() throws {
        var g = SplitMix(state: 20_240_611)
        for _ in 0..<3000 {
            let v = Self.randomValue(&g)
            let text = v.jsonText
            let back = try JSONParser.parse(text)
            #expect(back == v, "round trip failed for \(text)")
            #expect(back.jsonText == text)
        }
    }
}
