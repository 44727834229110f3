// Near-duplicate queries over several shards (`starling duplicates --shard ...`). Each shard clusters and buckets
// its own posts, so the query goes to every shard and the answers are merged:
//   - a shard on this machine (a folder) is asked through its LSH bucket file, exactly as one index is;
//   - a remote shard (`xapian-tcpsrv`) serves Xapian's tables only, not the bucket file beside them, so its
//     candidates come from Xapian itself: the posts holding exactly the same shingle set (their set term), and the
//     clusters of the best posts of a word search for the text's words (one per cluster), every member of which is
//     checked. Each candidate is then judged by exact Jaccard as everywhere else, so what is reported is right;
//     what the word search does not rank high enough is missed (tools/dup-eval measures how often).
// The largest clusters come from each shard, and clusters whose first posts are near-duplicates of each other (or
// share an id: reshares of one original) are joined: copies of one text spread over the shards by `--partition`.
import Foundation
import StarlingAnalysis
import StarlingDuplicates
import StarlingModel
import StarlingQuery
import XapianKit

/// Near-duplicate queries, on one index (`DuplicateSearcher`) or over shards (`ShardedDuplicateSearcher`).
public protocol NearDuplicateQueries: AnyObject {
    /// The near-duplicates of post `id` (itself excluded); `DuplicateQueryError.postNotFound` when it is absent.
    func duplicates(ofPost id: String, limit: Int) throws -> DuplicateResult
    /// The near-duplicates of a text as the analyser and shingler see it.
    func duplicates(ofText text: String, limit: Int) throws -> DuplicateResult
    /// The `limit` largest clusters of at least two posts, largest first.
    func largestClusters(limit: Int, topAuthors: Int) throws -> [ClusterSummary]
}

extension DuplicateSearcher: NearDuplicateQueries {}

/// Answers near-duplicate queries over several shards. Not thread-safe (one handle per shard, one analyser).
public final class ShardedDuplicateSearcher: NearDuplicateQueries {
    /// The shards, in the order `IndexLocation.openShards` combines them.
    public let shards: [ShardAddress]
    /// The settings of the first shard (every shard must have the same).
    public let parameters: DuplicateParameters
    private let databases: [Database]
    /// Per shard: its bucket-file searcher (a folder), or nil (remote: candidates from Xapian).
    private let local: [DuplicateSearcher?]
    private var words: [Searcher?]
    private let analyzer: Analyzer
    private let hasher: MinHasher
    /// Clusters a remote shard's word search proposes (one best post each), at least.
    public static let remoteClusters = 100
    /// A proposed cluster's members are checked only when its best post has at least this share of the threshold
    /// in Jaccard with the text (0.3 × 0.7: chains of copies do not drift that far). On the Davidson tweets over two
    /// loopback shards it kept the recall (546 of 549) and took a query from 0.38 to 0.22 s (CLI).
    public static let remoteExpansionFloor = 0.3
    /// Members of the proposed clusters checked on one remote shard, at most.
    public static let remoteMemberBudget = 20_000

    /// Opens every shard (`timeout` seconds for a remote one to connect and for each reply). `threshold` replaces
    /// the shards' own threshold for these queries.
    ///
    /// - Throws: as `IndexLocation.openEachShard`, and `ShardError.mismatched` when the shards were built with
    ///   different near-duplicate settings.
    public init(shards addresses: [ShardAddress], threshold: Double? = nil, timeout: Double = 10,
                analyzer: Analyzer? = nil) throws {
        let opened = try IndexLocation.openEachShard(addresses, timeout: timeout)
        // Each shard's own settings (its buckets' banding may differ); the shingles must be alike to compare sets.
        let own = try opened.map {
            DuplicateParameters(metadataText: try $0.database.metadata(DuplicateClusterWriter.parametersKey)) ?? .standard
        }
        var common: (p: DuplicateParameters, shard: String)?
        for (k, (address, database)) in opened.enumerated() where try database.documentCount() > 0 {
            if let common {
                if own[k].shingles != common.p.shingles {
                    throw ShardError.mismatched(shard: address.description, first: common.shard,
                                                what: "near-duplicate shingling ('\(DuplicateClusterWriter.parametersKey)')")
                }
            } else {
                common = (own[k], address.description)
            }
        }
        let threshold = threshold ?? (common?.p ?? .standard).threshold
        parameters = (common?.p ?? .standard).with(threshold: threshold)
        shards = opened.map(\.address)
        databases = opened.map(\.database)
        local = opened.enumerated().map { k, shard in
            shard.address.folder == nil ? nil
                : DuplicateSearcher(database: shard.database, parameters: own[k].with(threshold: threshold))
        }
        let analyzer = try analyzer ?? Analyzer()
        self.analyzer = analyzer
        words = opened.map { $0.address.folder == nil ? Searcher(database: $0.database, analyzer: analyzer) : nil }
        hasher = parameters.hasher
    }

