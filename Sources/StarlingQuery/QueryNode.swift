// The query AST: what a parsed Starling query means, before any analysis. User text stays raw here so
// that the compiler can run it through the same analyzer that indexed the posts.

/// A parsed query: a tree of terms combined with AND, OR and NOT.
///
/// Trees produced by ``QueryParser/parse(_:)`` are normalised:
/// - an `and` never has an `and` child and an `or` never has an `or` child (they are flattened);
/// - every `and`/`or` has at least two children (a single-child group collapses to the child);
/// - a `not` never wraps another `not` (double negation cancels: `--x` and `NOT -x` are `x`).
///
/// A query may consist of negations only (`-is:reshare`, `NOT lang:en`): the parser accepts it and the
/// compiler is expected to read it as "everything except …" (Xapian's `MatchAll AND_NOT …`).
public indirect enum QueryNode: Sendable, Equatable, Hashable {
    /// A bare word as typed: any script, may contain emoji, apostrophes, digits, hyphens, a bare URL,
    /// or a `:` whose prefix is not a field name (`10:30`). Never `AND`/`OR`/`NOT`, never starts with a lone `-` (a `-` fused
    /// with a following combining mark or skin-tone modifier is one character and part of the word).
    case word(String)
    /// The text between quotes, raw (inner spaces kept as typed). Never empty or blank.
    case phrase(String)
    /// A hashtag without its `#` (or full-width `＃`), as typed: `BlackLivesMatter`.
    case hashtag(String)
    /// A mention without its `@` (or full-width `＠`), as typed: `bob` or `alice@mastodon.social`.
    case mention(String)
    /// A cashtag without its `$`, as typed: `AAPL`, `BRK.B`.
    case cashtag(String)
    /// A field filter and its validated value; see ``QueryField`` for each field's value rules.
    case field(QueryField, String)
    /// All children must match. Two or more children.
    case and([QueryNode])
    /// Any child may match. Two or more children.
    case or([QueryNode])
    /// The child must not match.
    case not(QueryNode)
}

/// The `name:value` filters of the query language. Field names are matched case-insensitively
/// (`From:bob` is `from:bob`, as phones capitalise the first letter); values follow the rules below.
///
/// A value is everything after the `:` up to whitespace, a parenthesis or a quote, or the text of a
/// quoted value (`emoji:"red heart"`). `url:` values run to whitespace and keep balanced parentheses
/// (`url:en.wikipedia.org/wiki/Mercury_(planet)`).
public enum QueryField: String, Sendable, CaseIterable, Hashable {
    /// Author handle. A leading `@` is dropped (`from:@bob` is `from:bob`); letters, digits, `_`, `.`, `-`,
    /// and one `@` before an instance (`from:alice@mastodon.social`).
    case from
    /// Language: a 2–3 letter ISO 639 code or `und`, optionally with subtags (`zh-Hant`). Kept as typed.
    case lang
    /// Catalogued entity id, as typed.
    case entity
    /// Host name of a link, subdomains included by the compiler: `bbc.co.uk`. Must contain a dot; not a URL.
    case domain
    /// A URL or URL prefix, as typed (the compiler canonicalises it).
    case url
    /// One of ``QueryField/hasValues``; canonicalised to lower case, with synonyms (`links` → `url`).
    case has
    /// One of ``QueryField/isValues``; canonicalised, with synonyms (`retweet`, `boost`, `reblog` → `reshare`).
    case `is`
    /// First day included, `YYYY-MM-DD` (a real calendar date).
    case since
    /// Last day bound, `YYYY-MM-DD` (a real calendar date); whether it is inclusive is the compiler's choice.
    case until
    /// An emoji by CLDR short name, as typed: `emoji:fire`, `emoji:red_heart`, `emoji:"red heart"`, or
    /// the emoji itself (`emoji:🔥`). Underscores stand for spaces; the compiler looks the name up.
    case emoji
}

extension QueryField {
    /// The canonical values `has:` accepts, in the order error messages list them.
    public static let hasValues: [String] = ["url", "media", "hashtag", "mention", "cashtag", "emoji"]
    /// The canonical values `is:` accepts, in the order error messages list them.
    public static let isValues: [String] = ["reshare", "reply"]
}
