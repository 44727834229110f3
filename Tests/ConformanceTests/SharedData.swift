// Where the shared conformance and corpus data lives: ../shared/data next to the package root.
import Foundation

enum SharedData {
    /// The package root, from this file's path (Tests/ConformanceTests/SharedData.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// ../shared/data.
    static let root = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    /// The twitter-text suite.
    static let twitterText = root.appendingPathComponent("conformance/twitter-text")
    /// Whether the suite is there.
    static let available = FileManager.default.fileExists(atPath: twitterText.appendingPathComponent("extract.yml").path)
    /// Debian's unicode-data, for UAX #29 and emoji tests.
    static let unicode = URL(fileURLWithPath: "/usr/share/unicode")
    static let wordBreakTestAvailable = FileManager.default.fileExists(
        atPath: unicode.appendingPathComponent("auxiliary/WordBreakTest.txt").path)
    static let emojiTestAvailable = FileManager.default.fileExists(
        atPath: unicode.appendingPathComponent("emoji/emoji-test.txt").path)

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }
}
