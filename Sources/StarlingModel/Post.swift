// The post: Starling's one data type for a tweet, toot or comment, whatever platform it came from.
import Foundation

/// A link as the post carries it: the text written (`url`, often a t.co wrapper) and the platform's expansion.
public struct PostURL: Sendable, Equatable, Hashable {
    /// The URL as it appears in the text.
    public var url: String
    /// The platform's expanded form (Twitter's `expanded_url`), when the export carries one.
    public var expanded: String?

    public init(url: String, expanded: String? = nil) {
        self.url = url
        self.expanded = expanded
    }
}

/// A social post in Starling's native model (see DESIGN.md, "Native post format").
///
/// `id` and `text` are required; everything else is optional. Fields the model does not know are kept in
/// `extras`, in their original order, and written back when the post is stored or printed.
public struct Post: Sendable, Equatable {
    /// The post's own id as the platform gave it (Twitter's `id_str`).
    public var id: String
    /// The text as written (HTML already turned into text for platforms that send HTML).
    public var text: String
    /// The author's handle, without `@`.
    public var author: String?
    /// When the post was created.
    public var createdAt: Date?
    /// The platform name, e.g. `twitter`, `mastodon`.
    public var platform: String?
    /// The platform's own language tag for the post, if any (a hint, not the truth).
    public var lang: String?
    /// The id of the post this one reshares (retweet, boost), when known.
    public var reshareOf: String?
    /// The author of the post this one reshares, when known (from `RT @user:` or the platform).
    public var reshareAuthor: String?
    /// The id of the post this one replies to.
    public var replyTo: String?
    /// Links the platform listed for the post.
    public var urls: [PostURL]
    /// Hashtags the platform listed (without `#`); empty when the export has none.
    public var hashtags: [String]
    /// Mentions the platform listed (without `@`).
    public var mentions: [String]
    /// Engagement counts, e.g. `likes`, `reshares`, `replies`.
    public var metrics: [String: Int64]
    /// Whether the platform said the post has media attached.
    public var hasMedia: Bool
    /// Whether the platform marked this post as a reshare even without an id for the original.
    public var isReshare: Bool
    /// Every field of the input record that the model does not know, kept as it came.
    public var extras: [(String, JSONValue)]

    public init(
        id: String, text: String, author: String? = nil, createdAt: Date? = nil, platform: String? = nil,
        lang: String? = nil, reshareOf: String? = nil, reshareAuthor: String? = nil, replyTo: String? = nil,
        urls: [PostURL] = [], hashtags: [String] = [], mentions: [String] = [], metrics: [String: Int64] = [:],
        hasMedia: Bool = false, isReshare: Bool = false, extras: [(String, JSONValue)] = []
    ) {
        self.id = id
        self.text = text
        self.author = author
        self.createdAt = createdAt
        self.platform = platform
        self.lang = lang
        self.reshareOf = reshareOf
        self.reshareAuthor = reshareAuthor
        self.replyTo = replyTo
        self.urls = urls
        self.hashtags = hashtags
        self.mentions = mentions
        self.metrics = metrics
        self.hasMedia = hasMedia
        self.isReshare = isReshare
        self.extras = extras
    }

    public static func == (a: Post, b: Post) -> Bool {
        a.id == b.id && a.text == b.text && a.author == b.author && a.createdAt == b.createdAt
            && a.platform == b.platform && a.lang == b.lang && a.reshareOf == b.reshareOf
            && a.reshareAuthor == b.reshareAuthor && a.replyTo == b.replyTo && a.urls == b.urls
            && a.hashtags == b.hashtags && a.mentions == b.mentions && a.metrics == b.metrics
            && a.hasMedia == b.hasMedia && a.isReshare == b.isReshare
            && JSONValue.object(a.extras) == JSONValue.object(b.extras)
    }
}
