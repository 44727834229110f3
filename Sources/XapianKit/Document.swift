// Document.swift: a Xapian document (terms, positions, value slots, stored data) built for indexing or read
// back from a database.
import CXapian

/// A Xapian document: terms with wdf and positions, boolean filter terms, value slots and stored data.
///
/// The builder methods do not throw, because the indexer calls them hundreds of thousands of times per second;
/// a rejected call (e.g. an empty term) is remembered in ``pendingError`` and thrown by the
/// ``WritableDatabase`` method that stores the document, so a bad document can never be stored silently.
///
/// Not thread-safe: use one thread at a time.
public final class Document: @unchecked Sendable {
    let handle: OpaquePointer

    /// The first error a builder call ran into; storing the document throws it.
    public private(set) var pendingError: XapianError?

    /// A new, empty document.
    public init() {
        let (handle, error) = callCapturingError { xc_document_new($0) }
        guard let handle else { fatalError("XapianKit: cannot allocate a document: \(error?.description ?? "")") }
        self.handle = handle
    }

    /// Wraps a handle returned by the shim (e.g. from `Database.document`).
    init(owning handle: OpaquePointer) {
        self.handle = handle
    }

    deinit { xc_document_free(handle) }

    @inline(__always)
    private func record(_ error: OpaquePointer?) {
        guard let error else { return }
        let swiftError = XapianError(consuming: error)
        if pendingError == nil { pendingError = swiftError }
    }

    /// The document's id in the database it came from; 0 for a document that has not been stored.
    public var docid: UInt32 { xc_document_docid(handle) }

    /// The stored data as text (invalid UTF-8 is repaired when reading).
    public var data: String {
        get { (try? callReturningBuffer({ xc_document_get_data(handle, $0, $1) }, decodeString)) ?? "" }
        set {
            var error: OpaquePointer?
            withUTF8Bytes(newValue) { xc_document_set_data(handle, $0, $1, &error) }
            record(error)
        }
    }

    /// The stored data as raw bytes.
    public var dataBytes: [UInt8] {
        get { (try? callReturningBuffer({ xc_document_get_data(handle, $0, $1) }, copyBytes)) ?? [] }
        set {
            var error: OpaquePointer?
            withBytes(newValue) { xc_document_set_data(handle, $0, $1, &error) }
            record(error)
        }
    }

    /// Adds `term` with no position, increasing its wdf by `wdf`.
    ///
    /// - Complexity: O(log t) for t distinct terms in the document; no copy of `term` on the Swift side.
    public func addTerm(_ term: String, wdf: UInt32 = 1) {
        var error: OpaquePointer?
        withUTF8Bytes(term) { xc_document_add_term(handle, $0, $1, wdf, &error) }
        record(error)
    }

    /// The number of terms with a wdf above zero (what BM25 would call the document's distinct weighted terms).
    public func weightedTermCount() -> Int {
        var error: OpaquePointer?
        let count = xc_document_weighted_term_count(handle, &error)
        record(error)
        return Int(count)
    }

    /// Adds `prefix` + a + " " + b for every term a at a position p and term b at p + 1 where a or b is one of
    /// `common` (newline-separated words), with wdf max(1, round(factor × occurrences)); pairs longer than
    /// `maxTermBytes` are left out. The pairs are exactly the two-term phrases the document matches.
    ///
    /// - Complexity: O(p log p) for p positions in the document, times the terms sharing a position.
    public func addAdjacentPairs(prefix: String, common: String, factor: Double, maxTermBytes: Int) {
        var error: OpaquePointer?
        withUTF8Bytes(prefix) { p, pl in
            withUTF8Bytes(common) { c, cl in
                xc_document_add_adjacent_pairs(handle, p, pl, c, cl, factor, maxTermBytes, &error)
            }
        }
        record(error)
    }

    /// Replaces the wdf of every term whose wdf is above zero by `rewrite(wdf, count)`, where `count` is the number
    /// of such terms; a result smaller than the wdf leaves it unchanged (wdfs can only grow).
    ///
    /// - Complexity: O(t log t) for t terms, in one C call (no term crosses into Swift).
    public func rewriteWdfs(_ rewrite: (_ wdf: UInt32, _ count: UInt32) -> UInt32) {
        typealias Rewrite = (UInt32, UInt32) -> UInt32
        var error: OpaquePointer?
        withoutActuallyEscaping(rewrite) { f in
            var box: Rewrite = f
            withUnsafeMutablePointer(to: &box) { context in
                xc_document_rewrite_wdfs(handle, { wdf, count, context in
                    context!.assumingMemoryBound(to: Rewrite.self).pointee(wdf, count)
                }, context, &error)
            }
        }
        record(error)
    }

    /// Adds `term` at `position` (for phrase and near queries), increasing its wdf by `wdf`.
    ///
    /// - Complexity: O(log t + log p) for t terms and p positions of the term.
    public func addPosting(_ term: String, position: UInt32, wdf: UInt32 = 1) {
        var error: OpaquePointer?
        withUTF8Bytes(term) { xc_document_add_posting(handle, $0, $1, position, wdf, &error) }
        record(error)
    }

    /// Adds a filter term with wdf 0, so it does not change the document's length or weights.
    public func addBooleanTerm(_ term: String) {
        var error: OpaquePointer?
        withUTF8Bytes(term) { xc_document_add_boolean_term(handle, $0, $1, &error) }
        record(error)
    }

    /// Removes `term` with its positions (a document read from a database, then stored again with
    /// `replaceDocument`). Removing a term the document does not hold is an error, reported when it is stored.
    public func removeTerm(_ term: String) {
        var error: OpaquePointer?
        withUTF8Bytes(term) { xc_document_remove_term(handle, $0, $1, &error) }
        record(error)
    }

    /// Sets value slot `slot` (used for sorting, ranges, collapsing and facets); an empty value clears it.
    public func setValue(_ slot: UInt32, _ value: [UInt8]) {
        var error: OpaquePointer?
        withBytes(value) { xc_document_set_value(handle, slot, $0, $1, &error) }
        record(error)
    }

    /// Sets value slot `slot` to the UTF-8 bytes of `value`.
    public func setValue(_ slot: UInt32, _ value: String) {
        var error: OpaquePointer?
        withUTF8Bytes(value) { xc_document_set_value(handle, slot, $0, $1, &error) }
        record(error)
    }

    /// The bytes in value slot `slot`; empty when unset.
    public func value(_ slot: UInt32) -> [UInt8] {
        (try? callReturningBuffer({ xc_document_get_value(handle, slot, $0, $1) }, copyBytes)) ?? []
    }

    /// Value slot `slot` decoded as UTF-8; empty when unset.
    public func stringValue(_ slot: UInt32) -> String {
        (try? callReturningBuffer({ xc_document_get_value(handle, slot, $0, $1) }, decodeString)) ?? ""
    }

    /// The document's terms in byte order, with their wdf.
    ///
    /// For a document read from a database the term list is read lazily; if that read fails (the database
    /// was closed or modified meanwhile) the result is empty and the error is kept in ``pendingError``.
    /// ``Database/termList(_:)`` is the throwing alternative.
    public func terms() -> [(term: String, wdf: UInt32)] {
        do {
            return try callReturningTable({ xc_document_terms(handle, $0) }) { table in
                (0..<table.rows).map { (table.string($0, 0), UInt32(truncatingIfNeeded: table.int($0, 0))) }
            }
        } catch {
            if pendingError == nil { pendingError = error }
            return []
        }
    }

    /// Throws ``pendingError`` if a builder call failed.
    func checkValid() throws(XapianError) {
        if let pendingError { throw pendingError }
    }
}
