// Figures about an index: counts, size on disk, time span, the most common languages, platforms, hashtags,
// mentions, linked domains and entities.
import Foundation
import StarlingModel
import XapianKit

/// What `starling stats` reports.
public struct IndexStats: Sendable {
    public var documents: Int
    public var bytesOnDisk: Int64
    /// Distinct weighted terms (words, stems, hashtags, mentions, ...) per post, averaged over up to 1,000 posts
    /// spread over the index (Xapian's own document length holds length-normalised weights, see TermWeighting).
    public var averageLength: Double
    public var distinctTerms: Int
    public var oldest: Date?
    public var newest: Date?
    public var languages: [(String, Int)]
    public var platforms: [(String, Int)]
    public var topHashtags: [(String, Int)]
    public var topMentions: [(String, Int)] = []
    public var topDomains: [(String, Int)] = []
    public var topEntities: [(String, Int)] = []

    /// Reads the figures from `db` (at `path`, for the size on disk).
    public static func collect(_ db: Database, path: String) throws -> IndexStats {
        try collect(db, onDisk: [path])
    }

    /// Reads the figures from `db`; the size on disk is that of the folders `onDisk` (the shards on this machine).
    public static func collect(_ db: Database, onDisk: [String]) throws -> IndexStats {
        let docs = try db.documentCount()
        func prefixed(_ prefix: String, top: Int) throws -> [(String, Int)] {
            let terms = try db.allTerms(prefix: prefix)
            var pairs: [(String, Int)] = terms.map { (String($0.term.dropFirst(prefix.count)), $0.frequency) }
            pairs.sort { a, b in a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }
            return Array(pairs.prefix(top))
        }
        var oldest: Date?
        var newest: Date?
        if docs > 0 {
            for (sort, reverse) in [(true, false), (true, true)] where sort {
                let e = Enquire(db)
                try e.setQuery(.valueGreaterOrEqual(slot: ValueSlot.createdAt, Sortable.serialise(-1e12)))
                e.setSortByValue(ValueSlot.createdAt, reverse: reverse)
                let m = try e.mset(first: 0, max: 1, fetchData: false)
                if let item = m.items.first {
                    let v = try db.document(item.docid).value(ValueSlot.createdAt)
                    if !v.isEmpty {
                        let d = Date(timeIntervalSince1970: Sortable.unserialise(v))
                        if reverse { newest = d } else { oldest = d }
                    }
                }
            }
        }
        var stats = IndexStats(
            documents: docs, bytesOnDisk: onDisk.reduce(0) { $0 + directorySize($1) }, averageLength: try averageTerms(db),
            distinctTerms: 0, oldest: oldest, newest: newest,
            languages: try prefixed(TermPrefix.language, top: 10), platforms: try prefixed(TermPrefix.platform, top: 10),
            topHashtags: try prefixed(TermPrefix.hashtag, top: 10))
        stats.topMentions = try prefixed(TermPrefix.mention, top: 10)
        stats.topDomains = try prefixed(TermPrefix.domain, top: 10)
        stats.topEntities = try prefixed(TermPrefix.entity, top: 10)
        return stats
    }

    /// The mean number of distinct weighted terms of up to `sample` posts, evenly spread over the docids.
    static func averageTerms(_ db: Database, sample: Int = 1_000) throws -> Double {
        let last = Int(try db.lastDocID())
        guard last > 0 else { return 0 }
        let step = max(1, last / sample)
        var posts = 0, terms = 0
        for docid in stride(from: 1, through: last, by: step) {
            let list: [(term: String, wdf: UInt32)]
            do { list = try db.termList(UInt32(docid)) } catch let e as XapianError where e.type == "DocNotFoundError" {
                continue
            }
            posts += 1
            for (_, wdf) in list where wdf > 0 { terms += 1 }
        }
        return posts > 0 ? Double(terms) / Double(posts) : 0
    }

    /// Bytes of every file under `path`.
    public static func directorySize(_ path: String) -> Int64 {
        let fm = FileManager.default
        guard let e = fm.enumerator(atPath: path) else { return 0 }
        var total: Int64 = 0
        while let f = e.nextObject() as? String {
            if let a = try? fm.attributesOfItem(atPath: path + "/" + f), let s = a[.size] as? NSNumber {
                total += s.int64Value
            }
        }
        return total
    }

    /// The figures as JSON (`documents` is part of the documented contract).
    public var json: JSONValue {
        func pairs(_ p: [(String, Int)]) -> JSONValue {
            .array(p.map { .object([("value", .string($0.0)), ("count", .int(Int64($0.1)))]) })
        }
        var o: [(String, JSONValue)] = [("documents", .int(Int64(documents))), ("bytes_on_disk", .int(bytesOnDisk)),
                                         ("average_length", .double(averageLength))]
        o.append(("oldest", oldest.map { .string(PostTime.iso8601($0)) } ?? .null))
        o.append(("newest", newest.map { .string(PostTime.iso8601($0)) } ?? .null))
        o.append(("languages", pairs(languages)))
        o.append(("platforms", pairs(platforms)))
        o.append(("top_hashtags", pairs(topHashtags)))
        o.append(("top_mentions", pairs(topMentions)))
        o.append(("top_domains", pairs(topDomains)))
        o.append(("top_entities", pairs(topEntities)))
        return .object(o)
    }
}
