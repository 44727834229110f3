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
    /// UTF-8 offset of the first byte in the original text.
    public var start: Int
    /// UTF-8 offset just past the last byte.
    public var end: Int
    /// Place for phrase matching.
    public var position: UInt32
    /// For words: the normalised form with combining marks removed (`café` -> `cafe`), when it differs; indexed
    /// at the same position so `cafe` finds café while `café` stays exact.
    public var unaccented: String?

    /// A token.
    public init(kind: TokenKind, text: String, normalized: String, start: Int, end: Int, position: UInt32,
                unaccented: String? = nil) {
        self.kind = kind
        self.text = text
        self.normalized = normalized
        self.start = start
        self.end = end
        self.position = position
        self.unaccented = unaccented
    }
}

/// A hashtag: as written (no `#`), folded, and the words inside it.
public struct Hashtag: Sendable, Equatable {
    /// The body as written, without `#`.
    public var text: String
    /// The body folded for matching.
    public var normalized: String
    /// The words inside, folded: CamelCase, digits and underscores split; one-case tags by the word model.
    public var words: [String]
}

/// A mention or cashtag: as written (no sigil) and folded.
public struct Handle: Sendable, Equatable {
    /// As written, without the sigil.
    public var text: String
    /// Folded for matching.
    public var normalized: String
}

/// A link: as written, canonical, the platform's expansion, and its domains.
public struct Link: Sendable, Equatable {
    /// As written in the text (`http://t.co/x`, `bbc.co.uk/news`).
    public var text: String
    /// Canonical form of the expanded URL (or of the text when there is no expansion).
    public var canonical: String
    /// The platform's expansion of a shortened link, when the post carried one.
    public var expanded: String?
    /// The host and its parent domains down to the registrable domain.
    public var domains: [String]
}

/// An emoji sequence as written and folded for matching, with its CLDR name when the table knows it.
public struct EmojiToken: Sendable, Equatable {
    /// The sequence as written.
    public var text: String
    /// The matching form: skin tones and variation selectors removed (Emoji.fold).
    public var folded: String
    /// CLDR short name (`fire`, `thumbs up`), nil for sequences not in the table.
    public var name: String?
    /// Terms that find it by name, for the `XJ` prefix (`emoji:fire`): the folded name, its words, the keywords.
    public var nameTerms: [String]

    /// An emoji token.
    public init(text: String, folded: String, name: String? = nil, nameTerms: [String] = []) {
        self.text = text
        self.folded = folded
        self.name = name
        self.nameTerms = nameTerms
    }
}

/// Everything the analyser found in one text.
public struct Analysis: Sendable, Equatable {
    /// The analysed text.
    public var text: String
    /// NFKC + casefold of the whole text.
    public var normalized: String
    /// Every token, in text order.
    public var tokens: [Token]
    /// The hashtags, in order.
    public var hashtags: [Hashtag]
    /// The mentioned handles (list mentions `@user/list` count as the user).
    public var mentions: [Handle]
    /// The cashtags.
    public var cashtags: [Handle]
    /// The links, with or without a scheme.
    public var urls: [Link]
    /// The emoji sequences.
    public var emoji: [EmojiToken]
    /// `RT @user:` at the start of the text.
    public var isReshare: Bool
    /// The user named by the `RT @user:` prefix.
    public var reshareAuthor: String?
    /// The handle a reply is addressed to: `@user` at the very start of the text (twitter-text's reply rule).
    public var replyTo: String? = nil

    /// The word terms (folded words, numbers, hashtag words), in order: what phrase search and TF-IDF see.
    public var wordTokens: [Token] { tokens.filter { $0.kind == .word || $0.kind == .number } }
}
