// Searching an index: parse (StarlingQuery), compile (QueryCompiler), run (Xapian Enquire), and bring posts back.
import Foundation
import StarlingAnalysis
import StarlingDuplicates
import StarlingModel
import StarlingQuery
import XapianKit

/// How results are ordered.
public enum SearchSort: String, Sendable, CaseIterable {
    case relevance, newest, oldest
}

/// One search.
public struct SearchRequest: Sendable {
    public var query: String
    public var limit: Int
    public var offset: Int
    public var sort: SearchSort
    /// Collapse each near-duplicate cluster into its best hit.
    public var collapse: Bool
    /// Count matches exactly up to this many (Xapian estimates beyond what it had to look at).
    public var checkAtLeast: Int

    public init(query: String, limit: Int = 10, offset: Int = 0, sort: SearchSort = .relevance,
                collapse: Bool = false, checkAtLeast: Int = 0) {
        self.query = query
        self.limit = limit
        self.offset = offset
        self.sort = sort
        self.collapse = collapse
        self.checkAtLeast = checkAtLeast
    }
}

/// A hit: the post, its score and rank, and how many copies were collapsed into it.
public struct SearchHit: Sendable {
    public var id: String
    public var score: Double
    public var rank: Int
    public var collapsed: Int
    public var post: Post?
}

/// A page of results with Xapian's estimate of the total and its bounds.
public struct SearchResult: Sendable {
    public var total: Int
    public var totalLowerBound: Int
    public var totalUpperBound: Int
    public var hits: [SearchHit]
}

/// Runs searches on one index. Not thread-safe (it holds an analyser and a Xapian database handle);
/// open one per thread.
public final class Searcher {
    public let database: Database
    let compiler: QueryCompiler
    /// The index's folded weighting, once seen (an empty index may get one from a writer later).
    var weighting: TermWeighting?

    /// Opens the index at `path` for reading.
    public init(path: String, analyzer: Analyzer? = nil) throws {
        database = try IndexLocation.openReader(path)
        compiler = QueryCompiler(analyzer: try analyzer ?? Analyzer())
    }

    /// Searches over an already opened database (e.g. remote shards combined).
    public init(database: Database, analyzer: Analyzer) {
        self.database = database
        compiler = QueryCompiler(analyzer: analyzer)
    }

    /// The Xapian query a query string compiles to (for `--explain`).
    public func compile(_ query: String) throws -> Query {
        try compiler.compile(try QueryParser.parse(query), index: try indexTerms())
    }

    /// The index's stem layout and phrase-pair words, once read from a filled index.
    private var indexTermsRead: IndexTerms?

    /// What the compiler needs to know of the index: its stem layout and phrase-pair words.
    func indexTerms() throws -> IndexTerms {
        if let indexTermsRead { return indexTermsRead }
        let terms = IndexTerms(layout: StemLayout.named(try database.metadata(StemLayout.metadataKey)),
                               pairWords: PhraseStage.recordedWords(try database.metadata(PhraseStage.metadataKey)))
        // An empty index may get both from a writer later; a filled one keeps them.
        if try database.documentCount() > 0 { indexTermsRead = terms }
        return terms
    }

    /// Runs `request`.
    public func search(_ request: SearchRequest) throws -> SearchResult {
        let node: QueryNode
        do { node = try QueryParser.parse(request.query) } catch { throw error }
        let query = try compiler.compile(node, index: try indexTerms())
        let enquire = Enquire(database)
        try enquire.setQuery(query)
        if weighting == nil { weighting = try database.termWeighting() }
        enquire.setWeighting(for: weighting)
        switch request.sort {
        case .relevance: enquire.setSortByRelevance()
        case .newest: enquire.setSortByValueThenRelevance(ValueSlot.createdAt, reverse: true)
        case .oldest: enquire.setSortByValueThenRelevance(ValueSlot.createdAt, reverse: false)
        }
        if request.collapse { enquire.setCollapseKey(ValueSlot.cluster, max: 1) }
        if request.collapse && database.shardCount > 1 { return try collapseAcrossShards(enquire, request) }
        let mset = try enquire.mset(first: request.offset, max: request.limit,
                                    checkAtLeast: max(request.checkAtLeast, request.offset + request.limit))
        var hits: [SearchHit] = []
        hits.reserveCapacity(mset.items.count)
        for item in mset.items {
            let post = StoredPost.post(item.dataBytes)
            hits.append(SearchHit(id: post?.id ?? "", score: item.weight, rank: item.rank,
                                  collapsed: item.collapseCount, post: post))
        }
        return SearchResult(total: mset.matchesEstimated, totalLowerBound: mset.matchesLowerBound,
                            totalUpperBound: mset.matchesUpperBound, hits: hits)
    }
}

extension Searcher {
    /// The docids of the best `limit` matches of `node` by relevance (one a near-duplicate cluster when `collapse`).
    public func docids(matching node: QueryNode, limit: Int, collapse: Bool = false) throws -> [UInt32] {
        let enquire = Enquire(database)
        try enquire.setQuery(try compiler.compile(node, index: try indexTerms()))
        if weighting == nil { weighting = try database.termWeighting() }
        enquire.setWeighting(for: weighting)
        if collapse { enquire.setCollapseKey(ValueSlot.cluster, max: 1) }
        return try enquire.mset(first: 0, max: limit, fetchData: false).items.map(\.docid)
    }

    /// Most hits looked at to fill a page collapsed across shards, as a multiple of the hits up to its end.
    static let crossShardLookahead = 8

