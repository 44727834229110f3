// Golden table of malformed queries: where the error points (Character offset), its code, and a piece of
// its message. A malformed query must never parse to something, least of all to an empty result.

import Testing
@testable import StarlingQuery

struct BadQuery: CustomTestStringConvertible, Sendable {
    let query: String
    let position: Int
    let code: QuerySyntaxError.Code
    let fragment: String
    init(_ query: String, _ position: Int, _ code: QuerySyntaxError.Code, _ fragment: String) {
        (self.query, self.position, self.code, self.fragment) = (query, position, code, fragment)
    }
    var testDescription: String { query.isEmpty ? "(empty)" : query }
}

let badQueries: [BadQuery] = [
    .init("", 0, .emptyQuery, "empty query"),
    .init("   \t ", 0, .emptyQuery, "empty query"),
    // Dangling operators point at the operator when the query ends, else at what came instead of a term.
    .init("cats AND", 5, .missingOperand, "expected a term after 'AND', but the query ends"),
    .init("cats OR", 5, .missingOperand, "after 'OR'"),
    .init("OR dogs", 0, .missingOperand, "expected a term before 'OR'"),
    .init("AND dogs", 0, .missingOperand, "before 'AND'"),
    .init("(OR dogs)", 1, .missingOperand, "before 'OR'"),
    .init("a OR OR b", 5, .missingOperand, "after 'OR', found 'OR'"),
    .init("a AND OR b", 6, .missingOperand, "after 'AND', found 'OR'"),
    .init("a OR AND b", 5, .missingOperand, "found 'AND'"),
    .init("NOT", 0, .missingOperand, "after 'NOT'"),
    .init("a NOT", 2, .missingOperand, "after 'NOT'"),
    .init("(a NOT)", 6, .missingOperand, "found ')'"),
    .init("(a AND) b", 6, .missingOperand, "found ')'"),
    .init("NOT OR a", 4, .missingOperand, "after 'NOT', found 'OR'"),
    .init("-AND b", 1, .missingOperand, "after '-', found 'AND'"),
    // A '-' must be glued to what it excludes.
    .init("-", 0, .detachedMinus, "right after '-'"),
    .init("- x", 0, .detachedMinus, "-word"),
    .init("a - b", 2, .detachedMinus, "right after '-'"),
    .init("(a -)", 3, .detachedMinus, "right after '-'"),
    .init("-- x", 1, .detachedMinus, "right after '-'"),
    // Parentheses.
    .init("(a OR b", 7, .unclosedParenthesis, "expected ')' to close the '(' at column 1"),
    .init("x (a (b)", 8, .unclosedParenthesis, "the '(' at column 3"),
    .init("(", 1, .unclosedParenthesis, "column 1"),
    .init("a (", 3, .unclosedParenthesis, "column 3"),
    .init("(a OR", 3, .missingOperand, "after 'OR'"),
    .init("a)", 1, .unmatchedParenthesis, "without a matching '('"),
    .init(")", 0, .unmatchedParenthesis, "without a matching '('"),
    .init("(a)) b", 3, .unmatchedParenthesis, "matching '('"),
    .init("lang:en)", 7, .unmatchedParenthesis, "matching '('"),
    .init("()", 0, .emptyParentheses, "empty parentheses"),
    .init("a ( ) b", 2, .emptyParentheses, "empty parentheses"),
    .init("-()", 1, .emptyParentheses, "empty parentheses"),
    .init("(())", 1, .emptyParentheses, "empty parentheses"),
    // Quotes.
    .init("\"abc", 4, .unterminatedQuote, "quote at column 1"),
    .init("a \"b c", 6, .unterminatedQuote, "quote at column 3"),
    .init("“curly", 6, .unterminatedQuote, "closing quote"),
    .init("\"\"", 0, .emptyPhrase, "empty phrase"),
    .init("a \"  \" b", 2, .emptyPhrase, "empty phrase"),
    // A sigil alone.
    .init("#", 0, .emptySigil, "hashtag name"),
    .init("a # b", 2, .emptySigil, "hashtag name"),
    .init("#(a)", 0, .emptySigil, "hashtag name"),
    .init("@", 0, .emptySigil, "user name"),
    .init("$", 0, .emptySigil, "ticker"),
    // Fields without a value.
    .init("from:", 0, .missingValue, "expected a value right after 'from:'"),
    .init("from: bob", 0, .missingValue, "after 'from:'"),
    .init("a lang:", 2, .missingValue, "after 'lang:', e.g. lang:en"),
    .init("(from:)", 1, .missingValue, "after 'from:'"),
    .init("Has:", 0, .missingValue, "after 'Has:'; one of url, media"),
    .init("from:\"\"", 0, .missingValue, "between the quotes"),
    .init("emoji:\"  \"", 0, .missingValue, "between the quotes"),
    .init("from:\"bob", 9, .unterminatedQuote, "quote at column 6"),
    // Values outside a field's rules point at the value.
    .init("has:video", 4, .invalidValue, "one of url, media, hashtag, mention, cashtag, emoji"),
    .init("has:images", 4, .invalidValue, "unknown value 'images'"),
    .init("is:quote", 3, .invalidValue, "one of reshare, reply"),
    .init("since:2014-13-01", 6, .invalidValue, "the month must be 01 to 12"),
    .init("since:2014-00-10", 6, .invalidValue, "the month must be 01 to 12"),
    .init("until:2014-02-30", 6, .invalidValue, "has days 01 to 28"),
    .init("since:2015-02-29", 6, .invalidValue, "has days 01 to 28"),
    .init("until:1900-02-29", 6, .invalidValue, "has days 01 to 28"),
    .init("since:2014-04-31", 6, .invalidValue, "has days 01 to 30"),
    .init("since:2014-8-15", 6, .invalidValue, "YYYY-MM-DD"),
    .init("since:yesterday", 6, .invalidValue, "YYYY-MM-DD"),
    .init("since:2014-08-15T10:00", 6, .invalidValue, "YYYY-MM-DD"),
    .init("since:２０１４-08-15", 6, .invalidValue, "YYYY-MM-DD"),
    .init("lang:english", 5, .invalidValue, "2–3 letter language code or 'und'"),
    .init("lang:e", 5, .invalidValue, "language code"),
    .init("lang:en_US", 5, .invalidValue, "language code"),
    .init("domain:https://bbc.co.uk/news", 7, .invalidValue, "not a URL"),
    .init("domain:bbc", 7, .invalidValue, "host name"),
    .init("domain:-bbc.com", 7, .invalidValue, "host name"),
    .init("from:bob!", 5, .invalidValue, "user name"),
    .init("from:@", 5, .invalidValue, "user name"),
    .init("from:bob:x", 5, .invalidValue, "user name"),
    .init("from:\"Bob Smith\"", 6, .invalidValue, "user name"),
    // The leftmost problem wins, whether it is lexical or grammatical.
    .init("a has:video OR", 6, .invalidValue, "has:"),
    .init("OR has:video", 0, .missingOperand, "before 'OR'"),
    // Positions count Characters: an emoji family or a CJK ideograph is one.
    .init("👩‍👩‍👧 has:nope", 6, .invalidValue, "unknown value 'nope'"),
    .init("東京 (", 4, .unclosedParenthesis, "column 4"),
]

