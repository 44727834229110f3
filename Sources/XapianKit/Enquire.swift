// Enquire.swift: running a query against a database: weighting, sort order, collapsing, match spies, and the
// match set (MSet) and expansion set (ESet) copied out into Swift values.
import CXapian

/// The weighting scheme used to rank matches.
public enum Weighting: Sendable, Equatable {
    /// Okapi BM25 (Xapian's default, with these default parameters).
    case bm25(k1: Double = 1.2, k2: Double = 0, k3: Double = 1, b: Double = 0.75, minNormLen: Double = 0.5)
    /// Every match weighs 0: pure boolean retrieval (cheapest; pair with a value sort).
    case bool
    /// TF-IDF with SMART normalisation letters, e.g. `"ntn"`.
    case tfidf(normalisation: String = "ntn")
}

/// How documents with equal sort keys are ordered.
public enum DocidOrder: Sendable {
    /// Lower docids first (Xapian's default).
    case ascending
    /// Higher docids first (e.g. newest first when docids follow time).
    case descending
    /// Whatever is fastest.
    case dontCare
}

/// Runs queries against one database (which may combine shards).
///
/// Configure, then call ``mset(first:max:checkAtLeast:fetchData:)``. The configuration setters do not
/// throw; if Xapian rejects a setting (e.g. an invalid TF-IDF normalisation) the error is kept and thrown
/// by the next ``mset(first:max:checkAtLeast:fetchData:)`` or ``eset(relevant:maxTerms:)``, until the
/// setting is replaced by a valid one.
///
/// Not thread-safe: use one thread at a time.
public final class Enquire: @unchecked Sendable {
    let handle: OpaquePointer
    /// The database searched; kept alive as long as the enquire (and its spies).
    public let database: Database
    /// Errors from setters, by setting, so a later valid setting clears its own error.
    private var settingErrors: [Setting: XapianError] = [:]

    private enum Setting: Hashable {
        case weighting, sort, docidOrder, collapse
    }

    /// An enquire over `database`.
    public init(_ database: Database) {
        let (handle, error) = callCapturingError { xc_enquire_new(database.handle, $0) }
        guard let handle else { fatalError("XapianKit: cannot create an enquire: \(error?.description ?? "")") }
        self.handle = handle
        self.database = database
    }

    deinit { xc_enquire_free(handle) }

    private func record(_ setting: Setting, _ body: (UnsafeMutablePointer<OpaquePointer?>) -> Void) {
        let (_, error) = callCapturingError(body)
        settingErrors[setting] = error
    }

    private func throwSettingError() throws {
        if let error = settingErrors.values.first { throw error }
    }

    /// Sets the query. `queryLength` is the number of query terms for weighting (0: Xapian counts them).
    public func setQuery(_ query: Query, queryLength: UInt32 = 0) throws {
        let built = try query.build()
        try call { xc_enquire_set_query(handle, built.pointer, queryLength, $0) }
    }

    /// Sets the weighting scheme.
    public func setWeighting(_ weighting: Weighting) {
        record(.weighting) { error in
            switch weighting {
            case .bm25(let k1, let k2, let k3, let b, let minNormLen):
                xc_enquire_set_bm25(handle, k1, k2, k3, b, minNormLen, error)
            case .bool:
                xc_enquire_set_bool_weight(handle, error)
            case .tfidf(let normalisation):
                withUTF8Bytes(normalisation) { xc_enquire_set_tfidf(handle, $0, $1, error) }
            }
        }
    }

    /// Orders matches by weight (the default).
    public func setSortByRelevance() {
        record(.sort) { xc_enquire_set_sort(handle, XC_SORT_RELEVANCE, 0, false, $0) }
    }

    /// Orders matches by the value in `slot` (byte-wise), ascending unless `reverse`.
    public func setSortByValue(_ slot: UInt32, reverse: Bool) {
        record(.sort) { xc_enquire_set_sort(handle, XC_SORT_VALUE, slot, reverse, $0) }
    }

