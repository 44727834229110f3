// Facets and time histograms over the posts matching a query.
//
// Facets. Authors and languages have value slots (ValueSlot.author, ValueSlot.language), so Xapian's
// ValueCountMatchSpy counts them while the match runs. Hashtags, mentions, cashtags, domains and entities are
// terms only (a post has several), so they are counted from the term lists of the top `sample` matches (by
// relevance; by docid for pure filters). Both are exact when the query matches at most `sample` posts; beyond
// that they describe the best `sample` matches (the spy may see a few more documents than were sampled: Xapian
// looks at least `checkAtLeast`), and the answer says how many documents each method saw.
//
// Histograms count ValueSlot.createdAt (sortable-serialised Unix seconds) with a ValueCountMatchSpy over every
// match (exact; O(matches)), then fold the timestamps into hour, day or ISO-week (Monday) buckets in UTC.
import Foundation
import StarlingIndex
import StarlingModel
import XapianKit

/// A facet the service can count.
public enum Facet: String, Sendable, CaseIterable {
    case hashtags, mentions, cashtags, domains, entities, languages, authors

    /// The term prefix counted from term lists, or nil for a value-slot facet.
    var termPrefix: String? {
        switch self {
        case .hashtags: return TermPrefix.hashtag
        case .mentions: return TermPrefix.mention
        case .cashtags: return TermPrefix.cashtag
        case .domains: return TermPrefix.domain
        case .entities: return TermPrefix.entity
        case .languages, .authors: return nil
        }
    }

    /// The value slot counted by a match spy, or nil for a term facet.
    var slot: UInt32? {
        switch self {
        case .languages: return ValueSlot.language
        case .authors: return ValueSlot.author
        default: return nil
        }
    }
}

/// Histogram bucket widths.
public enum HistogramInterval: String, Sendable, CaseIterable {
    case hour, day, week

    /// The start (Unix seconds, UTC) of the bucket holding `t`.
    func bucketStart(_ t: Double) -> Int64 {
        let s = Int64(t.rounded(.down))
        func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
        switch self {
        case .hour: return floorDiv(s, 3600) * 3600
        case .day: return floorDiv(s, 86_400) * 86_400
        case .week:
            // 1970-01-01 was a Thursday; Monday 1969-12-29 starts the week holding day 0.
            let day = floorDiv(s, 86_400)
            return (floorDiv(day + 3, 7) * 7 - 3) * 86_400
        }
    }

    /// Seconds in a bucket.
    var seconds: Int64 {
        switch self {
        case .hour: return 3600
        case .day: return 86_400
        case .week: return 604_800
        }
    }
}

/// Counting over matches.
public enum Analytics {
    /// Facet counts for `query` (already compiled). See the file header for the method.
    ///
    /// - Complexity: O(sample × terms per post) term-list reads, plus the match itself.
    public static func facets(database: Database, query: Query, facets: [Facet], size: Int, sample: Int) throws -> JSONValue {
        let enquire = Enquire(database)
        try enquire.setQuery(query)
        // The sample is the best matches as search ranks them.
        enquire.setWeighting(for: try database.termWeighting())
        var spies: [(Facet, ValueCountSpy)] = []
        for f in facets { if let slot = f.slot { spies.append((f, enquire.addValueCountSpy(slot: slot))) } }
        let mset = try enquire.mset(first: 0, max: sample, checkAtLeast: sample, fetchData: false)
        let termFacets = facets.filter { $0.termPrefix != nil }
        var counts: [Facet: [String: Int]] = [:]
        if !termFacets.isEmpty {
            for item in mset.items {
                for (term, _) in try database.termList(item.docid) {
                    for f in termFacets {
                        let p = f.termPrefix!
                        // A capital after the prefix would be a longer prefix (values are case-folded), except
                        // for entity ids, which are kept as catalogued (`XEQ42`).
                        if term.hasPrefix(p), let next = term.utf8.dropFirst(p.utf8.count).first,
                           f == .entities || !(65...90).contains(next) {
                            counts[f, default: [:]][String(term.dropFirst(p.count)), default: 0] += 1
                        }
                    }
                }
            }
        }
        func pairs(_ list: [(String, Int)]) -> JSONValue {
            .array(list.map { .object([("value", .string($0.0)), ("count", .int(Int64($0.1)))]) })
        }
        var out: [(String, JSONValue)] = []
        for f in facets {
            if let spy = spies.first(where: { $0.0 == f })?.1 {
                let top = spy.top(size).map { (String(decoding: $0.value, as: UTF8.self), $0.count) }
                out.append((f.rawValue, pairs(top)))
            } else {
                let top = (counts[f] ?? [:]).sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                    .prefix(size).map { ($0.key, $0.value) }
                out.append((f.rawValue, pairs(Array(top))))
            }
        }
        let spySeen = spies.first?.1.documentsSeen ?? 0
        return .object([
            ("total", .int(Int64(mset.matchesEstimated))),
            ("total_lower_bound", .int(Int64(mset.matchesLowerBound))),
            ("total_upper_bound", .int(Int64(mset.matchesUpperBound))),
            ("sampled", .int(Int64(mset.items.count))),
            ("exact", .bool(mset.matchesUpperBound <= sample)),
            ("method", .object([
                ("terms", .string("term lists of the top \(mset.items.count) matches")),
                ("values", .string("value-count match spy over \(spySeen) matches")),
            ])),
            ("facets", .object(out)),
        ])
    }

    /// Posts per hour, day or week for `query`, over every match; empty buckets between the first and last
    /// are included (zero), so the series can be drawn as it is.
    ///
    /// - Complexity: O(matches) for the spy, O(distinct times) to bucket them.
    public static func histogram(database: Database, query: Query, interval: HistogramInterval,
                                 maxBuckets: Int) throws -> JSONValue {
        let enquire = Enquire(database)
        try enquire.setQuery(query)
        enquire.setWeighting(.bool)
        let spy = enquire.addValueCountSpy(slot: ValueSlot.createdAt)
        let all = try database.documentCount()
        let mset = try enquire.mset(first: 0, max: 0, checkAtLeast: max(all, 1), fetchData: false)
        var buckets: [Int64: Int] = [:]
        var dated = 0
        // Xapian reserves room for as many values as asked, so ask for no more than there can be.
        for (value, count) in spy.top(max(1, spy.documentsSeen)) where !value.isEmpty {
            buckets[interval.bucketStart(Sortable.unserialise(value)), default: 0] += count
            dated += count
        }
        var series: [JSONValue] = []
        if let lo = buckets.keys.min(), let hi = buckets.keys.max() {
            let n = (hi - lo) / interval.seconds + 1
            guard n <= Int64(maxBuckets) else {
                throw APIError(.badRequest, "too-many-buckets",
                               "the matches span \(n) \(interval.rawValue)s; narrow the query (since:/until:) or use a wider interval",
                               details: [("buckets", .int(n)), ("limit", .int(Int64(maxBuckets)))])
            }
            var t = lo
            while t <= hi {
                series.append(.object([("start", .string(PostTime.iso8601(Date(timeIntervalSince1970: Double(t))))),
                                       ("count", .int(Int64(buckets[t] ?? 0)))]))
                t += interval.seconds
            }
        }
        return .object([
            ("interval", .string(interval.rawValue)),
            ("total", .int(Int64(mset.matchesEstimated))),
            ("dated", .int(Int64(dated))),
            ("undated", .int(Int64(max(0, mset.matchesEstimated - dated)))),
            ("buckets", .array(series)),
        ])
    }
}
