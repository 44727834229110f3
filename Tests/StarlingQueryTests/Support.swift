// Test helpers: where the shared evaluation data lives, a seeded random generator, and the structural
// invariants every parsed tree must satisfy.

import Foundation
@testable import StarlingQuery

/// `../shared/data` beside the package root; tests that read it skip with a reason when it is absent.
enum SharedData {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data").standardizedFileURL
    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// Unicode's emoji test file from the Debian `unicode-data` package.
enum UnicodeEmojiData {
    static let testFile = URL(fileURLWithPath: "/usr/share/unicode/emoji/emoji-test.txt")
    static var available: Bool { FileManager.default.fileExists(atPath: testFile.path) }
}

/// SplitMix64: small, fast and seedable, so a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension QueryNode {
    /// Why this tree breaks the normal form QueryParser promises, or nil when it does not.
    var normalFormViolation: String? {
        switch self {
        case .word(let text):
            if ["AND", "OR", "NOT"].contains(text) { return "operator as word: \(text)" }
            if text.isEmpty || text.hasPrefix("-") || text.contains(where: \.isWhitespace) {
                return "bad word: \(text)"
            }
            return nil
        case .phrase(let text):
            return text.allSatisfy(\.isWhitespace) ? "blank phrase" : nil
        case .hashtag(let s), .mention(let s), .cashtag(let s):
            return s.isEmpty ? "empty sigil term" : nil
        case .field(_, let value):
            return value.isEmpty ? "empty field value" : nil
        case .and(let children):
            if children.count < 2 { return "AND with \(children.count) children" }
            if children.contains(where: { if case .and = $0 { true } else { false } }) { return "AND in AND" }
            return children.lazy.compactMap(\.normalFormViolation).first
        case .or(let children):
            if children.count < 2 { return "OR with \(children.count) children" }
            if children.contains(where: { if case .or = $0 { true } else { false } }) { return "OR in OR" }
            return children.lazy.compactMap(\.normalFormViolation).first
        case .not(let child):
            if case .not = child { return "NOT of NOT" }
            return child.normalFormViolation
        }
    }
}
