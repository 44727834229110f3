// Property tests: random token soups never crash the parser and either parse to a normal-form tree that
// survives a round trip through `queryText`, or throw an error whose span lies inside the query; random
// normal-form trees rendered as text parse back to themselves.

import Testing
@testable import StarlingQuery

/// Fragments chosen to hit every lexer and parser branch, valid and invalid.
let soupFragments: [String] = [
    "a", "cat", "dog", "AND", "OR", "NOT", "or", "Not", "-", "-", "(", "(", ")", ")", "\"", "“", "”",
    "#", "@", "$", "#tag", "＃タグ", "@bob", "@a@b.social", "$AAPL", "$5", "#1", "e-mail", ":", "10:30",
    "from:", "from:bob", "From:@x", "has:url", "has:video", "is:retweet", "lang:en", "lang:english",
    "since:2014-08-15", "since:2014-13-01", "until:2016-02-29", "url:", "url:x.org/a_(b)",
    "https://x.com/(a)", "https://x.com/(", "emoji:\"red heart\"", "emoji:", "domain:bbc.co.uk", "domain:bbc",
    "entity:Q1", "🔥", "👩‍👩‍👧", "🇬🇧", "東京", "ＡＢＣ", "don't", "foo:bar", "\u{3000}", "\t", "\n",
]

func randomSoup(_ rng: inout SplitMix64) -> String {
    let count = Int.random(in: 0...12, using: &rng)
    var query = ""
    for _ in 0..<count {
        query += soupFragments.randomElement(using: &rng)!
        // Mostly spaces between fragments, sometimes none, so fragments also fuse into odd terms.
        if Int.random(in: 0..<4, using: &rng) != 0 { query += " " }
    }
    return query
}

/// Leaves that are valid and already canonical, so a tree of them is its own parse.
let leafPool: [QueryNode] = [
    .word("cat"), .word("e-mail"), .word("10:30"), .word("🔥"), .word("東京"), .word("$5"), .word("#1"),
    .word("or"), .word("https://en.wikipedia.org/wiki/Mercury_(planet)"), .phrase("black lives matter"),
    .phrase(" spaced "), .hashtag("Ferguson"), .hashtag("日本語"), .mention("bob"),
    .mention("alice@mastodon.social"), .cashtag("AAPL"), .cashtag("BRK.B"), .field(.from, "BBCNews"),
    .field(.lang, "en"), .field(.entity, "Barack Obama"), .field(.domain, "bbc.co.uk"),
    .field(.url, "x.org/a_(b)"), .field(.url, "weird (url"), .field(.has, "media"), .field(.is, "reshare"),
    .field(.since, "2014-08-15"), .field(.until, "2014-08-31"), .field(.emoji, "red heart"),
    .field(.emoji, "fire"), .field(.entity, "a(b)://c"),
]

/// A random tree in the parser's normal form, at most `depth` levels of operators deep.
func randomTree(_ rng: inout SplitMix64, depth: Int) -> QueryNode {
    if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 { return leafPool.randomElement(using: &rng)! }
    switch Int.random(in: 0..<3, using: &rng) {
    case 0:
        let child = randomTree(&rng, depth: depth - 1)
        if case .not(let inner) = child { return inner }
        return .not(child)
    default:
        let isOr = Bool.random(using: &rng)
        let children = (0..<Int.random(in: 2...4, using: &rng)).map { _ in
            var child = randomTree(&rng, depth: depth - 1)
            // Keep the normal form: no OR directly in OR, no AND directly in AND.
            if isOr, case .or = child { child = .not(child) }
            if !isOr, case .and = child { child = .not(child) }
            return child
        }
        return isOr ? .or(children) : .and(children)
    }
}

@Suite("Parser properties")
struct RoundTripPropertyTests {
    @Test("random token soups parse to normal form and round-trip, or fail inside the query")
    func tokenSoups() {
        var rng = SplitMix64(seed: 0x5eed_0001)
        var parsed = 0, rejected = 0
        var failures: [String] = []
        for _ in 0..<20_000 {
            let query = randomSoup(&rng)
            do {
                let node = try QueryParser.parse(query)
                parsed += 1
                if let violation = node.normalFormViolation {
                    failures.append("\(query.debugDescription): \(violation) in \(node.compact)")
                }
                do {
                    let again = try QueryParser.parse(node.queryText)
                    if again != node {
                        failures.append("\(query.debugDescription) -> \(node.queryText.debugDescription) -> \(again.compact)")
                    }
                } catch {
                    failures.append("\(query.debugDescription) -> \(node.queryText.debugDescription): \(error)")
                }
            } catch {
                rejected += 1
                let count = query.count
                if error.position < 0 || error.position > count || error.position + error.length > count
                    || error.message.isEmpty || error.description.split(separator: "\n").count != 3 {
                    failures.append("\(query.debugDescription): bad error \(error.position)+\(error.length)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures, e.g. \(failures.prefix(5))")
        // Both outcomes must be common, or the generator is not exercising the parser.
        #expect(parsed > 2_000, "only \(parsed) parsed")
        #expect(rejected > 2_000, "only \(rejected) rejected")
    }

    @Test("random normal-form trees render to text that parses back to them")
    func treesRoundTrip() throws {
        var rng = SplitMix64(seed: 0x5eed_0002)
        for _ in 0..<5_000 {
            let tree = randomTree(&rng, depth: 4)
            #expect(tree.normalFormViolation == nil)
            let text = tree.queryText
            let parsed = try QueryParser.parse(text)
            #expect(parsed == tree, "\(text) parsed as \(parsed.compact), expected \(tree.compact)")
            if parsed != tree { break }
        }
    }

    @Test("queryText uses the fewest parentheses")
    func queryTextShape() throws {
        let rows: [(String, String)] = [
            ("a b OR c d", "a b OR c d"),
            ("(a OR b) c", "(a OR b) c"),
            ("-(a OR b) -(c d) -e", "-(a OR b) -(c d) -e"),
            ("from:@bob emoji:\"red heart\" is:retweet", "from:bob emoji:\"red heart\" is:reshare"),
            ("“x  y”", "\"x  y\""),
            ("NOT NOT a", "a"),
        ]
        for (query, expected) in rows {
            #expect(try QueryParser.parse(query).queryText == expected)
        }
    }

    @Test("nesting is fine up to the limit and an error beyond it")
    func deepNesting() throws {
        let limit = QueryParser.maximumDepth
        func nested(_ depth: Int) -> String {
            String(repeating: "(", count: depth) + "a OR b" + String(repeating: ")", count: depth)
        }
        #expect(try QueryParser.parse(nested(limit)) == .or([.word("a"), .word("b")]))
        let error = #expect(throws: QuerySyntaxError.self) { try QueryParser.parse(nested(limit + 1)) }
        #expect(error?.code == .tooDeep)
        #expect(error?.position == limit)
        // Negations count too; an even number of them cancels.
        #expect(try QueryParser.parse(String(repeating: "-", count: limit) + "x") == .word("x"))
        #expect(throws: QuerySyntaxError.self) { try QueryParser.parse(String(repeating: "-", count: limit + 1) + "x") }
        // A hostile query fails cleanly instead of exhausting the stack.
        #expect(throws: QuerySyntaxError.self) { try QueryParser.parse(String(repeating: "(", count: 100_000)) }
    }
}
