// Turns query text into a normalised QueryNode tree by recursive descent, one token of lookahead.

/// Parses Starling's query language.
///
/// Grammar (upper-case words are the literal operators; juxtaposition means AND):
/// ```
/// query   := or END
/// or      := and ("OR" and)*
/// and     := unary (["AND"] unary)*
/// unary   := ("NOT" | "-") unary | primary
/// primary := term | phrase | "(" or ")"
/// ```
/// Rules:
/// - AND binds tighter than OR: `a b OR c` is `(a AND b) OR c`. `AND`, `OR`, `NOT` are operators only
///   when written in upper case as whole terms; `and`, `or`, `Not` are ordinary words, as on the platforms.
/// - `-` negates the operand glued to it: a word, phrase, hashtag, field or group (`-is:reshare`,
///   `-(a OR b)`, `-"x y"`). Inside a term it is a letter (`e-mail`, `covid-19`). A `-` followed by a
///   space or `)` is an error rather than a silent word. Double negation cancels (`--x`, `NOT -x` are `x`).
/// - A query made only of negations (`-is:reshare`) parses; the compiler reads it as "all posts except".
/// - Phrases run from a quote to the next quote (`"`, `“`, `”`, `„` or `＂`); their text is kept raw.
/// - `#name`, `@name`, `$TICKER` are hashtags, mentions and cashtags when the name is well formed (see
///   ``QueryNode``); otherwise the whole term stays a word (`#1`, `$5`, `@bob!`). A sigil alone is an error.
/// - `name:value` is a field when `name` is a ``QueryField`` (any case) and the value follows that
///   field's rules; a term with another prefix stays a word (`10:30`, `foo:bar`, `https://bbc.co.uk/news`).
/// - Words are any run of non-space characters in any script; emoji sequences (ZWJ, flags, skin tones)
///   are single characters and belong to words; full-width and styled letters are left as typed.
/// - `(` and `)` always stand alone, except inside URLs (`url:` values and bare words containing `://`),
///   which keep a parenthesised part that closes before the next space (`…/Mercury_(planet)`).
/// - A field's value runs to the next space, parenthesis or quote, or is quoted (`emoji:"red heart"`);
///   `url:` values run to the next space. An empty or rule-breaking value is an error, never a word.
/// - `AND` groups and `OR` groups are flattened and a one-child group is its child.
/// - At most ``maximumDepth`` parentheses and negations may enclose a term.
///
/// Errors report the leftmost problem found, with its `Character` offset and what was expected.
public enum QueryParser {
    /// How many parentheses and negations may enclose a term; deeper queries are rejected (``QuerySyntaxError/Code/tooDeep``).
    public static let maximumDepth = 100

    /// Parses `query` into a normalised tree, or throws a ``QuerySyntaxError`` pointing at the problem.
    /// - Complexity: O(n) in the length of the query (nesting depth costs stack, one frame per level).
    public static func parse(_ query: String) throws(QuerySyntaxError) -> QueryNode {
        var parser = try Parser(query)
        return try parser.parseQuery()
    }
}

/// The recursive-descent state: a lexer and the token under consideration.
private struct Parser {
    var lexer: QueryLexer
    var current: QueryToken
    /// Open parentheses and negations around the current token; bounded so that a hostile query cannot
    /// exhaust the stack of a server thread.
    var depth = 0

    init(_ query: String) throws(QuerySyntaxError) {
        lexer = QueryLexer(query)
        current = try lexer.next()
    }

    mutating func advance() throws(QuerySyntaxError) {
        current = try lexer.next()
    }

    mutating func parseQuery() throws(QuerySyntaxError) -> QueryNode {
        if current.kind == .end {
            throw lexer.error(at: 0, length: 0, .emptyQuery, "empty query: expected a word, phrase or filter")
        }
        let node = try parseOr()
        switch current.kind {
        case .end:
            return node
        case .close:
            throw unmatched(current)
        default:
            // parseOr only stops at ')' or the end; anything else is a bug in this file.
            preconditionFailure("parser stopped at \(current)")
        }
    }