    /// Moves every shard to its latest revision (a service's searcher, kept between requests).
    public func reopen() throws {
        for database in databases { try database.reopen() }
    }

    /// The near-duplicates of post `id`, wherever it is (itself excluded).
    public func duplicates(ofPost id: String, limit: Int = 10) throws -> DuplicateResult {
        let term = DocumentBuilder.clip(TermPrefix.id + id)
        for (s, database) in databases.enumerated() {
            guard let docid = try database.postings(term).first else { continue }
            let doc = try database.document(docid)
            let shingles = try DuplicateClusterWriter.shingles(stored: doc.value(ValueSlot.shingles), database)
            let text = DuplicateClusterWriter.post(doc)?.text ?? ""
            var result = try duplicates(of: shingles, text: text, excluding: (s, docid), limit: limit)
            result.cluster = doc.stringValue(ValueSlot.cluster)
            return result
        }
        throw DuplicateQueryError.postNotFound(id)
    }

    /// The near-duplicates of a text as the analyser and shingler see it.
    public func duplicates(ofText text: String, limit: Int = 10) throws -> DuplicateResult {
        let shingles = parameters.shingler.shingles(analyzer.analyze(text))
        return try duplicates(of: shingles, text: text, excluding: nil, limit: limit)
    }

    /// Every shard's near-duplicates of `shingles` (whose text is `text`), best first, then in the order of the
    /// shards combined (docid `d` of shard `s` of `n` ranks as `(d − 1) · n + s + 1`, as in a combined database).
    func duplicates(of shingles: [UInt32], text: String, excluding: (shard: Int, docid: UInt32)?,
                    limit: Int) throws -> DuplicateResult {
        guard !shingles.isEmpty else { return DuplicateResult(total: 0, hits: [], cluster: nil) }
        var found: [(shard: Int, docid: UInt32, jaccard: Double, estimate: Double)] = []
        for s in databases.indices {
            let skip = excluding?.shard == s ? excluding?.docid : nil
            let matches = try local[s]?.matches(of: shingles, excluding: skip)
                ?? remoteMatches(s, shingles: shingles, text: text, excluding: skip)
            found += matches.map { (s, $0.docid, $0.jaccard, $0.estimate) }
        }
        let n = UInt32(databases.count)
        func order(_ x: (shard: Int, docid: UInt32, jaccard: Double, estimate: Double)) -> UInt64 {
            UInt64(x.docid - 1) * UInt64(n) + UInt64(x.shard) + 1
        }
        found.sort { $0.jaccard != $1.jaccard ? $0.jaccard > $1.jaccard : order($0) < order($1) }
        var hits: [DuplicateHit] = []
        for f in found.prefix(max(0, limit)) {
            let doc = try databases[f.shard].document(f.docid)
            let post = DuplicateClusterWriter.post(doc)
            hits.append(DuplicateHit(id: post?.id ?? "", jaccard: f.jaccard, estimatedJaccard: f.estimate,
                                     cluster: doc.stringValue(ValueSlot.cluster), post: post))
        }
        return DuplicateResult(total: found.count, hits: hits, cluster: nil)
    }

    /// The near-duplicates of `shingles` on remote shard `s`: the posts with exactly that shingle set, and every
    /// member of the clusters of the best `remoteClusters` posts (one a cluster) of a word search for the text's
    /// words whose best post is close enough (`remoteExpansionFloor`), each judged by exact Jaccard.
    func remoteMatches(_ s: Int, shingles: [UInt32], text: String, excluding: UInt32?) throws
        -> [(docid: UInt32, jaccard: Double, estimate: Double)] {
        let database = databases[s]
        var candidates = Set(try database.postings(DuplicateClusterWriter.setTerm(shingles)))
        let tokens = Shingler.contentTokens(analyzer.analyze(text))
        let unique = Array(Set(tokens.filter { $0.unicodeScalars.contains { $0.properties.isAlphabetic || ("0"..."9").contains($0) } }))
            .sorted()
        if !unique.isEmpty, let searcher = words[s] {
            let best = try searcher.docids(matching: .or(unique.map { .word($0) }), limit: Self.remoteClusters,
                                           collapse: true)
            var budget = Self.remoteMemberBudget
            for d in best where budget > 0 {
                // A cluster whose best post shares little with the text is not searched further.
                let head = try DuplicateClusterWriter.shingles(of: try DuplicateClusterWriter.holder(of: d, database), database)
                guard Jaccard.exact(shingles, head) >= Self.remoteExpansionFloor * parameters.threshold else { continue }
                let cluster = try database.document(d).stringValue(ValueSlot.cluster)
                guard !cluster.isEmpty else {
                    candidates.insert(d)
                    continue
                }
                let members = try DuplicateClusterWriter.members(of: cluster, database)
                for m in members.prefix(budget) { candidates.insert(m) }
                candidates.insert(d)
                budget -= members.count
            }
        }
        // The first post of a text holds its set; only its later copies carry the set term and point to it.
        for d in Array(candidates) { candidates.insert(try DuplicateClusterWriter.holder(of: d, database)) }
        let signature = hasher.signature(shingles)
        var holders: [UInt32: (jaccard: Double, estimate: Double)] = [:]
        var out: [(docid: UInt32, jaccard: Double, estimate: Double)] = []
        for d in candidates where d != excluding {
            let holder = try DuplicateClusterWriter.holder(of: d, database)
            let score: (jaccard: Double, estimate: Double)
            if let known = holders[holder] {
                score = known
            } else {
                let other = try DuplicateClusterWriter.shingles(of: holder, database)
                let j = Jaccard.exact(shingles, other)
                score = (j, j >= parameters.threshold ? Jaccard.estimate(signature, hasher.signature(other)) : 0)
                holders[holder] = score
            }
            if score.jaccard >= parameters.threshold { out.append((d, score.jaccard, score.estimate)) }
        }
        return out
    }

