// How an index lays out a word's stemmed forms, recorded in its metadata so that queries know whether a word's
// family can be searched as an OR of disjoint posting lists (LanguageStage says how posts are written).

/// The stem layout of an index.
public enum StemLayout: String, Sendable {
    /// `Z` + stem beside every word whose stem differs from it, even where the post also holds the stem itself
    /// (indexes written before the layout was recorded, and posts added to them later). Searched as a synonym.
    case overlapping
    /// `Z` + stem only where the post does not hold the stem as a word; otherwise the stem's own word term
    /// counts the other forms. A post is in at most one of `like` and `Zlike`.
    case disjoint

    /// The metadata key holding the layout's raw value. Absent: ``overlapping``.
    public static let metadataKey = "stems"

    /// The layout an index's metadata value names; unknown values are read as ``overlapping`` (always correct,
    /// only slower).
    public static func named(_ metadata: String) -> StemLayout {
        StemLayout(rawValue: metadata) ?? .overlapping
    }
}
