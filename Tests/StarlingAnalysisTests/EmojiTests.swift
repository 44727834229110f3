// Emoji against Debian's emoji-test.txt (Unicode 15): every fully-qualified emoji is one token, every form of an
// emoji (fully-, minimally- or unqualified, any skin tone) folds to one matching form, and the generated table
// names them (CLDR short names) so `emoji:fire` can find 🔥.
import Foundation
import StarlingAnalysis
import Testing

private struct EmojiLine {
    var text: String
    var status: Substring
    var name: Substring
}

private func emojiTestLines() throws -> [EmojiLine] {
    let source = try String(contentsOf: UnicodeData.emojiTest, encoding: .utf8)
    var out = [EmojiLine]()
    for line in source.split(separator: "\n") where !line.hasPrefix("#") {
        let parts = line.split(separator: ";", maxSplits: 1)
        guard parts.count == 2, let text = UnicodeData.string(hex: parts[0].trimmingSpaces()) else { continue }
        let rest = parts[1].split(separator: "#", maxSplits: 1)
        let status = rest[0].trimmingSpaces()
        // "# 😀 E1.0 grinning face": the name follows the version.
        let comment = rest.count > 1 ? rest[1] : ""
        let name = comment.split(separator: " ", maxSplits: 2).dropFirst(2).first ?? ""
        out.append(EmojiLine(text: text, status: status, name: name))
    }
    return out
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}

@Suite(.enabled(if: UnicodeData.emojiTestAvailable, "/usr/share/unicode/emoji/emoji-test.txt is absent (Debian unicode-data)"))
struct EmojiTests {
    let analyzer: Analyzer = try! Analyzer()

    @Test func everyFullyQualifiedEmojiIsOneToken() throws {
        let lines = try emojiTestLines().filter { $0.status == "fully-qualified" }
        #expect(lines.count > 3600)
        var failures = 0
        for e in lines {
            let a = analyzer.analyze("go \(e.text) now")
            let emoji = a.tokens.filter { $0.kind == .emoji }
            let ok = emoji.count == 1 && emoji[0].text == e.text && compact(a).hasPrefix("go emoji:")
                && compact(a).hasSuffix(" now")
            if !ok {
                failures += 1
                if failures <= 20 { Issue.record("\(e.name): \(e.text.unicodeScalars.map { String($0.value, radix: 16) }) -> \(compact(a))") }
            }
            // Glued to words and to each other it is still one token.
            let glued = analyzer.analyze("x\(e.text)\(e.text)y").tokens.filter { $0.kind == .emoji }
            if glued.map(\.text) != [e.text, e.text] {
                failures += 1
                if failures <= 20 { Issue.record("glued \(e.name): \(glued.map(\.text))") }
            }
        }
        print("emoji-test.txt: \(lines.count - failures)/\(lines.count) fully-qualified emoji are one token")
        #expect(failures == 0)
    }

    /// Every form of an emoji (qualification, skin tone) folds to the same matching form as its plain version,
    /// and that form has a name.
    @Test func everyFormFoldsAndIsNamed() throws {
        let table = try AnalyzerConfiguration.shared.get().emoji
        var unnamed = [String]()
        for e in try emojiTestLines() where e.status != "component" {
            let folded = Emoji.fold(e.text[...])
            if table.entry(folded: folded) == nil { unnamed.append("\(e.status) \(e.name)") }
        }
        #expect(unnamed.isEmpty, "no name for: \(unnamed.prefix(10))")
    }

    @Test func skinTonesAndSelectorsFold() {
        let cases: [(String, String)] = [
            ("👍🏽", "👍"), ("👍🏿", "👍"), ("❤️", "❤"), ("☺︎", "☺"),
            ("🧑🏾‍💻", "🧑‍💻"), ("👩🏻‍❤️‍💋‍👨🏿", "👩‍❤‍💋‍👨"),
        ]
        for (raw, folded) in cases {
            #expect(Emoji.fold(raw[...]) == folded, "\(raw)")
            #expect(analyzer.analyze(raw).emoji.first?.folded == folded, "\(raw)")
        }
    }

    @Test(arguments: [
        ("🔥", "fire", "fire"),
        ("👍🏽", "thumbs up", "thumbs"),
        ("❤️", "red heart", "heart"),
        ("🇫🇷", "flag: France", "france"),
        ("🧑🏽‍🚒", "firefighter", "firefighter"),
        ("😂", "face with tears of joy", "joy"),
    ])
    func names(_ row: (String, String, String)) throws {
        let e = try #require(analyzer.analyze("a \(row.0) b").emoji.first)
        #expect(e.name == row.1)
        #expect(e.nameTerms.contains(row.2), "\(e.nameTerms)")
        #expect(e.nameTerms.contains(EmojiTable.nameTerm(row.1)))
    }

    /// The query side folds `emoji:red heart` the same way the name terms are made.
    @Test func nameTermsMatchQueryFolding() {
        #expect(EmojiTable.nameTerm("Red Heart") == "red heart")
        #expect(EmojiTable.nameTerm("flag: France") == "flag france")
        #expect(EmojiTable.nameTerm("+1") == "+1")
    }
}
