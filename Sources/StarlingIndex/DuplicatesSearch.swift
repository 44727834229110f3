// Near-duplicate queries on an index: the near-duplicates of a post or of a pasted text (LSH buckets,
// then exact Jaccard on the stored shingle sets), and the largest clusters (reshare and copy-paste cascades).
import Foundation
import StarlingAnalysis
import StarlingDuplicates
import StarlingModel
import XapianKit

/// A near-duplicate of the queried post or text.
public struct DuplicateHit: Sendable {
    /// The post id.
    public var id: String
    /// Exact Jaccard similarity of the two shingle sets.
    public var jaccard: Double
    /// MinHash estimate of the same (what the buckets saw).
    public var estimatedJaccard: Double
    /// The hit's cluster id.
    public var cluster: String
    /// The post (filled for the hits returned, not for those only counted).
    public var post: Post?
}

/// The near-duplicates found, best first.
public struct DuplicateResult: Sendable {
    /// How many posts are near-duplicates (the hits are the first `limit`).
    public var total: Int
    /// The hits, by Jaccard descending, then in index order.
    public var hits: [DuplicateHit]
    /// The cluster of the queried post (nil for a text).
    public var cluster: String?
}

/// A cluster: a reshare or copy-paste cascade.
public struct ClusterSummary: Sendable {
    /// The cluster id: its first post.
    public var id: String
    /// Number of posts in the index in the cluster.
    public var size: Int
    /// The first post, when it is in the index (an original known only from its reshares is not).
    public var first: Post?
    /// Earliest and latest created_at among its posts that have one.
    public var firstSeen: Date?
    /// See `firstSeen`.
    public var lastSeen: Date?
    /// The most frequent authors, with their post counts.
    public var topAuthors: [(author: String, posts: Int)]
}

/// Errors of duplicate queries.
public enum DuplicateQueryError: Error, CustomStringConvertible, Sendable {
    case postNotFound(String)

    public var description: String {
        switch self {
        case .postNotFound(let id): return "no post with id '\(id)' in the index"
        }
    }
}

/// Answers near-duplicate queries. Not thread-safe (holds a database handle and an analyser).
public final class DuplicateSearcher {
    /// The index.
    public let database: Database
    /// The settings the index was built with.
    public let parameters: DuplicateParameters
    private let hasher: MinHasher
    private var analyzer: Analyzer?

    /// Opens the index at `path`. The settings are those the index was built with (its metadata), else the
    /// standard ones; `threshold` replaces their threshold for these queries.
    public convenience init(path: String, threshold: Double? = nil) throws {
        try self.init(database: IndexLocation.openReader(path), threshold: threshold)
    }

    /// Queries an open database with the settings it was built with (see `init(path:threshold:)`).
    public convenience init(database: Database, threshold: Double? = nil) throws {
        var p = DuplicateParameters(metadataText: try database.metadata(DuplicateClusterWriter.parametersKey))
            ?? .standard
        if let threshold { p = p.with(threshold: threshold) }
        self.init(database: database, parameters: p)
    }

    /// Queries an open database with explicit settings.
    public init(database: Database, parameters: DuplicateParameters) {
        self.database = database
        self.parameters = parameters
        hasher = parameters.hasher
    }

    /// The near-duplicates of the post `id` (the post itself excluded).
    ///
    /// - Complexity: b postings lookups for b bands, one document read per distinct candidate text, and one
    ///   postings lookup per matching text; posts are read only for the returned hits.
    public func duplicates(ofPost id: String, limit: Int = 10) throws -> DuplicateResult {
        guard let docid = try database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first else {
            throw DuplicateQueryError.postNotFound(id)
        }
        let doc = try database.document(docid)
        let shingles = try DuplicateClusterWriter.shingles(stored: doc.value(ValueSlot.shingles), database)
        var result = try duplicates(of: shingles, excluding: docid, limit: limit)
        result.cluster = doc.stringValue(ValueSlot.cluster)
        return result
    }

    /// The near-duplicates of a text as the analyser and shingler see it.
    public func duplicates(ofText text: String, limit: Int = 10) throws -> DuplicateResult {
        if analyzer == nil { analyzer = try Analyzer() }
        let shingles = parameters.shingler.shingles(analyzer!.analyze(text))
        return try duplicates(of: shingles, excluding: nil, limit: limit)
    }

