// Splits a query into tokens on demand: operators, parentheses, phrases and classified terms (words,
// hashtags, mentions, cashtags, validated fields). Lazy, so the leftmost problem is the one reported.

/// One token and where it sits in the query, in `Character` offsets.
struct QueryToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A complete operand: word, phrase, sigil term or field.
        case leaf(QueryNode)
        case and, or, not
        /// `-` glued to the operand that follows it.
        case minus
        case open, close
        case end
    }

    let kind: Kind
    let start: Int
    let length: Int

    var end: Int { start + length }

    /// True when this token can begin an operand (and so can follow an operator or be juxtaposed).
    var startsOperand: Bool {
        switch kind {
        case .leaf, .not, .minus, .open: return true
        case .and, .or, .close, .end: return false
        }
    }

    /// How the token reads in an error message.
    var quoted: String {
        switch kind {
        case .leaf: return "a term"
        case .and: return "'AND'"
        case .or: return "'OR'"
        case .not: return "'NOT'"
        case .minus: return "'-'"
        case .open: return "'('"
        case .close: return "')'"
        case .end: return "the end of the query"
        }
    }
}

/// The tokenizer. Rules it implements (documented for users on ``QueryParser``):
/// - whitespace (any Unicode space) separates terms; `(` and `)` are always tokens of their own, except
///   inside URLs (`url:` values and bare words containing `://`), which keep parentheses that close
///   within the URL (`https://en.wikipedia.org/wiki/Mercury_(planet)`);
/// - `"`, `“`, `”`, `„` and `＂` open a phrase that runs to the next of them;
/// - `-` at the start of a term, glued to it, negates it; a `-` followed by a space or `)` is an error;
/// - `AND`, `OR`, `NOT` are operators only as whole terms in upper case;
/// - a term whose text before its first `:` is a field name (any case) is a field.
struct QueryLexer: Sendable {
    let query: String
    private let characters: [Character]
    private var index = 0

    init(_ query: String) {
        self.query = query
        self.characters = Array(query)
    }

    static func isQuote(_ c: Character) -> Bool {
        c == "\"" || c == "\u{201C}" || c == "\u{201D}" || c == "\u{201E}" || c == "\u{FF02}"
    }

    /// - Complexity: O(length of the token plus the whitespace before it).
    mutating func next() throws(QuerySyntaxError) -> QueryToken {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        guard index < characters.count else { return QueryToken(kind: .end, start: characters.count, length: 0) }
        let start = index
        let c = characters[index]
        switch c {
        case "(":
            index += 1
            return QueryToken(kind: .open, start: start, length: 1)
        case ")":
            index += 1
            return QueryToken(kind: .close, start: start, length: 1)
        case "-":
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            guard let next, !next.isWhitespace, next != ")" else {
                throw error(at: start, length: 1, .detachedMinus,
                            "expected a term right after '-' (write -word, with no space, to exclude a word)")
            }
            index += 1
            return QueryToken(kind: .minus, start: start, length: 1)
        default:
            if Self.isQuote(c) { return try scanPhrase() }
            return try scanTerm()
        }
    }

    // MARK: Phrases