    /// Clusters each shard lists (its largest) when the largest over all shards are asked for, at least.
    public static let clusterDepth = 200

    /// The `limit` largest clusters over all shards. Each shard lists its largest clusters (`clusterDepth`, or ten
    /// times `limit`, of at least two posts there); clusters of different shards with the same id (reshares of one
    /// original) or whose first posts are near-duplicates are joined, their sizes added. The joined clusters are
    /// then summed up from all their posts: the earliest first post, the time span, the top authors. A cluster
    /// that holds one post in each shard, or too few in every shard to be listed, is missed.
    public func largestClusters(limit: Int = 10, topAuthors: Int = 3) throws -> [ClusterSummary] {
        let searchers = databases.map { DuplicateSearcher(database: $0, parameters: parameters) }
        var listed: [(shard: Int, id: String, size: Int, head: [UInt32], first: Post?)] = []
        for (s, searcher) in searchers.enumerated() {
            for c in try searcher.clusterSizes(limit: max(Self.clusterDepth, 10 * limit)) {
                let first = try searcher.firstPost(ofCluster: c.id)
                let head = first.map { parameters.shingler.shingles(analyzer.analyze($0.text, links: $0.urls)) } ?? []
                listed.append((s, c.id, c.size, head, first))
            }
        }
        // Union–find over the clusters listed, joining only clusters of different shards.
        var parent = Array(listed.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }
            return i
        }
        let t = parameters.threshold
        for i in listed.indices {
            for j in listed.indices where j > i && listed[j].shard != listed[i].shard && root(i) != root(j) {
                let (a, b) = (listed[i].head, listed[j].head)
                let near = !a.isEmpty && !b.isEmpty
                    && Double(min(a.count, b.count)) >= t * Double(max(a.count, b.count)) && Jaccard.exact(a, b) >= t
                if listed[i].id == listed[j].id || near { parent[root(j)] = root(i) }
            }
        }
        var groups: [Int: [Int]] = [:]
        for i in listed.indices { groups[root(i), default: []].append(i) }
        let ranked = groups.values.map { ($0, $0.reduce(0) { $0 + listed[$1].size }) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : listed[$0.0[0]].id < listed[$1.0[0]].id }
        var out: [ClusterSummary] = []
        for (members, size) in ranked.prefix(max(0, limit)) {
            var merged = ClusterSummary(id: listed[members[0]].id, size: size, first: nil, firstSeen: nil,
                                        lastSeen: nil, topAuthors: [])
            var firstKey: PostOrder?
            var authors: [String: Int] = [:]
            for i in members {
                let c = try searchers[listed[i].shard].summary(ofCluster: listed[i].id, size: listed[i].size,
                                                                topAuthors: .max)
                if let f = c.first {
                    let key = PostOrder(time: f.createdAt?.timeIntervalSince1970, id: f.id)
                    if firstKey.map({ key < $0 }) ?? true {
                        firstKey = key
                        merged.first = f
                        merged.id = c.id
                    }
                }
                if let d = c.firstSeen, merged.firstSeen.map({ d < $0 }) ?? true { merged.firstSeen = d }
                if let d = c.lastSeen, merged.lastSeen.map({ d > $0 }) ?? true { merged.lastSeen = d }
                for (a, n) in c.topAuthors { authors[a, default: 0] += n }
            }
            merged.topAuthors = authors.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(topAuthors).map { ($0.key, $0.value) }
            out.append(merged)
        }
        return out
    }
}
