// ValueCountSpy.swift: facet counts over a slot, gathered while a match runs (Xapian's ValueCountMatchSpy).
import CXapian

/// Counts the values of one slot over the documents a match considered (Xapian's ValueCountMatchSpy).
public final class ValueCountSpy: @unchecked Sendable {
    /// The enquire owning the spy; kept alive as long as the spy.
    public let enquire: Enquire
    let handle: OpaquePointer

    init(enquire: Enquire, handle: OpaquePointer) {
        self.enquire = enquire
        self.handle = handle
    }

    /// The `n` most frequent values with their counts, most frequent first (ties in byte order).
    public func top(_ n: Int) -> [(value: [UInt8], count: Int)] {
        let result = try? callReturningTable({ xc_valuecount_spy_top(handle, UInt32(clamping: n), $0) }) { table in
            (0..<table.rows).map { (table.bytes($0, 0), Int(table.int($0, 0))) }
        }
        return result ?? []
    }

    /// How many documents the spy has seen.
    public var documentsSeen: Int { Int(xc_valuecount_spy_total(handle)) }
}
