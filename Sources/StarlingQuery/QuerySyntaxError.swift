// The one error the query language throws: where the problem is, what was expected, and a rendering
// with a caret under the offending text for terminals.

/// A malformed query. Never swallowed: a query that cannot be read is reported, not run as an empty search.
public struct QuerySyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier for the kind of problem, for JSON responses and tests.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// Nothing but whitespace.
        case emptyQuery = "empty-query"
        /// A `"` with no closing quote.
        case unterminatedQuote = "unterminated-quote"
        /// Quotes with nothing between them.
        case emptyPhrase = "empty-phrase"
        /// A `(` never closed.
        case unclosedParenthesis = "unclosed-parenthesis"
        /// A `)` with no `(` before it.
        case unmatchedParenthesis = "unmatched-parenthesis"
        /// `()`.
        case emptyParentheses = "empty-parentheses"
        /// An operator with no term where one is needed (`cats AND`, `OR dogs`, `a OR OR b`, `NOT`).
        case missingOperand = "missing-operand"
        /// A `-` not attached to the term it excludes (`- x`).
        case detachedMinus = "detached-minus"
        /// `#`, `@` or `$` alone.
        case emptySigil = "empty-sigil"
        /// A field with nothing after the colon (`from:`).
        case missingValue = "missing-value"
        /// A field value outside the field's rules (`has:video`, `since:2014-13-01`, `lang:english`).
        case invalidValue = "invalid-value"
        /// More than ``QueryParser/maximumDepth`` parentheses and negations around a term.
        case tooDeep = "too-deep"
    }

    /// The query as given.
    public let query: String
    /// 0-based offset of the problem, in `Character`s (grapheme clusters) of ``query``; may equal
    /// `query.count` when something is missing at the end.
    public let position: Int
    /// How many `Character`s the problem spans; 0 when it is a point (something missing).
    public let length: Int
    /// What went wrong and what was expected, e.g. `expected ')' to close the '(' at column 5`.
    public let message: String
    /// The kind of problem.
    public let code: Code

    /// Creates an error; also for the query compiler, which reports unknown emoji names and the like the same way.
    public init(query: String, position: Int, length: Int, message: String, code: Code) {
        precondition(position >= 0 && length >= 0, "error span must not be negative")
        self.query = query
        self.position = position
        self.length = length
        self.message = message
        self.code = code
    }

    /// 1-based column of the problem, as people count.
    public var column: Int { position + 1 }

    /// The message with its column, then the query and a caret line under the problem:
    /// ```
    /// column 14: expected ')' to close the '(' at column 6
    ///   cats (dogs OR
    ///                ^
    /// ```
    /// Wide characters (CJK, emoji) count two cells so that the caret lines up in a terminal.
    public var description: String {
        let characters = Array(query)
        let start = min(position, characters.count)
        let end = min(position + length, characters.count)
        var pad = ""
        for character in characters[..<start] {
            // Keep tabs as tabs so the terminal expands them the same way on both lines.
            pad += character == "\t" ? "\t" : String(repeating: " ", count: Self.cellWidth(character))
        }
        let markWidth = characters[start..<end].reduce(0) { $0 + Self.cellWidth($1) }
        let marks = String(repeating: "^", count: max(1, markWidth))
        // Line breaks in the query would break the picture; show them as spaces.
        let shown = String(characters.map { $0.isNewline ? " " : $0 })
        return "column \(column): \(message)\n  \(shown)\n  \(pad)\(marks)"
    }

    /// Terminal cells a character occupies: 2 for East Asian wide and emoji-presentation characters, else 1.
    static func cellWidth(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.properties.isEmojiPresentation { return 2 }
        if scalars.contains(where: { $0.value == 0xFE0F }) && first.properties.isEmoji { return 2 }
        switch first.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }
}