    /// Orders by the value in `slot`, then by weight among equal values.
    public func setSortByValueThenRelevance(_ slot: UInt32, reverse: Bool) {
        record(.sort) { xc_enquire_set_sort(handle, XC_SORT_VALUE_THEN_RELEVANCE, slot, reverse, $0) }
    }

    /// Orders by weight, then by the value in `slot` among equal weights.
    public func setSortByRelevanceThenValue(_ slot: UInt32, reverse: Bool) {
        record(.sort) { xc_enquire_set_sort(handle, XC_SORT_RELEVANCE_THEN_VALUE, slot, reverse, $0) }
    }

    /// Sets how ties are ordered by docid.
    public func setDocidOrder(_ order: DocidOrder) {
        let value: xc_docid_order =
            switch order {
            case .ascending: XC_DOCID_ASCENDING
            case .descending: XC_DOCID_DESCENDING
            case .dontCare: XC_DOCID_DONT_CARE
            }
        record(.docidOrder) { xc_enquire_set_docid_order(handle, value, $0) }
    }

    /// Keeps at most `max` matches per distinct value of `slot`; `nil` turns collapsing off.
    public func setCollapseKey(_ slot: UInt32?, max: UInt32 = 1) {
        record(.collapse) { xc_enquire_set_collapse_key(handle, slot ?? XC_BAD_VALUENO, max, $0) }
    }

    /// Adds a spy counting the values in `slot` over the documents the match considers (facets).
    /// The counts accumulate over every later ``mset(first:max:checkAtLeast:fetchData:)`` call.
    public func addValueCountSpy(slot: UInt32) -> ValueCountSpy {
        let (spy, error) = callCapturingError { xc_enquire_add_valuecount_spy(handle, slot, $0) }
        guard let spy else { fatalError("XapianKit: cannot add a match spy: \(error?.description ?? "")") }
        return ValueCountSpy(enquire: self, handle: spy)
    }

    /// Runs the query and copies out matches `first ..< first + max`.
    ///
    /// - Parameters:
    ///   - checkAtLeast: look at least this many matches, making estimates and spy counts exact up to it.
    ///   - fetchData: also read each match's stored data (in the same C call).
    /// - Throws: a rejected setting, or Xapian's error (e.g. `DatabaseModifiedError`: reopen and retry).
    /// - Complexity: one C call; O(max) copies.
    public func mset(first: Int, max: Int, checkAtLeast: Int = 0, fetchData: Bool = true) throws -> MSet {
        try throwSettingError()
        return try callReturningTable({
            xc_enquire_mset(
                handle, UInt32(clamping: first), UInt32(clamping: max), UInt32(clamping: checkAtLeast), fetchData, $0)
        }) { table in
            var items: [MSetItem] = []
            items.reserveCapacity(table.rows)
            for row in 0..<table.rows {
                items.append(
                    MSetItem(
                        docid: UInt32(truncatingIfNeeded: table.int(row, 0)),
                        rank: Int(table.int(row, 1)),
                        weight: table.real(row, 0),
                        percent: Int(table.int(row, 2)),
                        collapseCount: Int(table.int(row, 3)),
                        collapseKey: table.bytes(row, 0),
                        dataBytes: table.bytes(row, 1)))
            }
            return MSet(
                matchesEstimated: Int(table.header(0)),
                matchesLowerBound: Int(table.header(1)),
                matchesUpperBound: Int(table.header(2)),
                items: items)
        }
    }

    /// "More like this": the `maxTerms` best terms to expand a query with, given documents judged relevant
    /// (Xapian's RSet + ESet). Terms of the current query are left out.
    public func eset(relevant: [UInt32], maxTerms: Int) throws -> [(term: String, weight: Double)] {
        try throwSettingError()
        return try relevant.withUnsafeBufferPointer { docids in
            try callReturningTable({
                xc_enquire_eset(handle, docids.baseAddress, docids.count, UInt32(clamping: maxTerms), $0)
            }) { table in
                (0..<table.rows).map { (table.string($0, 0), table.real($0, 0)) }
            }
        }
    }
}
