// Query.swift: Xapian queries as a Swift value, turned into a Xapian::Query only when an Enquire needs one.
import CXapian

/// A Xapian query tree. A plain value: build it anywhere, compare it in tests, hand it to ``Enquire``.
public indirect enum Query: Sendable, Equatable {
    /// Documents indexed by a term. `wqf` is the within-query frequency, `position` the query position.
    case term(String, wqf: UInt32 = 1, position: UInt32 = 0)
    /// Documents matching all subqueries.
    case and([Query])
    /// Documents matching any subquery.
    case or([Query])
    /// Like `or`, but weighted as if the subqueries were one term (for stems, synonyms, expansions).
    case synonym([Query])
    /// Documents matching the first query but not the second.
    case andNot(Query, Query)
    /// Documents matching the first query; the second only adds weight.
    case andMaybe(Query, Query)
    /// Documents matching the first query that also match the second, which adds no weight (OP_FILTER).
    case filter(Query, Query)
    /// The subqueries (usually terms) in order at adjacent positions; `window` 0 means the number of terms.
    case phrase([Query], window: UInt32 = 0)
    /// The subqueries within `window` positions of each other, in any order; 0 means the number of terms.
    case near([Query], window: UInt32 = 0)
    /// An `or` of the `size` most selective subqueries.
    case eliteSet([Query], size: UInt32)
    /// The query with its weights multiplied by `factor` (OP_SCALE_WEIGHT); `factor` must be >= 0.
    case scaled(Query, factor: Double)
    /// Documents whose value in `slot` lies in `lower...upper` (byte-wise comparison).
    case valueRange(slot: UInt32, lower: [UInt8], upper: [UInt8])
    /// Documents whose value in `slot` is >= the bound.
    case valueGreaterOrEqual(slot: UInt32, [UInt8])
    /// Documents whose value in `slot` is <= the bound (and not empty).
    case valueLessOrEqual(slot: UInt32, [UInt8])
    /// All terms starting with the given prefix, combined as a synonym (OP_WILDCARD).
    case wildcard(String)
    /// Every document.
    case matchAll
    /// No document.
    case matchNothing

    /// Xapian's own description of the query (`Query::get_description()`), e.g. `Query((a AND b))`.
    /// If Xapian rejects the query the description names the error instead; ``description(of:)`` throws it.
    public var xapianDescription: String {
        do { return try XapianKit.description(of: self) } catch { return "Query(<\(error)>)" }
    }
}

/// Xapian's description of `query` (`Query::get_description()`); throws if Xapian rejects the query.
public func description(of query: Query) throws -> String {
    let built = try query.build()
    return try callReturningBuffer({ xc_query_description(built.pointer, $0, $1) }, decodeString)
}

/// An `xc_query` owned by Swift, freed when released so that a failure halfway through a tree leaks nothing.
final class QueryHandle {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { xc_query_free(pointer) }
}

extension Query {
    /// Builds the Xapian::Query for this tree.
    ///
    /// - Complexity: O(n) C calls for n nodes.
    func build() throws -> QueryHandle {
        let pointer: OpaquePointer?
        switch self {
        case .term(let term, let wqf, let position):
            pointer = try withUTF8Bytes(term) { p, n in
                try call { xc_query_term(p, n, wqf, position, $0) }
            }
        case .and(let subqueries): return try Query.combine(XC_OP_AND, subqueries, 0)
        case .or(let subqueries): return try Query.combine(XC_OP_OR, subqueries, 0)
        case .synonym(let subqueries): return try Query.combine(XC_OP_SYNONYM, subqueries, 0)
        case .andNot(let a, let b): return try Query.combine(XC_OP_AND_NOT, [a, b], 0)
        case .andMaybe(let a, let b): return try Query.combine(XC_OP_AND_MAYBE, [a, b], 0)
        case .filter(let a, let b): return try Query.combine(XC_OP_FILTER, [a, b], 0)
        case .phrase(let subqueries, let window): return try Query.combine(XC_OP_PHRASE, subqueries, window)
        case .near(let subqueries, let window): return try Query.combine(XC_OP_NEAR, subqueries, window)
        case .eliteSet(let subqueries, let size): return try Query.combine(XC_OP_ELITE_SET, subqueries, size)
        case .scaled(let query, let factor):
            let inner = try query.build()
            pointer = try call { xc_query_scale(inner.pointer, factor, $0) }
        case .valueRange(let slot, let lower, let upper):
            pointer = try withBytes(lower) { a, aLength in
                try withBytes(upper) { b, bLength in
                    try call { xc_query_value(XC_OP_VALUE_RANGE, slot, a, aLength, b, bLength, $0) }
                }
            }
        case .valueGreaterOrEqual(let slot, let bound):
            pointer = try withBytes(bound) { a, aLength in
                try call { xc_query_value(XC_OP_VALUE_GE, slot, a, aLength, nil, 0, $0) }
            }
        case .valueLessOrEqual(let slot, let bound):
            pointer = try withBytes(bound) { a, aLength in
                try call { xc_query_value(XC_OP_VALUE_LE, slot, a, aLength, nil, 0, $0) }
            }
        case .wildcard(let prefix):
            pointer = try withUTF8Bytes(prefix) { p, n in
                try call { xc_query_wildcard(p, n, $0) }
            }
        case .matchAll: pointer = try call { xc_query_match_all($0) }
        case .matchNothing: pointer = try call { xc_query_match_nothing($0) }
        }
        return QueryHandle(pointer!)
    }

    private static func combine(_ op: xc_query_op, _ subqueries: [Query], _ parameter: UInt32) throws
        -> QueryHandle
    {
        var built: [QueryHandle] = []
        built.reserveCapacity(subqueries.count)
        for subquery in subqueries { built.append(try subquery.build()) }
        let pointers: [OpaquePointer?] = built.map(\.pointer)
        let pointer = try withExtendedLifetime(built) { () in
            try pointers.withUnsafeBufferPointer { buffer in
                try call { xc_query_combine(op, buffer.baseAddress, buffer.count, parameter, $0) }
            }
        }
        return QueryHandle(pointer!)
    }
}
