// The analyser's output types: tokens with offsets into the original text, and the social entities of a post.

/// What a token is.
public enum TokenKind: String, Sendable, Codable {
    case word, number, hashtag, mention, cashtag, url, emoji
}

/// A token of a post. `start`/`end` are UTF-8 byte offsets into the original text and are never changed by
/// later stages; `position` is the token's place for phrase matching.
public struct Token: Sendable, Equatable {
    public var kind: TokenKind
    /// The token as written (with its sigil for hashtags, mentions and cashtags).
    public var text: String
    /// The form used for matching: folded words, tag bodies without sigil, canonical URLs, folded emoji.
    public var normalized: String
    public var start: Int
    public var end: Int
    public var position: UInt32

    public init(kind: TokenKind, text: String, normalized: String, start: Int, end: Int, position: UInt32) {
        self.kind = kind
        self.text = text
        self.normalized = normalized
        self.start = start
        self.end = end
        self.position = position
    }
}

/// A hashtag: as written (no `#`), folded, and the words inside it.
public struct Hashtag: Sendable, Equatable {
    public var text: String
    public var normalized: String
    public var words: [String]
}

/// A mention or cashtag: as written (no sigil) and folded.
public struct Handle: Sendable, Equatable {
    public var text: String
    public var normalized: String
}

/// A link: as written, canonical, the platform's expansion, and its domains.
public struct Link: Sendable, Equatable {
    public var text: String
    public var canonical: String
    public var expanded: String?
    public var domains: [String]
}

/// An emoji sequence as written and folded for matching.
public struct EmojiToken: Sendable, Equatable {
    public var text: String
    public var folded: String
}

/// Everything the analyser found in one text.
public struct Analysis: Sendable, Equatable {
    public var text: String
    /// NFKC + casefold of the whole text.
    public var normalized: String
    public var tokens: [Token]
    public var hashtags: [Hashtag]
    public var mentions: [Handle]
    public var cashtags: [Handle]
    public var urls: [Link]
    public var emoji: [EmojiToken]
    /// `RT @user:` at the start of the text.
    public var isReshare: Bool
    /// The user named by the `RT @user:` prefix.
    public var reshareAuthor: String?

    /// The word terms (folded words, numbers, hashtag words), in order: what phrase search and TF-IDF see.
    public var wordTokens: [Token] { tokens.filter { $0.kind == .word || $0.kind == .number } }
}
