// The values of a similar-posts search: what is asked (SimilarRequest), what comes back (SimilarResult,
// SimilarHit with its explanation), and what can go wrong (SimilarError).
import Foundation
import StarlingModel

/// What to find posts similar to.
public enum SimilarSource: Sendable, Equatable {
    /// An indexed post, by its id as imported.
    case post(id: String)
    /// Text that need not be indexed (a draft): analysed with the same analyser as the posts.
    case text(String, links: [PostURL] = [])
}

/// How candidates are found.
public enum SimilarMode: String, Sendable, CaseIterable {
    /// Candidates from the inverted index (the query's heaviest terms, max-score pruning), re-scored by exact
    /// cosine.
    case fast
    /// Every document of the index scored by exact cosine (brute force): the reference the fast path is checked
    /// against.
    case exact
    /// Candidates from Xapian's own matcher, run by every shard where the index is spread over shards: the query's
    /// terms, ranked by BM25 with settings that make it follow the cosine (`SimilarSearcher.matcherWeighting`);
    /// the best `candidates` are re-scored by exact cosine. It reads no post's vector but theirs, where the other
    /// two read every post's once: the path for remote shards.
    case matcher
}

/// One similar-posts search.
public struct SimilarRequest: Sendable {
    /// What to find posts similar to.
    public var source: SimilarSource
    /// Hits to return.
    public var limit: Int = 10
    /// Hits whose cosine is below this are dropped (before business rules apply their factors).
    public var minScore: Double = 0
    /// A filter in Starling's query language (e.g. `lang:en since:2016-01-01 -is:reshare`); nil for none.
    public var filter: String?
    /// Keep the posts of the query post's own near-duplicate cluster (left out by default).
    public var includeCluster = false
    /// Keep the query post's author's other posts (left out by default).
    public var includeAuthor = false
    /// Business rules boosting or burying hits.
    public var rules = SimilarRules()
    /// Fast (inverted index) or exact (brute force).
    public var mode: SimilarMode = .fast
    /// Fast path: the query's rarest terms are read while their postings add up to at most this many; the others are
    /// common: they count in the scores of the posts found, but find none themselves (a post sharing only common
    /// words with the query can be missed). 0: no budget (exact).
    public var postingBudget = SimilarRequest.defaultPostingBudget
    /// Fast path: terms in more than this share of the posts are common whatever the budget; 1: none.
    public var commonTerms = 1.0
    /// The default posting budget: at 1M posts it keeps p99 under 10 ms at recall@10 0.99 against `--exact`
    /// (tools/similar-eval); smaller indexes rarely reach it.
    public static let defaultPostingBudget = 300_000
    /// Matcher path: posts re-scored by exact cosine; 0: `max(minimumCandidates, candidatesPerHit × limit)`.
    public var candidates = 0
    /// The matcher path's default candidates (tools/similar-eval `shards` measures their recall against `exact`).
    public static let minimumCandidates = 200
    public static let candidatesPerHit = 20
    /// Shared terms listed per hit.
    public var explainTerms = 5

    /// A request for posts like `source`.
    public init(source: SimilarSource, limit: Int = 10) {
        self.source = source
        self.limit = limit
    }
}

/// One shared term of a hit's explanation.
public struct SharedTerm: Sendable, Equatable {
    /// The index term (`XHtag`, `word`, ...).
    public var term: String
    /// Its share of the cosine: the query's weight times the post's weight (both unit-length vectors).
    public var weight: Double
    /// How the term reads (`#tag`, `domain:bbc.co.uk`, `word`).
    public var display: String { SimilarTerms.display(term) }
}

/// A similar post.
public struct SimilarHit: Sendable {
    /// The post's id.
    public var id: String
    /// The score: cosine times the factors of the business rules that matched.
    public var score: Double
    /// The TF-IDF cosine with the query.
    public var cosine: Double
    /// Position in the results, from 0.
    public var rank: Int
    /// Xapian's docid (for tools comparing runs; not stable across re-indexing).
    public var docid: UInt32
    /// The shared terms contributing most, largest first.
    public var explain: [SharedTerm]
    /// The rules that changed the score.
    public var rules: [SimilarRule]
    /// The stored post.
    public var post: Post?
}

/// The answer to a similar-posts search.
public struct SimilarResult: Sendable {
    /// Posts sharing a term with the query (in `.fast` mode: one of the terms it had to read; in `.matcher` mode
    /// Xapian's estimate), leaving out the query post and, where excluded, its author's posts.
    public var total: Int
    /// The hits, best first (ties by index order).
    public var hits: [SimilarHit]
    /// The query's vector, for explanations and tools.
    public var query: SimilarVector
    /// How many posts were scored exactly (in `.exact` mode: every post sharing a term).
    public var scored: Int
    /// How many of the query's terms had their postings read (`.fast` mode).
    public var termsRead: Int
    /// How many postings were read (`.fast` mode).
    public var postingsRead: Int
    /// How many of the query's terms the posting budget left common (they only scored posts the others found):
    /// 0 means the fast path's answer is exact.
    public var commonTerms: Int = 0
    /// Whether the hits are brute force's: the exact path, the fast path with no common term, the matcher path when
    /// its candidates held every post sharing a term with the query.
    public var exact = true
}

/// Errors of similar-posts search.
public enum SimilarError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No indexed post has this id.
    case unknownPost(String)
    /// The business-rules file could not be used.
    case badRules(String)
    /// The filter could not be parsed or compiled.
    case badFilter(String)

    /// A message for users.
    public var description: String {
        switch self {
        case .unknownPost(let id): return "no post with id '\(id)' in the index"
        case .badRules(let m): return "bad business rules: \(m)"
        case .badFilter(let m): return "bad filter: \(m)"
        }
    }
}
