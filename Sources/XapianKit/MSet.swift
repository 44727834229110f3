// MSet.swift: a page of search results, copied out of Xapian's MSet into plain values.

/// One match, copied out of Xapian's MSet.
public struct MSetItem: Sendable, Equatable {
    /// The document's id (in the combined numbering when searching several shards).
    public let docid: UInt32
    /// Position in the full result list (0 is the best match), counting from `first`.
    public let rank: Int
    /// The match's weight.
    public let weight: Double
    /// The weight as a percentage of the best possible.
    public let percent: Int
    /// How many other documents with the same collapse key were removed (a lower bound).
    public let collapseCount: Int
    /// The collapse key (empty without collapsing).
    public let collapseKey: [UInt8]
    /// The document's stored data as raw bytes (empty unless requested).
    public let dataBytes: [UInt8]
    /// The document's stored data as text (invalid UTF-8 repaired; empty unless requested).
    public var data: String { String(decoding: dataBytes, as: UTF8.self) }
}

/// A page of results, with Xapian's estimates of the total number of matches.
public struct MSet: Sendable, Equatable {
    /// Xapian's estimate of the number of matches.
    public let matchesEstimated: Int
    /// The number of matches is at least this.
    public let matchesLowerBound: Int
    /// The number of matches is at most this.
    public let matchesUpperBound: Int
    /// The requested page of matches, best first (or in sort order).
    public let items: [MSetItem]
}
