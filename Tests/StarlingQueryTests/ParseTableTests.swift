// Golden table for the parser: each query and the compact tree it must produce. One row per rule that
// QueryParser documents, so a changed rule shows up as a changed row.

import Testing
@testable import StarlingQuery

struct ParseCase: CustomTestStringConvertible, Sendable {
    let query: String
    let expected: String
    init(_ query: String, _ expected: String) { (self.query, self.expected) = (query, expected) }
    var testDescription: String { query }
}

let operatorCases: [ParseCase] = [
    .init("cat", "w:cat"),
    .init("cat dog", "(AND w:cat w:dog)"),
    .init("cat AND dog", "(AND w:cat w:dog)"),
    .init("cat OR dog", "(OR w:cat w:dog)"),
    // Lower- and mixed-case operators are words, as on the platforms.
    .init("cat or dog", "(AND w:cat w:or w:dog)"),
    .init("cat and dog", "(AND w:cat w:and w:dog)"),
    .init("Not cat", "(AND w:Not w:cat)"),
    // AND binds tighter than OR, juxtaposition included.
    .init("a b OR c", "(OR (AND w:a w:b) w:c)"),
    .init("a OR b c", "(OR w:a (AND w:b w:c))"),
    .init("a OR b AND c", "(OR w:a (AND w:b w:c))"),
    .init("a AND b OR c AND d", "(OR (AND w:a w:b) (AND w:c w:d))"),
    .init("(a OR b) c", "(AND (OR w:a w:b) w:c)"),
    // Flattening and collapsing.
    .init("a (b c)", "(AND w:a w:b w:c)"),
    .init("(a b) (c d)", "(AND w:a w:b w:c w:d)"),
    .init("a OR (b OR c)", "(OR w:a w:b w:c)"),
    .init("a OR b OR c", "(OR w:a w:b w:c)"),
    .init("((a))", "w:a"),
    .init("((a OR b))", "(OR w:a w:b)"),
    .init("a ((b OR (c d)) e)", "(AND w:a (OR w:b (AND w:c w:d)) w:e)"),
    .init("(((((deep)))))", "w:deep"),
    // Negation: NOT and a glued '-', in front of anything.
    .init("NOT a", "(NOT w:a)"),
    .init("a NOT b", "(AND w:a (NOT w:b))"),
    .init("a AND NOT b", "(AND w:a (NOT w:b))"),
    .init("a -b", "(AND w:a (NOT w:b))"),
    .init("a OR -b", "(OR w:a (NOT w:b))"),
    .init("-(a OR b)", "(NOT (OR w:a w:b))"),
    .init("NOT (a b)", "(NOT (AND w:a w:b))"),
    .init("-\"a b\"", "(NOT \"a b\")"),
    .init("-is:reshare", "(NOT is:reshare)"),
    .init("-#tag -@bob -$AAPL", "(AND (NOT #tag) (NOT @bob) (NOT $AAPL))"),
    .init("NOT -(a)", "w:a"),
    // Double negation cancels.
    .init("--a", "w:a"),
    .init("NOT NOT a", "w:a"),
    .init("NOT -a", "w:a"),
    .init("---a", "(NOT w:a)"),
    // Only negations: allowed here, the compiler adds "match all".
    .init("-a", "(NOT w:a)"),
    .init("-a -b", "(AND (NOT w:a) (NOT w:b))"),
    .init("NOT lang:en", "(NOT lang:en)"),
    .init("-(a b) OR -c", "(OR (NOT (AND w:a w:b)) (NOT w:c))"),
    // '-' inside or at the end of a term is part of the word.
    .init("e-mail", "w:e-mail"),
    .init("covid-19 -vaccine", "(AND w:covid-19 (NOT w:vaccine))"),
    .init("well-", "w:well-"),
    .init("-5", "(NOT w:5)"),
    // Parentheses split words outside URLs.
    .init("foo(bar)", "(AND w:foo w:bar)"),
    // The brief's example.
    .init("cat (#dogs OR @bob) -from:x", "(AND w:cat (OR #dogs @bob) (NOT from:x))"),
    .init("#dogs OR @bob cat -from:x", "(OR #dogs (AND @bob w:cat (NOT from:x)))"),
]