    /// `search` with `collapse` over several shards. Each shard groups its own near-duplicates into clusters, so
    /// copies of one text that landed in different shards (`index --partition` spreads them by id) carry different
    /// cluster ids and Xapian's collapse keeps one hit per shard. Here the best hits of every cluster are read in
    /// ranked order and a hit whose shingle set is a near-duplicate (exact Jaccard at or above the index's
    /// threshold) of a better one already kept joins it: its posts count among the kept hit's `collapsed`. More
    /// hits are read until the page is full, the matches run out, or `crossShardLookahead` times the hits up to the
    /// page's end were read. Two clusters join when their best hits are near-duplicates, which their chains of
    /// copies (each post close to the next) may not be: a cascade that drifted can stay two hits. The total is
    /// Xapian's estimate less the joins seen.
    ///
    /// - Complexity: O(h · k · s) for h hits read, k hits kept and s shingles a post; one value read per hit.
    func collapseAcrossShards(_ enquire: Enquire, _ request: SearchRequest) throws -> SearchResult {
        let shards = database.shardCount
        let threshold = try database.duplicateThreshold()
        let end = request.offset + request.limit
        let cap = max(end * Self.crossShardLookahead, 100)
        var read = min(cap, max(end * 2, end + 20))
        while true {
            let mset = try enquire.mset(first: 0, max: read, checkAtLeast: max(request.checkAtLeast, read))
            var kept: [(item: MSetItem, shingles: [UInt32], collapsed: Int)] = []
            var joined = 0
            for item in mset.items {
                let shingles = try database.shingles(of: item.docid, shards: shards)
                let size = Double(shingles.count)
                // Jaccard ≥ t needs the smaller set to be at least t times the larger.
                if !shingles.isEmpty, let k = kept.firstIndex(where: {
                    let other = Double($0.shingles.count)
                    return min(size, other) >= threshold * max(size, other)
                        && Jaccard.exact(shingles, $0.shingles) >= threshold
                }) {
                    kept[k].collapsed += item.collapseCount + 1
                    joined += 1
                } else {
                    kept.append((item, shingles, item.collapseCount))
                }
            }
            let exhausted = mset.items.count < read
            if kept.count >= end || exhausted || read >= cap {
                var hits: [SearchHit] = []
                for (rank, k) in kept.enumerated() where rank >= request.offset && rank < end {
                    let post = StoredPost.post(k.item.dataBytes)
                    hits.append(SearchHit(id: post?.id ?? "", score: k.item.weight, rank: rank,
                                          collapsed: k.collapsed, post: post))
                }
                let total = exhausted ? kept.count : max(kept.count, mset.matchesEstimated - joined)
                return SearchResult(total: total,
                                    totalLowerBound: exhausted ? kept.count : min(total, max(kept.count, mset.matchesLowerBound - joined)),
                                    totalUpperBound: exhausted ? kept.count : max(total, mset.matchesUpperBound - joined),
                                    hits: hits)
            }
            read = min(cap, read * 2)
        }
    }
}

/// The copies of one post held by other shards. Each shard clusters only its own posts, so a copy that landed in
/// another shard carries another cluster id; it is known by the exact Jaccard of its shingle set with the post's,
/// at the index's threshold.
public struct CrossShardCopies {
    private let database: Database
    private let shards: Int
    private let threshold: Double
    private let shingles: [UInt32]

    /// For post `docid` of `database`; nil when the database is one index or the post has no shingles.
    public init?(of docid: UInt32, in database: Database) throws {
        shards = database.shardCount
        guard shards > 1 else { return nil }
        shingles = try database.shingles(of: docid, shards: shards)
        guard !shingles.isEmpty else { return nil }
        self.database = database
        threshold = try database.duplicateThreshold()
    }

    /// Whether document `docid` is a near-duplicate of the post.
    ///
    /// - Complexity: one or two value reads and O(s) for s shingles.
    public func isCopy(_ docid: UInt32) throws -> Bool {
        let other = try database.shingles(of: docid, shards: shards)
        let (a, b) = (Double(shingles.count), Double(other.count))
        guard !other.isEmpty, min(a, b) >= threshold * max(a, b) else { return false }
        return Jaccard.exact(shingles, other) >= threshold
    }
}

extension Database {
    /// The shingle set of document `docid` of a database of `shards` shards (`shardCount`). A copy stores a
    /// reference to the document holding its set, by its docid inside its own shard: that docid is mapped back to
    /// the combined database's numbering (docid d of shard i of n is (d − 1) · n + i + 1 there).
    public func shingles(of docid: UInt32, shards: Int) throws -> [UInt32] {
        let value = try self.value(docid, slot: ValueSlot.shingles)
        guard let local = ShingleCoding.referencedDocid(value) else { return ShingleCoding.decode(value) }
        let n = UInt32(max(shards, 1))
        let shard = (docid - 1) % n
        return ShingleCoding.decode(try self.value((local - 1) * n + shard + 1, slot: ValueSlot.shingles))
    }

    /// The Jaccard threshold the index's near-duplicates were found with.
    public func duplicateThreshold() throws -> Double {
        (DuplicateParameters(metadataText: try metadata(DuplicateClusterWriter.parametersKey)) ?? .standard).threshold
    }

    /// The index's folded term weighting, from its metadata (nil: it stores raw frequencies).
    public func termWeighting() throws -> TermWeighting? {
        try TermWeighting.named(try metadata(TermWeighting.metadataKey))
    }
}

extension Enquire {
    /// Ranks by an index's weighting: BM25 with b = 0 over wdfs that hold the length normalisation already (no
    /// document-length look-ups), or Xapian's default BM25 for an index that stores raw frequencies (nil).
    public func setWeighting(for weighting: TermWeighting?) {
        if let weighting { setWeighting(.bm25(k1: weighting.searchK1, b: 0)) }
    }
}