    mutating func parseOr() throws(QuerySyntaxError) -> QueryNode {
        var items = [try parseAnd()]
        while current.kind == .or {
            let op = current
            try advance()
            try requireOperand(after: op, named: "'OR'")
            items.append(try parseAnd())
        }
        return Self.group(items, or: true)
    }

    mutating func parseAnd() throws(QuerySyntaxError) -> QueryNode {
        var items = [try parseUnary()]
        while true {
            if current.kind == .and {
                let op = current
                try advance()
                try requireOperand(after: op, named: "'AND'")
            } else if !current.startsOperand {
                break
            }
            items.append(try parseUnary())
        }
        return Self.group(items, or: false)
    }

    mutating func parseUnary() throws(QuerySyntaxError) -> QueryNode {
        switch current.kind {
        case .not, .minus:
            let op = current
            try enter(op)
            defer { depth -= 1 }
            try advance()
            try requireOperand(after: op, named: op.kind == .not ? "'NOT'" : "'-'")
            let child = try parseUnary()
            if case .not(let inner) = child { return inner }
            return .not(child)
        default:
            return try parsePrimary()
        }
    }

    mutating func parsePrimary() throws(QuerySyntaxError) -> QueryNode {
        let token = current
        switch token.kind {
        case .leaf(let node):
            try advance()
            return node
        case .open:
            try enter(token)
            defer { depth -= 1 }
            try advance()
            if current.kind == .close {
                throw lexer.error(at: token.start, length: current.end - token.start, .emptyParentheses,
                                  "empty parentheses: expected a term between '(' and ')'")
            }
            if current.kind == .end { throw unclosed(token) }
            let inner = try parseOr()
            guard current.kind == .close else { throw unclosed(token) }
            try advance()
            return inner
        case .and, .or:
            // Only reachable at the start of the query or of a group: the operator has no left side.
            throw lexer.error(at: token.start, length: token.length, .missingOperand,
                              "expected a term before \(token.quoted)")
        case .close:
            // Only reachable at the start of the query: groups check for ')' right after their '('.
            throw unmatched(token)
        case .end, .not, .minus:
            preconditionFailure("parsePrimary called at \(token)")
        }
    }

    func unmatched(_ close: QueryToken) -> QuerySyntaxError {
        lexer.error(at: close.start, length: 1, .unmatchedParenthesis, "unexpected ')' without a matching '(' before it")
    }

    /// The query ended inside the group opened by `open`: point at the end, where ')' was expected.
    func unclosed(_ open: QueryToken) -> QuerySyntaxError {
        lexer.error(at: current.start, length: 0, .unclosedParenthesis,
                    "expected ')' to close the '(' at column \(open.start + 1)")
    }

    mutating func enter(_ token: QueryToken) throws(QuerySyntaxError) {
        depth += 1
        guard depth <= QueryParser.maximumDepth else {
            throw lexer.error(at: token.start, length: token.length, .tooDeep,
                              "too deeply nested: at most \(QueryParser.maximumDepth) parentheses and negations may enclose a term")
        }
    }

    /// After an operator, the next token must begin an operand. Points at the offending token, or at the
    /// operator itself when the query simply ends.
    func requireOperand(after op: QueryToken, named name: String) throws(QuerySyntaxError) {
        guard !current.startsOperand else { return }
        if current.kind == .end {
            throw lexer.error(at: op.start, length: op.length, .missingOperand,
                              "expected a term after \(name), but the query ends")
        }
        throw lexer.error(at: current.start, length: current.length, .missingOperand,
                          "expected a term after \(name), found \(current.quoted)")
    }

    /// Builds an AND or OR of `items`, flattening children of the same kind; one item is returned as is.
    static func group(_ items: [QueryNode], or isOr: Bool) -> QueryNode {
        if items.count == 1 { return items[0] }
        var flat: [QueryNode] = []
        for item in items {
            switch (item, isOr) {
            case (.or(let children), true), (.and(let children), false): flat += children
            default: flat.append(item)
            }
        }
        return isOr ? .or(flat) : .and(flat)
    }
}