    /// The near-duplicates of a shingle set.
    public func duplicates(of shingles: [UInt32], excluding: UInt32?, limit: Int) throws -> DuplicateResult {
        let found = try matches(of: shingles, excluding: excluding)
        var hits: [DuplicateHit] = []
        for f in found.prefix(max(0, limit)) {
            let doc = try database.document(f.docid)
            let post = DuplicateClusterWriter.post(doc)
            hits.append(DuplicateHit(id: post?.id ?? "", jaccard: f.jaccard, estimatedJaccard: f.estimate,
                                     cluster: doc.stringValue(ValueSlot.cluster), post: post))
        }
        return DuplicateResult(total: found.count, hits: hits, cluster: nil)
    }

    /// Every document whose shingle set has exact Jaccard >= the threshold with `shingles`, with that Jaccard
    /// and its MinHash estimate, best first, then by docid.
    public func matches(of shingles: [UInt32], excluding: UInt32?) throws
        -> [(docid: UInt32, jaccard: Double, estimate: Double)] {
        guard !shingles.isEmpty else { return [] }
        let signature = hasher.signature(shingles)
        var candidates = Set<UInt32>()
        let keys = parameters.lsh.keys(signature)
        switch parameters.buckets {
        case .file:
            for (_, docids) in try BucketStore.lookup(keys.map(DuplicateParameters.bucketKey), database: database) {
                candidates.formUnion(docids)
            }
        case .terms:
            for key in keys { candidates.formUnion(try database.postings(parameters.bucketTerm(key))) }
        }
        var found: [(docid: UInt32, jaccard: Double, estimate: Double)] = []
        var listed = Set<UInt32>()  // a text can have two holders (an heir beside a holder filed again)
        for rep in candidates {
            let other = try DuplicateClusterWriter.shingles(of: rep, database)  // empty for a post deleted since
            let j = Jaccard.exact(shingles, other)
            guard j >= parameters.threshold else { continue }
            let estimate = Jaccard.estimate(signature, hasher.signature(other))
            // The bucket holder and its later copies (a holder that inherited the buckets may be both).
            var copies = try database.postings(DuplicateClusterWriter.setTerm(other))
            if !copies.contains(rep) { copies.append(rep) }
            for d in copies where d != excluding && listed.insert(d).inserted { found.append((d, j, estimate)) }
        }
        found.sort { $0.jaccard != $1.jaccard ? $0.jaccard > $1.jaccard : $0.docid < $1.docid }
        return found
    }

    /// The posts of cluster `id`, as docids.
    public func members(ofCluster id: String) throws -> [UInt32] {
        try DuplicateClusterWriter.members(of: id, database)
    }

    /// The `limit` largest clusters (of at least two posts), largest first.
    ///
    /// - Complexity: one pass over the cluster values of all documents, then O(m) reads per listed cluster.
    public func largestClusters(limit: Int = 10, topAuthors: Int = 3) throws -> [ClusterSummary] {
        try clusterSizes(limit: limit).map { try summary(ofCluster: $0.id, size: $0.size, topAuthors: topAuthors) }
    }

    /// The ids and sizes of the `limit` largest clusters of at least two posts, largest first (one pass over the
    /// cluster values of all documents, no post read).
    public func clusterSizes(limit: Int) throws -> [(id: String, size: Int)] {
        let enquire = Enquire(database)
        try enquire.setQuery(.matchAll)
        enquire.setWeighting(.bool)
        let spy = enquire.addValueCountSpy(slot: ValueSlot.cluster)
        _ = try enquire.mset(first: 0, max: 0, checkAtLeast: try database.documentCount(), fetchData: false)
        return spy.top(max(0, limit)).filter { $0.1 >= 2 }.map { (String(decoding: $0.0, as: UTF8.self), $0.1) }
    }

    /// The post that started cluster `id`, when it is in the index (an original known only from its reshares is not).
    public func firstPost(ofCluster id: String) throws -> Post? {
        guard let d = try database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first else { return nil }
        return DuplicateClusterWriter.post(try database.document(d))
    }

    /// Cluster `id` of `size` posts, summed up from its posts: the first, the time span, the top authors.
    public func summary(ofCluster id: String, size: Int, topAuthors: Int = 3) throws -> ClusterSummary {
        var summary = ClusterSummary(id: id, size: size, first: nil, firstSeen: nil, lastSeen: nil, topAuthors: [])
        var authors: [String: Int] = [:]
        for d in try members(ofCluster: id) {
            guard let post = DuplicateClusterWriter.post(try database.document(d)) else { continue }
            if post.id == id { summary.first = post }
            if let a = post.author, !a.isEmpty { authors[a, default: 0] += 1 }
            if let t = post.createdAt {
                if summary.firstSeen.map({ t < $0 }) ?? true { summary.firstSeen = t }
                if summary.lastSeen.map({ t > $0 }) ?? true { summary.lastSeen = t }
            }
        }
        summary.topAuthors = authors.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(topAuthors).map { ($0.key, $0.value) }
        return summary
    }
}