    private mutating func scanPhrase() throws(QuerySyntaxError) -> QueryToken {
        let open = index
        guard let close = closingQuote(after: open) else {
            throw error(at: characters.count, length: 0, .unterminatedQuote,
                        "expected a closing quote '\"' for the quote at column \(open + 1)")
        }
        index = close + 1
        let text = String(characters[(open + 1)..<close])
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw error(at: open, length: close - open + 1, .emptyPhrase,
                        "empty phrase: expected words between the quotes")
        }
        return QueryToken(kind: .leaf(.phrase(text)), start: open, length: close - open + 1)
    }

    private func closingQuote(after open: Int) -> Int? {
        var j = open + 1
        while j < characters.count {
            if Self.isQuote(characters[j]) { return j }
            j += 1
        }
        return nil
    }

    // MARK: Terms

    /// Scans from `from` while characters belong to a term; in URL mode balanced parentheses belong too.
    /// With `watchForField`, stops at the first `:` whose prefix names a field and reports that field.
    private func scanRun(from: Int, urlMode: Bool, watchForField: Bool) -> (end: Int, field: QueryField?) {
        var j = from
        var inURL = urlMode
        var sawColon = false
        while j < characters.count {
            let c = characters[j]
            if c.isWhitespace || Self.isQuote(c) || c == ")" { break }
            if c == "(" {
                // A URL keeps a parenthesised part only when it closes within the URL; otherwise the
                // '(' opens a group, so a URL never holds unbalanced parentheses.
                guard inURL, let close = matchingParenthesis(from: j) else { break }
                j = close + 1
                continue
            } else if c == ":" {
                if watchForField && !sawColon,
                   let field = QueryField(rawValue: String(characters[from..<j]).lowercased()) {
                    return (j, field)
                }
                sawColon = true
                // A bare URL keeps its parentheses: `https://en.wikipedia.org/wiki/Mercury_(planet)`.
                if !inURL, j + 2 < characters.count, characters[j + 1] == "/", characters[j + 2] == "/" {
                    inURL = true
                }
            }
            j += 1
        }
        return (j, nil)
    }

    /// The `)` matching the `(` at `open` before the next whitespace or quote, if there is one.
    private func matchingParenthesis(from open: Int) -> Int? {
        var depth = 0
        var k = open
        while k < characters.count {
            let c = characters[k]
            if c.isWhitespace || Self.isQuote(c) { return nil }
            if c == "(" { depth += 1 }
            if c == ")" {
                depth -= 1
                if depth == 0 { return k }
            }
            k += 1
        }
        return nil
    }

    private mutating func scanTerm() throws(QuerySyntaxError) -> QueryToken {
        let start = index
        let (end, field) = scanRun(from: start, urlMode: false, watchForField: true)
        if let field { return try scanField(field, start: start, colon: end) }
        index = end
        let text = String(characters[start..<end])
        let token = { (kind: QueryToken.Kind) in QueryToken(kind: kind, start: start, length: end - start) }
        switch text {
        case "AND": return token(.and)
        case "OR": return token(.or)
        case "NOT": return token(.not)
        default: break
        }
        let first = characters[start]
        let body = String(characters[(start + 1)..<end])
        switch first {
        case "#", "\u{FF03}":
            if body.isEmpty {
                throw error(at: start, length: 1, .emptySigil, "expected a hashtag name right after '\(first)'")
            }
            return token(QueryTerms.isHashtag(body) ? .leaf(.hashtag(body)) : .leaf(.word(text)))
        case "@", "\u{FF20}":
            if body.isEmpty {
                throw error(at: start, length: 1, .emptySigil, "expected a user name right after '\(first)'")
            }
            return token(QueryTerms.isHandle(body) ? .leaf(.mention(body)) : .leaf(.word(text)))
        case "$":
            if body.isEmpty {
                throw error(at: start, length: 1, .emptySigil, "expected a ticker symbol right after '$', e.g. $AAPL")
            }
            return token(QueryTerms.isCashtag(body) ? .leaf(.cashtag(body)) : .leaf(.word(text)))
        default:
            return token(.leaf(.word(text)))
        }
    }

    private mutating func scanField(_ field: QueryField, start: Int, colon: Int) throws(QuerySyntaxError) -> QueryToken {
        let name = String(characters[start...colon])
        let valueStart = colon + 1
        let value: String
        let valueSpan: (start: Int, length: Int)
        if valueStart < characters.count, Self.isQuote(characters[valueStart]) {
            guard let close = closingQuote(after: valueStart) else {
                throw error(at: characters.count, length: 0, .unterminatedQuote,
                            "expected a closing quote '\"' for the quote at column \(valueStart + 1)")
            }
            index = close + 1
            value = String(characters[(valueStart + 1)..<close])
            valueSpan = (valueStart + 1, close - valueStart - 1)
            guard value.contains(where: { !$0.isWhitespace }) else {
                throw error(at: start, length: index - start, .missingValue,
                            "expected a value between the quotes after '\(name)'\(field.example)")
            }
        } else {
            let (end, _) = scanRun(from: valueStart, urlMode: field == .url, watchForField: false)
            index = end
            value = String(characters[valueStart..<end])
            valueSpan = (valueStart, end - valueStart)
            guard !value.isEmpty else {
                throw error(at: start, length: valueStart - start, .missingValue,
                            "expected a value right after '\(name)'\(field.example)")
            }
        }
        switch field.validate(value, as: name) {
        case .success(let canonical):
            return QueryToken(kind: .leaf(.field(field, canonical)), start: start, length: index - start)
        case .failure(let problem):
            throw error(at: valueSpan.start, length: valueSpan.length, .invalidValue, problem.message)
        }
    }

    func error(at position: Int, length: Int, _ code: QuerySyntaxError.Code, _ message: String) -> QuerySyntaxError {
        QuerySyntaxError(query: query, position: position, length: length, message: message, code: code)
    }
}