let phraseCases: [ParseCase] = [
    .init("\"black lives matter\"", "\"black lives matter\""),
    .init("\"  spaced  out \"", "\"  spaced  out \""),
    .init("say\"hello world\"", "(AND w:say \"hello world\")"),
    .init("\"a b\" OR c", "(OR \"a b\" w:c)"),
    .init("\"a\"\"b\"", "(AND \"a\" \"b\")"),
    .init("\"OR AND NOT ( ) -x\"", "\"OR AND NOT ( ) -x\""),
    .init("\"#tag @bob from:x\"", "\"#tag @bob from:x\""),
    // Typographic quotes from phone keyboards.
    .init("“smart quotes”", "\"smart quotes\""),
    .init("„Anführungszeichen“", "\"Anführungszeichen\""),
    .init("＂全角＂", "\"全角\""),
    .init("\"🔥 on fire\"", "\"🔥 on fire\""),
]

let sigilCases: [ParseCase] = [
    .init("#BlackLivesMatter", "#BlackLivesMatter"),
    .init("#under_score", "#under_score"),
    .init("#2014年", "#2014年"),
    .init("#日本語ハッシュタグ", "#日本語ハッシュタグ"),
    .init("#हिन्दी", "#हिन्दी"),
    .init("#می‌خواهم", "#می‌خواهم"),
    .init("#il·lusió", "#il·lusió"),
    .init("＃Ferguson", "#Ferguson"),
    // Not hashtags: numbers only, trailing punctuation, a URL. They stay words for the analyzer.
    .init("#1", "w:#1"),
    .init("#_", "w:#_"),
    .init("#ferguson,", "w:#ferguson,"),
    .init("#AND", "#AND"),
    .init("@bob", "@bob"),
    .init("@user_name", "@user_name"),
    .init("@12345", "@12345"),
    .init("@alice@mastodon.social", "@alice@mastodon.social"),
    .init("@alice.bsky.social", "@alice.bsky.social"),
    .init("＠bob", "@bob"),
    .init("@bob!", "w:@bob!"),
    .init("@bob.", "w:@bob."),
    .init("@aliceìnheiro", "w:@aliceìnheiro"),
    .init("bob@example.com", "w:bob@example.com"),
    .init("$AAPL", "$AAPL"),
    .init("$aapl", "$aapl"),
    .init("$BRK.B", "$BRK.B"),
    .init("$BF_B", "$BF_B"),
    .init("$test.tt", "$test.tt"),
    // Money and near-misses stay words.
    .init("$5", "w:$5"),
    .init("$5.99", "w:$5.99"),
    .init("$TOOLONG", "w:$TOOLONG"),
    .init("$AAPL.XYZ", "w:$AAPL.XYZ"),
    .init("$株", "w:$株"),
    .init("#tag @bob $AAPL", "(AND #tag @bob $AAPL)"),
]

let fieldCases: [ParseCase] = [
    .init("from:BBCNews", "from:BBCNews"),
    .init("from:@BBCNews", "from:BBCNews"),
    .init("FROM:bob", "from:bob"),
    .init("From:alice@mastodon.social", "from:alice@mastodon.social"),
    .init("from:\"bob\"", "from:bob"),
    .init("lang:en", "lang:en"),
    .init("lang:EN", "lang:EN"),
    .init("lang:und", "lang:und"),
    .init("lang:fil", "lang:fil"),
    .init("lang:zh-Hant", "lang:zh-Hant"),
    .init("lang:pt-BR", "lang:pt-BR"),
    .init("entity:Q42", "entity:Q42"),
    .init("entity:\"Barack Obama\"", "entity:\"Barack Obama\""),
    .init("domain:bbc.co.uk", "domain:bbc.co.uk"),
    .init("domain:www.bbc.co.uk", "domain:www.bbc.co.uk"),
    .init("domain:bücher.de", "domain:bücher.de"),
    .init("url:https://bbc.in/1uXxOfo", "url:https://bbc.in/1uXxOfo"),
    .init("url:bbc.in/1uXxOfo?a=b&c=d#frag", "url:bbc.in/1uXxOfo?a=b&c=d#frag"),
    .init("url:en.wikipedia.org/wiki/Mercury_(planet)", "url:en.wikipedia.org/wiki/Mercury_(planet)"),
    .init("(url:bbc.in/x)", "url:bbc.in/x"),
    .init("(a OR url:x.org/a_(b))", "(OR w:a url:x.org/a_(b))"),
    // An unmatched '(' in a URL opens a group instead.
    .init("url:x.org/(a b)", "(AND url:x.org/ w:a w:b)"),
    .init("has:url", "has:url"),
    .init("has:links", "has:url"),
    .init("has:MEDIA", "has:media"),
    .init("has:hashtags", "has:hashtag"),
    .init("has:mention", "has:mention"),
    .init("has:cashtag", "has:cashtag"),
    .init("has:emoji", "has:emoji"),
    .init("is:reshare", "is:reshare"),
    .init("is:retweet", "is:reshare"),
    .init("is:boost", "is:reshare"),
    .init("is:Reply", "is:reply"),
    .init("since:2014-08-15 until:2014-08-31", "(AND since:2014-08-15 until:2014-08-31)"),
    .init("since:2016-02-29", "since:2016-02-29"),
    .init("until:2000-02-29", "until:2000-02-29"),
    .init("emoji:fire", "emoji:fire"),
    .init("emoji:red_heart", "emoji:red_heart"),
    .init("emoji:\"red heart\"", "emoji:\"red heart\""),
    .init("emoji:🔥", "emoji:🔥"),
    .init("-is:reshare has:media", "(AND (NOT is:reshare) has:media)"),
    // A ':' whose prefix is no field name stays inside a word.
    .init("10:30", "w:10:30"),
    .init("foo:bar", "w:foo:bar"),
    .init("note:", "w:note:"),
    .init("https://bbc.co.uk/news", "w:https://bbc.co.uk/news"),
    .init("https://en.wikipedia.org/wiki/Mercury_(planet)", "w:https://en.wikipedia.org/wiki/Mercury_(planet)"),
    .init("(see https://x.com/a_(b))", "(AND w:see w:https://x.com/a_(b))"),
    .init("(https://x.com/a)", "w:https://x.com/a"),
    .init("#from:x", "w:#from:x"),
]

