// Searching an index: parse (StarlingQuery), compile (QueryCompiler), run (Xapian Enquire), and bring posts back.
import Foundation
import StarlingAnalysis
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
    private let compiler: QueryCompiler
    /// The index's folded weighting, once seen (an empty index may get one from a writer later).
    private var weighting: TermWeighting?

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
    private func indexTerms() throws -> IndexTerms {
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

extension Database {
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
