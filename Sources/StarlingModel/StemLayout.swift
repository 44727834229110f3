// How an index holds a word's stemmed forms, recorded in its metadata so that queries know whether a word's family
// is one term or a synonym of several (LanguageStage says how posts are written).

/// The stem layout of an index.
public enum StemLayout: String, Sendable {
    /// `Z` + stem beside every word whose stem differs from it (indexes written before the layout was recorded).
    /// A word's family is searched as a synonym of the word, `Z` + stem and the word the stem spells.
    case overlapping
    /// The family is counted on the term of the word the stem spells (`runs` and `running` add to `run`, with no
    /// positions, so phrases still match only the word itself); no `Z` terms. A word that is its own stem is one
    /// posting list. Posts added to an older index get this layout too; a synonym finds them as well.
    case merged

    /// The metadata key holding the layout's raw value. Absent: ``overlapping``.
    public static let metadataKey = "stems"

    /// The layout an index's metadata value names; other values are read as ``overlapping`` (a synonym finds
    /// posts of every layout, only more slowly).
    public static func named(_ metadata: String) -> StemLayout {
        StemLayout(rawValue: metadata) ?? .overlapping
    }
}