let unicodeCases: [ParseCase] = [
    .init("🔥", "w:🔥"),
    .init("fire🔥", "w:fire🔥"),
    .init("👩‍👩‍👧", "w:👩‍👩‍👧"),
    .init("🇬🇧 🇫🇷", "(AND w:🇬🇧 w:🇫🇷)"),
    .init("👍🏽", "w:👍🏽"),
    .init("#️⃣", "w:#️⃣"),
    .init("東京\u{3000}オリンピック", "(AND w:東京 w:オリンピック)"),
    .init("ＡＢＣ", "w:ＡＢＣ"),
    .init("𝐛𝐨𝐥𝐝", "w:𝐛𝐨𝐥𝐝"),
    .init("don't", "w:don't"),
    .init("Ελλάδα OR Россия", "(OR w:Ελλάδα w:Россия)"),
    .init("नमस्ते", "w:नमस्ते"),
    .init("non\u{00A0}breaking", "(AND w:non w:breaking)"),
    .init(" a\tb\nc ", "(AND w:a w:b w:c)"),
    .init("cafe\u{301}", "w:cafe\u{301}"),
]

func compactOrError(_ query: String) -> String {
    do {
        return try QueryParser.parse(query).compact
    } catch {
        return "error"
    }
}

@Suite("Parser golden table")
struct ParseTableTests {
    @Test("operators, precedence, grouping, negation", arguments: operatorCases)
    func operators(_ row: ParseCase) {
        #expect(compactOrError(row.query) == row.expected)
    }

    @Test("phrases", arguments: phraseCases)
    func phrases(_ row: ParseCase) {
        #expect(compactOrError(row.query) == row.expected)
    }

    @Test("hashtags, mentions, cashtags", arguments: sigilCases)
    func sigils(_ row: ParseCase) {
        #expect(compactOrError(row.query) == row.expected)
    }

    @Test("fields and field-like words", arguments: fieldCases)
    func fields(_ row: ParseCase) {
        #expect(compactOrError(row.query) == row.expected)
    }

    @Test("any script, emoji, odd spaces", arguments: unicodeCases)
    func unicode(_ row: ParseCase) {
        #expect(compactOrError(row.query) == row.expected)
    }

    @Test("the tree itself, not just its rendering")
    func treeShape() throws {
        let node = try QueryParser.parse("cat (#dogs OR @bob) -from:@x emoji:\"red heart\"")
        #expect(node == .and([
            .word("cat"),
            .or([.hashtag("dogs"), .mention("bob")]),
            .not(.field(.from, "x")),
            .field(.emoji, "red heart"),
        ]))
    }

    @Test("every field name is recognised, in any case", arguments: QueryField.allCases)
    func everyField(_ field: QueryField) throws {
        let sample: String = switch field {
        case .from: "bob"
        case .lang: "en"
        case .entity: "Q1"
        case .domain: "example.com"
        case .url: "example.com/a"
        case .has: "url"
        case .is: "reply"
        case .since, .until: "2020-01-31"
        case .emoji: "fire"
        }
        #expect(try QueryParser.parse("\(field.rawValue):\(sample)") == .field(field, sample))
        #expect(try QueryParser.parse("\(field.rawValue.uppercased()):\(sample)") == .field(field, sample))
    }
}
