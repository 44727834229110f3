// Two ways to print a query: `compact`, an S-expression for tests and `--explain`, and `queryText`,
// the query language again, so a parsed query can be shown, saved and parsed back to the same tree.

extension QueryNode {
    /// An S-expression of the tree: `(AND w:cat (OR #dogs @bob) (NOT from:x))`.
    /// Leaves: `w:word`, `"phrase"`, `#tag`, `@user`, `$TICKER`, `field:value` (`field:"value"` when the
    /// value holds spaces or parentheses).
    public var compact: String {
        switch self {
        case .word(let text): return "w:" + text
        case .phrase(let text): return "\"" + text + "\""
        case .hashtag(let name): return "#" + name
        case .mention(let name): return "@" + name
        case .cashtag(let name): return "$" + name
        case .field(let field, let value): return Self.renderField(field, value)
        case .and(let children): return "(AND " + children.map(\.compact).joined(separator: " ") + ")"
        case .or(let children): return "(OR " + children.map(\.compact).joined(separator: " ") + ")"
        case .not(let child): return "(NOT " + child.compact + ")"
        }
    }

    /// The query in Starling's query language, with the fewest parentheses that keep its meaning:
    /// `cat (#dogs OR @bob) -from:x`. For every tree the parser returns, `parse(queryText)` gives the same
    /// tree. (A hand-built tree that is not normalised, such as a `not` of a `not`, renders readably but
    /// parses back to its normal form.)
    public var queryText: String {
        switch self {
        case .word(let text): return text
        case .phrase(let text): return "\"" + text + "\""
        case .hashtag(let name): return "#" + name
        case .mention(let name): return "@" + name
        case .cashtag(let name): return "$" + name
        case .field(let field, let value): return Self.renderField(field, value)
        case .and(let children):
            return children.map { child in
                switch child {
                case .and, .or: return "(" + child.queryText + ")"
                default: return child.queryText
                }
            }.joined(separator: " ")
        case .or(let children):
            return children.map { child in
                if case .or = child { return "(" + child.queryText + ")" }
                return child.queryText
            }.joined(separator: " OR ")
        case .not(let child):
            switch child {
            case .and, .or: return "-(" + child.queryText + ")"
            default: return "-" + child.queryText
            }
        }
    }

    /// `field:value`, quoting the value when the lexer would otherwise cut it short.
    private static func renderField(_ field: QueryField, _ value: String) -> String {
        field.rawValue + ":" + (valueNeedsQuotes(value, url: field == .url) ? "\"" + value + "\"" : value)
    }

    private static func valueNeedsQuotes(_ value: String, url: Bool) -> Bool {
        if value.isEmpty { return true }
        var depth = 0
        for c in value {
            if c.isWhitespace || QueryLexer.isQuote(c) { return true }
            if c == "(" || c == ")" {
                // Only URL values keep parentheses, and only balanced ones.
                guard url else { return true }
                depth += c == "(" ? 1 : -1
                if depth < 0 { return true }
            }
        }
        // An unclosed '(' would swallow a ')' that follows the value.
        return depth != 0
    }
}
