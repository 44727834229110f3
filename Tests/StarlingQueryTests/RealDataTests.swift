// The parser against real material: twitter-text's extraction conformance suite (what platforms call a
// hashtag, mention or cashtag), real tweets from PHEME (typed as queries, with their entities), and
// every emoji sequence in Unicode's emoji-test.txt.

import Foundation
import Testing
@testable import StarlingQuery

/// Reads the `text:` / `expected:` pairs of one section of twitter-text's extract.yml. The file is
/// plain enough (one double-quoted scalar or flow list per line) not to need a YAML library.
struct ExtractSuite {
    struct Case { let text: String; let expected: [String] }

    static func cases(section: String) throws -> [Case] {
        let yaml = try String(contentsOf: SharedData.url("conformance/twitter-text/extract.yml"), encoding: .utf8)
        var inSection = false
        var text: String?
        var result: [Case] = []
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  ") && !line.hasPrefix("   ") {
                inSection = line.trimmingCharacters(in: .whitespaces) == section + ":"
                continue
            }
            guard inSection else { continue }
            let trimmed = line.drop(while: { $0 == " " || $0 == "-" })
            if trimmed.hasPrefix("text: ") {
                var rest = Substring(trimmed.dropFirst(6))
                text = readQuoted(&rest)
            } else if trimmed.hasPrefix("expected: ["), let current = text {
                var rest = Substring(trimmed.dropFirst(11))
                var values: [String] = []
                while let value = readQuoted(&rest) { values.append(value) }
                result.append(Case(text: current, expected: values))
                text = nil
            }
        }
        return result
    }

    /// Reads the next YAML double-quoted scalar from `rest`, decoding its escapes.
    static func readQuoted(_ rest: inout Substring) -> String? {
        guard let open = rest.firstIndex(of: "\"") else { return nil }
        var out = ""
        var i = rest.index(after: open)
        while i < rest.endIndex {
            let c = rest[i]
            if c == "\"" {
                rest = rest[rest.index(after: i)...]
                return out
            }
            if c == "\\" {
                i = rest.index(after: i)
                let e = rest[i]
                let hexLength: Int? = switch e { case "x": 2; case "u": 4; case "U": 8; default: nil }
                if let hexLength {
                    let start = rest.index(after: i)
                    let end = rest.index(start, offsetBy: hexLength)
                    out.unicodeScalars.append(Unicode.Scalar(UInt32(rest[start..<end], radix: 16)!)!)
                    i = end
                    continue
                }
                out.append(e == "n" ? "\n" : e == "t" ? "\t" : e)
            } else {
                out.append(c)
            }
            i = rest.index(after: i)
        }
        return nil
    }
}

@Suite("Real data", .enabled(if: SharedData.available, "../shared/data is absent"))
struct RealDataTests {
    @Test("twitter-text hashtags, mentions and cashtags are ours too, and its non-tags are not")
    func twitterTextConformance() throws {
        let sections: [(String, String, (QueryNode) -> String?)] = [
            ("hashtags", "#", { if case .hashtag(let s) = $0 { s } else { nil } }),
            ("hashtags_from_astral", "#", { if case .hashtag(let s) = $0 { s } else { nil } }),
            ("mentions", "@", { if case .mention(let s) = $0 { s } else { nil } }),
            ("cashtags", "$", { if case .cashtag(let s) = $0 { s } else { nil } }),
        ]
        var checked = 0
        for (section, sigil, extract) in sections {
            let cases = try ExtractSuite.cases(section: section)
            #expect(!cases.isEmpty, "section \(section) not found")
            for suiteCase in cases {
                for value in suiteCase.expected {
                    let node = try QueryParser.parse(sigil + value)
                    #expect(extract(node) == value, "\(section): \(sigil + value) parsed as \(node.compact)")
                    checked += 1
                }
                guard suiteCase.expected.isEmpty else { continue }
                // Where twitter-text finds nothing, a whole term starting with the sigil is no tag for us.
                for term in suiteCase.text.split(whereSeparator: \.isWhitespace) where term.hasPrefix(sigil) {
                    if let node = try? QueryParser.parse(String(term)) {
                        #expect(extract(node) == nil, "\(section): \(term) parsed as \(node.compact)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 150)
    }

    @Test("real tweets typed as queries parse or fail cleanly, and their entities are read as tags")
    func phemeTweets() throws {
        let lines = try String(contentsOf: SharedData.url("corpora/pheme/tweets-v1.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count > 4_000)
        var parsed = 0, rejected = 0, tags = 0
        var failures: [String] = []
        for line in lines {
            let tweet = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let text = try #require(tweet["text"] as? String)
            do {
                let node = try QueryParser.parse(text)
                parsed += 1
                if node.normalFormViolation != nil || (try? QueryParser.parse(node.queryText)) != node {
                    failures.append(text)
                }
            } catch {
                rejected += 1
                if error.position + error.length > text.count { failures.append(text) }
            }
            let entities = tweet["entities"] as? [String: Any] ?? [:]
            for hashtag in (entities["hashtags"] as? [[String: Any]] ?? []).compactMap({ $0["text"] as? String }) {
                #expect(try QueryParser.parse("#" + hashtag) == .hashtag(hashtag))
                tags += 1
            }
            for mention in (entities["user_mentions"] as? [[String: Any]] ?? []) {
                let name = try #require(mention["screen_name"] as? String)
                #expect(try QueryParser.parse("@" + name) == .mention(name))
                #expect(try QueryParser.parse("from:" + name) == .field(.from, name))
                tags += 1
            }
            for symbol in (entities["symbols"] as? [[String: Any]] ?? []).compactMap({ $0["text"] as? String }) {
                #expect(try QueryParser.parse("$" + symbol) == .cashtag(symbol))
                tags += 1
            }
        }
        #expect(failures.isEmpty, "\(failures.count) tweets broke an invariant, e.g. \(failures.prefix(3))")
        #expect(tags > 1_000)
        // Most tweets read as queries (4,386 of 4,804 when written); the rest hit a spaced "Title - Source"
        // dash, a stray quote or parenthesis, or "@ place", all of which a query should flag.
        #expect(parsed * 10 > lines.count * 8, "parsed \(parsed), rejected \(rejected)")
    }
}

@Suite("Emoji", .enabled(if: UnicodeEmojiData.available, "/usr/share/unicode/emoji/emoji-test.txt is absent (unicode-data)"))
struct EmojiDataTests {
    @Test("every emoji sequence of emoji-test.txt is one word, alone and inside a query")
    func emojiAreWords() throws {
        let text = try String(contentsOf: UnicodeEmojiData.testFile, encoding: .utf8)
        var count = 0
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let semicolon = line.firstIndex(of: ";") else { continue }
            let scalars = line[..<semicolon].split(separator: " ").map { Unicode.Scalar(UInt32($0, radix: 16)!)! }
            var emoji = ""
            emoji.unicodeScalars.append(contentsOf: scalars)
            #expect(try QueryParser.parse(emoji) == .word(emoji), "\(line)")
            count += 1
            // A lone skin-tone modifier extends the character before it, so "-🏻" is one character, not a negation.
            if scalars.count == 1, scalars[0].properties.isEmojiModifier { continue }
            #expect(try QueryParser.parse("-\(emoji) OR x\(emoji)") == .or([.not(.word(emoji)), .word("x" + emoji)]),
                    "\(line)")
        }
        #expect(count > 4_000)
    }
}
