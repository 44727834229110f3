// The index schema: which term prefixes and value slots mean what. This is the contract between the
// code that writes documents (StarlingIndex) and the code that turns queries into Xapian queries.

/// Term prefixes, following Xapian's convention (one capital, or `X` plus capitals), in front of lower-case terms.
public enum TermPrefix {
    /// The unique id term: `Q` + post id. Upserts replace the document holding it.
    public static let id = "Q"
    /// Author handle, case-folded: `Abbcnewsus`.
    public static let author = "A"
    /// Hashtag, normalised without `#`: `XHblacklivesmatter`.
    public static let hashtag = "XH"
    /// Mention, case-folded without `@`.
    public static let mention = "XM"
    /// Cashtag, case-folded without `$`.
    public static let cashtag = "XC"
    /// Domain of a link, and each parent domain: `XDbbc.co.uk`, `XDco.uk` is not added (public suffixes are skipped).
    public static let domain = "XD"
    /// Canonical URL of a link.
    public static let url = "XU"
    /// Language code (`Len`), as detected by StarlingLanguage's LanguageStage (`Lund` when undetermined).
    public static let language = "L"
    /// Stemmed word, Xapian's convention: `Z` + the Snowball stem under the post's language (`Zrun` for
    /// "running" in an English post), in indexes of the ``StemLayout/overlapping`` layout (written before the layout
    /// was recorded): beside the unstemmed word term, without positions, not for stopwords nor where the stem is
    /// the word itself. New indexes (``StemLayout/merged``) count the stem on the term of the word it spells
    /// instead (`running` adds to `run`) and have no `Z` terms. Queries match the stem under `lang:xx`'s stemmer,
    /// or under the query's plausible languages.
    public static let stem = "Z"
    /// Two words at adjacent positions where one of them is among the index's common words (`Gsee the`): a
    /// two-word phrase with a very common word is then one posting list, not an AND over the common word's
    /// hundreds of thousands of postings (PhraseStage). Weighted, without positions, and not counted in a post's
    /// length.
    public static let pair = "G"
    /// Platform name (`XPtwitter`).
    public static let platform = "XP"
    /// Flags for `is:` and `has:` (`XFreshare`, `XFreply`, `XFurl`, `XFmedia`, `XFhashtag`, `XFmention`).
    public static let flag = "XF"
    /// Catalogued entity id.
    public static let entity = "XE"
    /// Emoji by CLDR short-name word (`XJfire`).
    public static let emojiName = "XJ"
    /// The id of the post this one reshares (`XRid`), so a post's reshares can be found.
    public static let reshareOf = "XR"
    /// The id of the post this one replies to.
    public static let replyTo = "XY"
    /// Day bucket `XTyyyymmdd`, used for cheap date filters and histograms.
    public static let day = "XT"
    /// A short link that `starling unshorten` resolved (its canonical form): the target's URL and domain terms are
    /// in the document too.
    public static let unshortened = "XS"
    /// Near-duplicates (StarlingDuplicates): an LSH bucket, `XNB` + 6 base-32 digits of a band key (12 hex digits
    /// in indexes whose `dup.parameters` metadata has no `keys=`; see BucketKeyFormat). Only one post of each
    /// distinct shingle set carries them (its first copy), so a cascade of identical copies costs one entry.
    public static let duplicateBucket = "XNB"
    /// Near-duplicates: the shingle set's key, `XNS` + 16 hex digits; posts sharing it are exact copies (Jaccard 1).
    public static let shingleSet = "XNS"
    /// Near-duplicates: the cluster label the post got when written, `XNK` + a post id. Never rewritten; the
    /// labels merged into a cluster are kept in metadata (`dup.labels.` + cluster id), so members can be found.
    public static let clusterLabel = "XNK"
}

/// Value slots of a document.
public enum ValueSlot {
    /// `created_at` as Xapian's sortable_serialise of Unix seconds.
    public static let createdAt: UInt32 = 0
    /// Engagement (likes + reshares + replies) as sortable_serialise.
    public static let engagement: UInt32 = 1
    /// Near-duplicate cluster id (reserved for the duplicates module).
    public static let cluster: UInt32 = 2
    /// Case-folded author handle, for author facets.
    public static let author: UInt32 = 3
    /// Language code, for the language facet.
    public static let language: UInt32 = 4
    /// Near-duplicates: the post's shingle set, sorted 32-bit hashes, little-endian (ShingleCoding). The MinHash
    /// signature and bucket keys are recomputed from it (about a microsecond), and it gives exact Jaccard.
    public static let shingles: UInt32 = 10
}