@Suite("Syntax errors golden table")
struct SyntaxErrorTableTests {
    @Test("malformed queries throw, pointing at the problem", arguments: badQueries)
    func rejects(_ row: BadQuery) {
        do {
            let node = try QueryParser.parse(row.query)
            Issue.record("parsed to \(node.compact) instead of failing")
        } catch {
            #expect(error.position == row.position, "\(error.description)")
            #expect(error.code == row.code, "\(error.description)")
            #expect(error.message.contains(row.fragment), "\(error.message)")
            #expect(error.query == row.query)
            #expect(error.position + error.length <= row.query.count)
        }
    }

    @Test("the description shows the column, the query and a caret under the problem")
    func description() {
        let error = #expect(throws: QuerySyntaxError.self) { try QueryParser.parse("cats has:video") }
        #expect(error?.length == 5)
        #expect(error?.description == """
            column 10: unknown value 'video' for 'has:'; one of url, media, hashtag, mention, cashtag, emoji
              cats has:video
                       ^^^^^
            """)
    }

    @Test("a missing ')' is marked at the end of the query")
    func caretAtEnd() {
        let error = #expect(throws: QuerySyntaxError.self) { try QueryParser.parse("cats (dogs OR cats") }
        #expect(error?.length == 0)
        #expect(error?.description == """
            column 19: expected ')' to close the '(' at column 6
              cats (dogs OR cats
                                ^
            """)
    }

    @Test("the caret lines up under wide characters and keeps tabs")
    func caretUnderWideCharacters() {
        let error = #expect(throws: QuerySyntaxError.self) { try QueryParser.parse("東京🔥\tlang:xx_yy") }
        #expect(error?.position == 9)
        // 東, 京 and 🔥 take two cells each; the tab is copied so the terminal expands it alike.
        #expect(error?.description.split(separator: "\n").last == "        \t     ^^^^^")
    }

    @Test("line breaks in the query do not break the picture")
    func newlines() {
        let error = #expect(throws: QuerySyntaxError.self) { try QueryParser.parse("a\nOR") }
        #expect(error?.description.split(separator: "\n", omittingEmptySubsequences: false).count == 3)
    }
}
