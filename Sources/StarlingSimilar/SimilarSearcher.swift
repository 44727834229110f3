// Similar posts by TF-IDF cosine over the analysed terms the index holds, with the index's own statistics.
//
//   query vector (an indexed post's term list, or a draft analysed like a post)
//     -> fast: max-score over the in-memory postings of the query's heaviest terms (SimilarityStore), bounding
//              what unread terms could add, within a posting budget; the best re-scored exactly
//     -> exact: every document's vector (ExactIndex, loaded once) scored by brute force
//     -> exclusions (the post, its author, its near-duplicate cluster), filters, business rules, min score
//     -> hits with the shared terms that weigh most.
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingQuery
import XapianKit

/// Finds posts similar to a post or a draft. Holds a database handle, an analyser and caches, so it is not
/// thread-safe: open one per thread.
public final class SimilarSearcher {
    /// The index searched.
    public let database: Database
    private let analyzer: Analyzer
    private let compiler: QueryCompiler
    private let builder = DocumentBuilder()
    private var stages: [any IngestStage]?
    /// The index's folded term weighting, once seen (nil until then: an empty index gets one with its first post).
    private var weightingSeen: TermWeighting?
    /// Document frequencies seen so far (the index's, until `reopen`).
    private var frequencies: [String: Int] = [:]
    private var documentCount: Int
    private var exactIndex: ExactIndex?
    /// Every document's vector in memory (shared), and what changed since it was built as this handle sees it.
    private var store: SimilarityStore?
    private var overlay = SimilarityOverlay()
    private var overlayStale = false
    /// The store when it alone describes the index this handle reads (its document counts are then the index's).
    private var freshStore: SimilarityStore? {
        guard !overlayStale, let store, overlay.isFresh(store) else { return nil }
        return store
    }
    /// When every document's length was last compared with the store's (uptime nanoseconds).
    private var lengthsChecked: UInt64 = 0
    /// How often a searcher reopened on a changing index looks for posts replaced or deleted in place.
    static let lengthCheckInterval: UInt64 = 30_000_000_000
    /// The position of each term of the query last re-scored exactly.
    private var queryIndex: [String: Int] = [:]
    private var queryIndexTerms: [String] = []
    /// The index directory, where the similarity store is kept (nil for databases opened elsewhere).
    private let directory: String?
    /// Each shard of `database` opened on its own, in the order it combines them (empty: one index, or not given):
    /// the matcher path reads its candidates' term lists through them, a thread per shard.
    private let shardHandles: [Database]
    /// Per-document accumulators of the fast path, indexed by slot; only those stamped with the current search's
    /// epoch hold anything, so nothing is cleared between searches.
    private var accumulators: [Accumulator] = []
    private var epoch: UInt32 = 0
    /// Per-term scratch of the fast path, indexed by store term id: the unread terms' shares; all zero between searches.
    private var termShares: [Double] = []
    /// Per-slot bits of the slots the current search gave an estimate (cleared at each search: 1/64 of a word a slot).
    private var touchedBits: [UInt64] = []
    /// Whether the last matcher search's candidates were every post sharing a term with the query.
    private var matcherCoveredAll = true
    /// What the last fast search did: terms read, postings read, posts re-scored.
    private var work = (terms: 0, postings: 0, rescored: 0, common: 0)

    /// Opens the index at `path` for reading.
    public convenience init(path: String, analyzer: Analyzer? = nil) throws {
        let database = try IndexLocation.openReader(path)
        try self.init(database: database, analyzer: analyzer ?? Analyzer(), directory: path)
    }

    /// Searches an already opened database (e.g. shards combined). `directory`, when given, is where the
    /// documents' vectors are kept between runs; `shards`, when given, are the combined database's shards opened
    /// again on their own (`IndexLocation.openEachShard`, in the same order), for reading them side by side: used
    /// only when their UUIDs say they are its shards in its order.
    public init(database: Database, analyzer: Analyzer, directory: String? = nil, shards: [Database] = []) throws {
        self.database = database
        self.directory = directory
        // Only shards known to be the combined database's, in its order (Xapian's UUID of a combined database is
        // its shards' joined by ':'); otherwise their posts are read through the combined handle.
        let combinedUUID = shards.count > 1 ? try database.uuid() : ""
        shardHandles = try shards.count > 1 && shards.map({ try $0.uuid() }).joined(separator: ":") == combinedUUID
            ? shards : []
        self.analyzer = analyzer
        compiler = QueryCompiler(analyzer: analyzer)
        documentCount = try database.documentCount()
    }

    /// Releases the documents' vectors this process keeps for the fast path (searchers already holding them keep
    /// theirs); the next searcher loads them again from the index directory's file, or rebuilds them.
    public static func releaseSharedVectors() { SimilarityStore.forgetAll() }

    /// Moves to the index's latest commit (posts indexed since become findable) and forgets cached statistics.
    public func reopen() throws {
        try database.reopen()
        try databaseReopened()
    }

    /// Catches up after its database handle, shared with others, was reopened by them: reopens the shards' own
    /// handles and forgets cached statistics.
    public func databaseReopened() throws {
        for shard in shardHandles { _ = try shard.reopen() }
        frequencies.removeAll(keepingCapacity: true)
        documentCount = try database.documentCount()
        exactIndex = nil
        overlayStale = true
    }

    /// The smoothed idf of an index term, from the index's document frequency (cached).
    ///
    /// - Complexity: O(1) when cached, else one B-tree look-up.
    public func idf(_ term: String) throws -> Double {
        SimilarTerms.idf(documentFrequency: try frequency(term), documents: documentCount)
    }

    @inline(__always)
    private func frequency(_ term: String) throws -> Int {
        if let f = frequencies[term] { return f }
        let f: Int
        if let store = freshStore, SimilarTerms.kind(of: term) != nil {
            // The store counts exactly what Xapian would while nothing has changed since it was built.
            f = store.id(of: similarityHash(term)).map(store.documentFrequency) ?? 0
        } else {
            f = try database.termFrequency(term)
        }
        frequencies[term] = f
        return f
    }

    // MARK: The query

    /// What the query is: its vector and what is left out because of it.
    struct QueryPost {
        var vector: SimilarVector
        var docid: UInt32?
        var id: String?
        var author: String?
        var cluster: [UInt8]?
    }

    /// The docid holding post `id`, if indexed.
    public func docid(of id: String) throws -> UInt32? {
        try database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first
    }

    /// The index terms (with wdf) a draft would get if it were indexed: the same analyser, document builder and
    /// ingest stages as `starling index`.
    public func terms(ofText text: String, links: [PostURL] = []) throws -> [(term: String, wdf: UInt32)] {
        let post = Post(id: "", text: text, urls: links)
        let analysis = analyzer.analyze(text, links: links)
        let document = builder.build(post, analysis: analysis)
        if stages == nil {
            // Raw frequencies are what similarity weighs: the weighting stage's folding is left out.
            stages = try StandardStages.make(configuration: analyzer.configuration).filter { !($0 is WeightingStage) }
        }
        for stage in stages ?? [] { stage.prepare(post, analysis: analysis, document: document) }
        return document.terms()
    }

    /// Document `docid`'s term list with raw term frequencies.
    private func termCounts(_ docid: UInt32) throws -> [(term: String, wdf: UInt32)] {
        if weightingSeen == nil { weightingSeen = try database.termWeighting() }
        return try database.termCounts(docid, weightingSeen)
    }

    func resolve(_ source: SimilarSource) throws -> QueryPost {
        switch source {
        case .post(let id):
            guard let docid = try docid(of: id) else { throw SimilarError.unknownPost(id) }
            let list = try termCounts(docid)
            let vector = try SimilarVector(terms: list, idf: idf)
            let cluster = try database.value(docid, slot: ValueSlot.cluster)
            return QueryPost(vector: vector, docid: docid, id: id, author: SimilarTerms.author(in: list),
                             cluster: cluster.isEmpty ? nil : cluster)
        case .text(let text, let links):
            let vector = try SimilarVector(terms: try terms(ofText: text, links: links), idf: idf)
            return QueryPost(vector: vector)
        }
    }

    private func filterQuery(_ filter: String?) throws -> Query? {
        guard let filter, !filter.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        do {
            // Wrapped in an AND so a lone negation (`-is:reshare`) means "all but", as it does inside one.
            return try compiler.compile(.and([try QueryParser.parse(filter)]))
        } catch let e as QuerySyntaxError {
            throw SimilarError.badFilter("\(e)")
        } catch let e as QueryCompileError {
            throw SimilarError.badFilter(e.message)
        }
    }

    // MARK: Searching

    /// A scored document before the final selection.
    struct Scored {
        var docid: UInt32
        var cosine: Double
        var score: Double
        var rules: [SimilarRule]
        /// The shared terms' shares of the cosine, when the exact re-scoring already computed them.
        var shared: [SharedTerm]? = nil
    }

    /// Runs `request`.
    ///
    /// - Complexity: fast mode: the postings of the terms it must read, plus a term-list read per post re-scored
    ///   (the first fast query loads or computes the documents' norms); exact mode: O(total postings) per query once
    ///   the index's vectors are loaded (the first exact query reads every document).
    public func similar(_ request: SimilarRequest) throws -> SimilarResult {
        let query = try resolve(request.source)
        let filter = try filterQuery(request.filter)
        // Over shards the post's copies in the other shards are in other clusters: left out by their shingles.
        let copies = request.includeCluster ? nil : try query.docid.flatMap { try CrossShardCopies(of: $0, in: database) }
        var scored: [Scored]
        var total: Int
        matcherCoveredAll = true
        if query.vector.isEmpty || request.limit <= 0 {
            scored = []
            total = 0
        } else {
            switch request.mode {
            case .fast: (scored, total) = try fastCandidates(query, request: request, filter: filter, copies: copies)
            case .exact: (scored, total) = try exactCandidates(query, request: request, filter: filter)
            case .matcher: (scored, total) = try matcherCandidates(query, request: request, filter: filter)
            }
        }
        let count = request.mode != .exact && !query.vector.isEmpty ? work.rescored : scored.count
        let effort = request.mode != .exact ? work : (query.vector.terms.count, 0, scored.count, 0)
        work = (0, 0, 0, 0)
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.docid < $1.docid }

        // Final selection: only now are stored posts read, and the cluster checked.
        var hits: [SimilarHit] = []
        let leaveOutCluster = request.includeCluster ? nil : query.cluster
        for s in scored {
            if hits.count >= request.limit { break }
            let document = try database.document(s.docid)
            if let c = leaveOutCluster, document.value(ValueSlot.cluster) == c {
                total -= 1
                continue
            }
            if let copies, try copies.isCopy(s.docid) {
                total -= 1
                continue
            }
            let post = StoredPost.post(document.dataBytes)
            hits.append(SimilarHit(id: post?.id ?? "", score: s.score, cosine: s.cosine, rank: hits.count,
                                   docid: s.docid,
                                   explain: try s.shared.map { Self.top(request.explainTerms, of: $0) }
                                       ?? explain(s.docid, query: query.vector, top: request.explainTerms),
                                   rules: s.rules, post: post))
        }
        var result = SimilarResult(total: max(total, hits.count), hits: hits, query: query.vector, scored: count,
                                   termsRead: effort.terms, postingsRead: effort.postings, commonTerms: effort.common)
        switch request.mode {
        case .fast: result.exact = effort.common == 0
        case .exact: result.exact = true
        case .matcher: result.exact = matcherCoveredAll
        }
        return result
    }

    /// The shared terms of document `docid` and the query, by their share of the cosine, largest first.
    public func explain(_ docid: UInt32, query: SimilarVector, top: Int) throws -> [SharedTerm] {
        guard top > 0 else { return [] }
        let vector = try SimilarVector(terms: try termCounts(docid), idf: idf)
        var weights: [String: Double] = [:]
        for (t, w) in zip(vector.terms, vector.weights) { weights[t] = w }
        var shared: [SharedTerm] = []
        for (t, q) in zip(query.terms, query.weights) {
            if let d = weights[t] { shared.append(SharedTerm(term: t, weight: q * d)) }
        }
        return Self.top(top, of: shared)
    }

    /// The `k` largest shares, largest first (ties by term).
    private static func top(_ k: Int, of shared: [SharedTerm]) -> [SharedTerm] {
        guard k > 0 else { return [] }
        return Array(shared.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.term < $1.term }.prefix(k))
    }

    // MARK: Fast path

    /// The store of every document's vector (shared by the searchers of one index in this process), brought up to
    /// date with what this handle sees through the overlay.
    private func similarityStore() throws -> SimilarityStore {
        if let store, store.fits(count: documentCount) {
            if overlayStale {
                // Posts added since are cheap to find (docids past the last one seen); posts replaced or deleted
                // need every document's length compared, done at most every `lengthCheckInterval`.
                if DispatchTime.now().uptimeNanoseconds - lengthsChecked > Self.lengthCheckInterval {
                    var fresh = SimilarityOverlay()
                    try fresh.update(store: store, database: database, checkLengths: true, idf: idf)
                    overlay = fresh
                    lengthsChecked = DispatchTime.now().uptimeNanoseconds
                } else {
                    try overlay.update(store: store, database: database, checkLengths: false, idf: idf)
                }
                overlayStale = false
            }
            if overlay.drift(of: store) <= SimilarityStore.maxDrift { return store }
        }
        // First use, or the index has moved too far from the store: load it, or rebuild it.
        if let store, let directory { SimilarityStore.discard(directory: directory, ifHolding: store) }
        let loaded = try SimilarityStore.store(for: database, directory: directory)
        var fresh = SimilarityOverlay()
        try fresh.update(store: loaded, database: database, checkLengths: true, idf: idf)
        store = loaded
        overlay = fresh
        overlayStale = false
        lengthsChecked = DispatchTime.now().uptimeNanoseconds
        return loaded
    }

    /// Max-score search over the in-memory postings of the similarity store:
    ///   0. the query's rarest terms whose postings fit `postingBudget` are readable; the others (common) only count
    ///      in the scores of the documents found (none when the budget holds every term: the search is exact);
    ///   1. the readable terms are read heaviest first; each posting adds the term's exact share
    ///      `q·tf·idf/norm` to its document's estimate;
    ///   2. after each term the best estimates are scored from the documents' stored vectors, which raises the bar θ
    ///      (the `limit`-th best score so far);
    ///   3. reading stops when the readable terms left cannot lift an unseen document to θ: by Cauchy–Schwarz an
    ///      unseen document scores at most the norm of their weights;
    ///   4. every document whose bound (its estimate plus what the unread terms could add: at most the
    ///      Cauchy–Schwarz bound, and at most their shares at the document's own tf) reaches θ is scored, best
    ///      bound first, until the bounds fall below θ;
    ///   5. the best are re-scored in Doubles (the arithmetic of `--exact`) from the store's copy of their term lists
    ///      when the store is fresh, else from Xapian's.
    /// Documents are known by slot: a store docid, or past the store's last docid, a document of the overlay.
    ///
    /// - Complexity: O(postings read + scored × their vector length), all in memory (plus one pass over the
    ///   touched-slot bitmap, 1/64 of a word a document, and a term-list read per final candidate when the store is
    ///   not fresh); the postings read are at most the budget, or the rarest term's.
    private func fastCandidates(_ query: QueryPost, request: SimilarRequest, filter: Query?,
                                copies: CrossShardCopies?) throws
        -> ([Scored], Int)
    {
        let store = try similarityStore()
        // The store's arrays as locals: read in the loops below without a reference count each time.
        let storeNorms = store.norms, storeOffsets = store.offsets, storeTerms = store.terms, storeWdfs = store.wdfs
        let repeatOffsets = store.repeatOffsets, repeatTerms = store.repeatTerms, repeatWdfs = store.repeatWdfs
        let overlay = self.overlay
        let base = Int(store.lastDocID)
        let q = query.vector

        // Terms in no other document add nothing to any score; the rest, heaviest first.
        var order: [(term: String, weight: Double, idf: Double, id: Int?, hash: UInt64)] = []
        for i in q.weights.indices.sorted(by: { q.weights[$0] > q.weights[$1] }) {
            let t = q.terms[i]
            let n = try frequency(t)
            if n == 0 || (n == 1 && query.docid != nil) { continue }
            let h = similarityHash(t)
            order.append((t, q.weights[i], try idf(t), store.id(of: h), h))
        }
        guard !order.isEmpty else { return ([], 0) }
        // The approximation, when asked for: the rarest terms are read while their postings fit the budget; the
        // rest (and words in more than `commonTerms` of the posts) are common: they neither draw candidates nor
        // count in the bounds, only in the scores of the posts the others found. Without common terms (a query
        // within the budget) the search is exact.
        let share = max(1, Int(request.commonTerms * Double(documentCount)))
        var budget = request.postingBudget > 0 ? request.postingBudget : Int.max
        var common = Set<String>()
        for (k, o) in try order.map({ ($0, try frequency($0.term)) }).sorted(by: { $0.1 < $1.1 }).enumerated() {
            if k > 0 && (o.1 > share || o.1 > budget) { common.insert(o.0.term) } else { budget -= min(budget, o.1) }
        }
        let readable = order.count - common.count
        order = order.filter { !common.contains($0.term) } + order.filter { common.contains($0.term) }
        // What the (readable) terms from the i-th on could add: their weights' norm, and their shares at tf 1.
        var residual = [Double](repeating: 0, count: order.count + 1)
        var unreadShares = [Double](repeating: 0, count: order.count + 1)
        for i in stride(from: readable - 1, through: 0, by: -1) {
            residual[i] = (residual[i + 1] * residual[i + 1] + order[i].weight * order[i].weight).squareRoot()
            // At tf 1; posts repeating an unread term get the excess added to their own bound below.
            unreadShares[i] = unreadShares[i + 1] + order[i].weight * order[i].idf
        }
        // The query's weight·idf by store term id (sorted, for merging with a document's sorted ids) and by hash.
        let queryIDs = order.compactMap { o in o.id.map { (UInt32($0), o.weight * o.idf) } }.sorted { $0.0 < $1.0 }
        var queryHashes: [UInt64: Double] = [:]
        if !overlay.isEmpty { for o in order { queryHashes[o.hash] = o.weight * o.idf } }

        // Boosting rules can lift a score above its cosine: bounds must allow for it.
        let maxBoost = request.rules.rules.reduce(1.0) { $0 * max(1, $1.factor) }
        let slack = 1 + 1e-4  // accumulators and weights are Floats, the norms computed with the store's idf

        // Per-slot accumulators, taken out of `self` for the loops and put back as they are: a new epoch makes
        // every slot stamped by an earlier search count as empty. A rescored slot has a negative sum of squares, a
        // left-out one a negative estimate.
        let size = base + 1 + overlay.docids.count
        if epoch == UInt32.max { accumulators = [] }
        epoch = accumulators.count >= size ? epoch + 1 : 1
        let cur = epoch
        var acc = accumulators.count >= size ? accumulators
            : [Accumulator](repeating: Accumulator(estimate: 0, squares: 0, tag: 0), count: size)
        accumulators = []
        defer { accumulators = acc }
        let words = (size + 63) / 64
        var touchedBits = self.touchedBits.count >= words ? self.touchedBits : [UInt64](repeating: 0, count: words)
        self.touchedBits = []
        touchedBits.withUnsafeMutableBufferPointer { $0.initialize(repeating: 0) }
        defer { self.touchedBits = touchedBits }
        let empty = Accumulator(estimate: 0, squares: 0, tag: cur)
        /// Posts given an estimate by the query's terms (left-out ones aside).
        var touchedCount = 0
        func slot(_ docid: UInt32) -> Int? {
            if let p = overlay.position[docid] { return base + 1 + p }
            return Int(docid) <= base ? Int(docid) : nil
        }
        func docid(_ slot: Int) -> UInt32 { slot <= base ? UInt32(slot) : overlay.docids[slot - base - 1] }
        var leaveOut: [UInt32] = query.docid.map { [$0] } ?? []
        if !request.includeAuthor, let a = query.author {
            leaveOut += try database.postings(DocumentBuilder.clip(TermPrefix.author + a))
        }
        for t in request.rules.excludedTerms { leaveOut += try database.postings(DocumentBuilder.clip(t)) }
        var leaveOutSlots = leaveOut.compactMap(slot)
        leaveOutSlots += overlay.masked.lazy.map { Int($0) }.filter { $0 <= base }
        if let d = query.docid, Int(d) <= base { leaveOutSlots.append(Int(d)) }
        for d in leaveOutSlots { acc[d] = Accumulator(estimate: -1, squares: 0, tag: cur) }

        // A slot's cosine from its stored vector.
        func storedCosine(_ d: Int) -> Double {
            if d > base {
                let p = d - base - 1
                var dot = 0.0
                for (h, w) in overlay.vectors[p] { if let qw = queryHashes[h] { dot += qw * tfWeights[Int(w)] } }
                return overlay.norms[p] > 0 ? dot / Double(overlay.norms[p]) : 0
            }
            let n = storeNorms[d]
            guard n > 0 else { return 0 }
            var dot = 0.0
            storeTerms.withUnsafeBufferPointer { ts in
                storeWdfs.withUnsafeBufferPointer { ws in
                    queryIDs.withUnsafeBufferPointer { qs in
                        var k = Int(storeOffsets[d])
                        let end = Int(storeOffsets[d + 1])
                        var j = 0
                        while k < end && j < qs.count {
                            let t = ts[k], u = qs[j].0
                            if t < u { k += 1 } else if t > u { j += 1 } else {
                                dot += qs[j].1 * tfWeights[Int(ws[k])]
                                k += 1
                                j += 1
                            }
                        }
                    }
                }
            }
            return dot / Double(n)
        }

        var ranking = ExactRanking(size: request.limit, floor: maxBoost == 1 ? request.minScore : 0)
        // The final exact re-scoring takes a few more than `limit`, so near-ties are ordered exactly.
        let margin = request.limit + (overlay.isFresh(store) ? 3 : 10)
        var kept = ExactRanking(size: margin, floor: 0)
        var rescoredCount = 0
        var postingsRead = 0
        var scored: [Scored] = []
        var allowed: Set<UInt32>?
        let leaveOutCluster = request.includeCluster ? nil : query.cluster
        // Scores slot `d` from its stored vector and keeps it if it passes the filters.
        func rescore(_ d: Int) throws {
            var slot = acc[d].tag == cur ? acc[d] : empty
            guard slot.squares >= 0 else { return }
            slot.squares = -1
            acc[d] = slot
            rescoredCount += 1
            let docid = docid(d)
            if let allowed, !allowed.contains(docid) { return }
            let cosine = storedCosine(d)
            guard cosine > 0, cosine * slack >= request.minScore else { return }
            var s = Scored(docid: docid, cosine: cosine, score: cosine, rules: [])
            if !request.rules.isEmpty {
                let (f, applied) = request.rules.factor(for: Set(try database.termList(docid).map(\.term)))
                if f == 0 { return }
                s.score = cosine * f
                s.rules = applied
            }
            // Only a post that would enter the results is worth reading the cluster (or the shingles) of.
            if let c = leaveOutCluster, s.score >= ranking.threshold,
               try database.value(docid, slot: ValueSlot.cluster) == c
            {
                return
            }
            if let copies, s.score >= ranking.threshold, try copies.isCopy(docid) { return }
            ranking.add(s.score)
            if s.score >= kept.threshold {
                scored.append(s)
                kept.add(s.score)
            }
        }

        var read = 0
        var best = TopEstimates(size: request.limit)
        while read < readable && residual[read] * maxBoost * slack >= ranking.threshold {
            let (_, weight, idf, id, hash) = order[read]
            read += 1
            best.reset()
            let qf = Float(weight), idff = Float(idf)
            acc.withUnsafeMutableBufferPointer { a in
              touchedBits.withUnsafeMutableBufferPointer { bits in
                // Adds weight `w` of the term to slot `d`'s estimate (and marks the slot touched).
                @inline(__always) func accumulate(_ d: Int, _ w: Float) {
                    var slot = a[d]
                    if slot.tag != cur {
                        slot = empty
                        touchedCount &+= 1
                        bits[d >> 6] |= 1 &<< UInt64(d & 63)
                    }
                    guard slot.estimate >= 0, slot.squares >= 0 else { return }
                    let estimate = slot.estimate + qf * w
                    slot.estimate = estimate
                    slot.squares += w * w
                    a[d] = slot
                    best.offer(estimate, d)
                }
                if let id {
                    let from = Int(store.postingOffsets[id]), to = Int(store.postingOffsets[id + 1])
                    postingsRead += to - from
                    store.postingDocs.withUnsafeBufferPointer { ds in
                        store.postingWeights.withUnsafeBufferPointer { ps in
                            for k in from..<to {
                                let w = idff * ps[k]
                                if w > 0 { accumulate(Int(ds[k]), w) }
                            }
                        }
                    }
                }
                for (p, wdf) in overlay.postings[hash] ?? [] {
                    postingsRead += 1
                    let n = Double(overlay.norms[p])
                    let w = n > 0 ? Float(idf * tfWeights[Int(wdf)] / n) : 0
                    if w > 0 { accumulate(base + 1 + p, w) }
                }
              }
            }
            if read == 1, let filter {
                // The filter, evaluated once over every document the query's terms could reach.
                let enquire = Enquire(database)
                let any: Query = order.count == 1 ? .term(order[0].term) : .or(order.map { .term($0.term) })
                try enquire.setQuery(.filter(any, filter))
                enquire.setWeighting(.bool)
                let mset = try enquire.mset(first: 0, max: max(documentCount, size), fetchData: false)
                allowed = Set(mset.items.map(\.docid))
            }
            // Raise the bar with the best estimates so far.
            for d in best.slots where acc[d].tag == cur && acc[d].squares >= 0 && acc[d].estimate > 0 {
                try rescore(d)
            }
        }

        // Every document that could still reach the bar, best bound first. What the unread terms could add to a
        // seen document: at most the Cauchy–Schwarz bound, and at most their weights at the document's own tf
        // (1 for all but the few posts that repeat a term, which are listed by term).
        let left = residual[read]
        let shares = unreadShares[read]
        // The unread terms' shares by store term id, for the excess of the posts that repeat them.
        var shareOf = self.termShares.count >= store.hashes.count
            ? self.termShares : [Double](repeating: 0, count: store.hashes.count)
        self.termShares = []
        let unread = order[read..<readable]
        let unreadIDs = unread.compactMap(\.id)
        for o in unread { if let id = o.id { shareOf[id] += o.weight * o.idf } }
        defer {
            for id in unreadIDs { shareOf[id] = 0 }
            self.termShares = shareOf
        }
        var unreadHashes: [UInt64: Double] = [:]
        if !overlay.isEmpty { for o in unread { unreadHashes[o.hash] = o.weight * o.idf } }
        /// What a post's repeats of unread terms add beyond tf 1.
        func excess(_ d: Int) -> Double {
            var extra = 0.0
            if d > base {
                for (h, w) in overlay.vectors[d - base - 1] where w > 1 {
                    if let share = unreadHashes[h] { extra += share * (tfWeights[Int(w)] - 1) }
                }
                return extra
            }
            for k in Int(repeatOffsets[d])..<Int(repeatOffsets[d + 1]) {
                let share = shareOf[Int(repeatTerms[k])]
                if share > 0 { extra += share * (tfWeights[Int(repeatWdfs[k])] - 1) }
            }
            return extra
        }
        var bounds: [(slot: Int, bound: Double)] = []
        let bar = ranking.threshold
        // A post whose estimate is below θ − (what the unread terms could add) cannot reach θ.
        let cut = Float(bar / (maxBoost * slack) - left)
        let scale = maxBoost * slack
        acc.withUnsafeBufferPointer { a in
          storeNorms.withUnsafeBufferPointer { nrm in
            repeatOffsets.withUnsafeBufferPointer { ro in
                @inline(__always) func consider(_ d: Int) {
                    let slot = a[d]
                    let e = slot.estimate, sq = slot.squares
                    guard slot.tag == cur, sq >= 0, e >= cut, e > 0 else { return }
                    let n = Double(d > base ? overlay.norms[d - base - 1] : nrm[d])
                    guard n > 0 else { return }
                    let estimate = Double(e)
                    let cauchySchwarz = left * max(0, 1 - Double(sq)).squareRoot()
                    // At tf 1 first; a post's repeats of unread terms are only looked at when they could decide.
                    var b = (estimate + min(cauchySchwarz, shares / n)) * scale
                    if b < bar && (estimate + cauchySchwarz) * scale >= bar && (d > base || ro[d] != ro[d + 1]) {
                        b = (estimate + min(cauchySchwarz, (shares + excess(d)) / n)) * scale
                    }
                    if b >= bar { bounds.append((d, b)) }
                }
                // The slots given an estimate, in order: the bits say which.
                touchedBits.withUnsafeBufferPointer { bits in
                    for (w, word) in bits.prefix(words).enumerated() {
                        var m = word
                        while m != 0 {
                            consider(w &* 64 &+ m.trailingZeroBitCount)
                            m &= m &- 1
                        }
                    }
                }
            }
          }
        }
        bounds.sort { $0.bound != $1.bound ? $0.bound > $1.bound : $0.slot < $1.slot }
        for (d, b) in bounds {
            if b < ranking.threshold { break }
            try rescore(d)
        }
        work = (read, postingsRead, rescoredCount, order.count - readable)

        // The best, re-scored exactly in Doubles: from the store's copy of their term lists when the store alone
        // describes the index (its document frequencies are then the index's), else from the index itself (the
        // store's norms are Floats of an older idf, and a post may have changed since).
        scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.docid < $1.docid }
        let storeQuery = freshStore == nil ? [] : order.compactMap { o in o.id.map { (UInt32($0), o.term, o.weight) } }
            .sorted { $0.0 < $1.0 }
        var exact: [Scored] = []
        for var s in scored.prefix(margin) {
            let stored = storeQuery.isEmpty || Int(s.docid) > base ? nil : storeCosine(Int(s.docid), store: store,
                                                                                    query: storeQuery)
            guard let (cosine, shared) = try stored ?? exactCosine(s.docid, query: q).map({ ($0.cosine, $0.shared) })
            else { continue }
            guard cosine > 0, cosine >= request.minScore else { continue }
            s.score = s.cosine == 0 ? 0 : s.score / s.cosine * cosine
            s.cosine = cosine
            s.shared = shared
            exact.append(s)
        }
        return (exact, touchedCount)
    }

    /// The cosine of store document `d` with the query (store term id, term, unit weight; ids ascending) and each
    /// shared term's share of it, from the store's copy of its term list: the arithmetic of `exactCosine`, with the
    /// store's document frequencies (the index's while the store is fresh). Nil when a wdf was clamped to a byte.
    private func storeCosine(_ d: Int, store: SimilarityStore, query: [(UInt32, String, Double)])
        -> (cosine: Double, shared: [SharedTerm])?
    {
        var dot = 0.0
        var sum = 0.0
        var products: [(term: String, product: Double)] = []
        var j = 0
        for k in Int(store.offsets[d])..<Int(store.offsets[d + 1]) {
            let wdf = Int(store.wdfs[k])
            if wdf == 255 { return nil }
            let id = store.terms[k]
            let df = store.documentFrequency(Int(id))
            let w = tfWeights[wdf] * SimilarTerms.idf(documentFrequency: df, documents: documentCount)
            sum += w * w
            while j < query.count && query[j].0 < id { j += 1 }
            if j < query.count && query[j].0 == id {
                dot += query[j].2 * w
                products.append((query[j].1, query[j].2 * w))
            }
        }
        guard sum > 0 else { return (0, []) }
        let norm = sum.squareRoot()
        return (dot / norm, products.map { SharedTerm(term: $0.term, weight: $0.product / norm) })
    }

    /// The cosine of document `docid` with `query`, from its term list, and each shared term's share of it (nil when
    /// the document no longer exists). The same arithmetic as `explain` and the exact path.
    private func exactCosine(_ docid: UInt32, query q: SimilarVector, termList: [(term: String, wdf: UInt32)]? = nil)
        throws -> (cosine: Double, shared: [SharedTerm], terms: [(term: String, wdf: UInt32)])?
    {
        let list: [(term: String, wdf: UInt32)]
        if let termList {
            list = termList
        } else {
            do { list = try termCounts(docid) } catch let e as XapianError where e.type == "DocNotFoundError" {
                return nil
            }
        }
        if queryIndex.isEmpty || queryIndexTerms != q.terms {
            queryIndex = [:]
            for (i, t) in q.terms.enumerated() { queryIndex[t] = i }
            queryIndexTerms = q.terms
        }
        var dot = 0.0
        var sum = 0.0
        var products: [(term: String, product: Double)] = []
        for (t, wdf) in list where SimilarTerms.kind(of: t) != nil {
            let w = SimilarTerms.tfWeight(wdf) * (try idf(t))
            sum += w * w
            if let i = queryIndex[t] {
                dot += q.weights[i] * w
                products.append((t, q.weights[i] * w))
            }
        }
        guard sum > 0 else { return (0, [], list) }
        let norm = sum.squareRoot()
        return (dot / norm, products.map { SharedTerm(term: $0.term, weight: $0.product / norm) }, list)
    }

    // MARK: Matcher path

    /// Candidates from Xapian's matcher, which each shard runs on its own posts: every query term that some other
    /// post holds, scaled so that BM25 (`matcherWeighting`) gives each post about its TF-IDF dot product with the
    /// query over its length (Xapian knows the posts' lengths, not their vectors' norms); the best
    /// `request.candidates` are then re-scored by exact cosine from their term lists, with the rules' factors.
    /// The query post, its author's posts, its near-duplicate cluster, the rules' excluded terms and the filter
    /// are left out inside the match, so they take no candidate's place.
    ///
    /// - Complexity: one match (on each shard), then a term-list read and the document frequencies of its terms
    ///   (cached until `reopen`) per candidate.
    private func matcherCandidates(_ query: QueryPost, request: SimilarRequest, filter: Query?) throws
        -> ([Scored], Int)
    {
        let q = query.vector
        var terms: [Query] = []
        for (t, w) in zip(q.terms, q.weights) {
            let n = try frequency(t)
            if n == 0 || (n == 1 && query.docid != nil) { continue }
            // BM25 weighs the term by its own idf: scaled to Starling's (the document's side of the product).
            terms.append(.scaled(.term(t), factor: w * (try idf(t)) / Self.bm25TermWeight(n, documentCount)))
        }
        guard !terms.isEmpty else { return ([], 0) }
        var match: Query = .or(terms)
        if let filter { match = .filter(match, filter) }
        var leaveOut: [Query] = []
        if let id = query.id { leaveOut.append(.term(DocumentBuilder.clip(TermPrefix.id + id))) }
        if !request.includeAuthor, let a = query.author {
            leaveOut.append(.term(DocumentBuilder.clip(TermPrefix.author + a)))
        }
        if !request.includeCluster, let c = query.cluster {
            leaveOut.append(.valueRange(slot: ValueSlot.cluster, lower: c, upper: c))
        }
        leaveOut += request.rules.excludedTerms.map { .term(DocumentBuilder.clip($0)) }
        if !leaveOut.isEmpty { match = .andNot(match, .or(leaveOut)) }

        let enquire = Enquire(database)
        try enquire.setQuery(match)
        enquire.setWeighting(Self.matcherWeighting)
        let wanted = request.candidates > 0 ? request.candidates
            : max(SimilarRequest.minimumCandidates, SimilarRequest.candidatesPerHit * request.limit)
        let mset = try enquire.mset(first: 0, max: wanted, fetchData: false)
        matcherCoveredAll = mset.items.count < wanted

        let ruleTerms = Set(request.rules.rules.map(\.term))
        let lists = try shardTermLists(mset.items.map(\.docid))
        var scored: [Scored] = []
        for item in mset.items {
            if lists != nil && lists?[item.docid] == nil { continue }  // gone since the match
            guard let (cosine, shared, list) = try exactCosine(item.docid, query: q, termList: lists?[item.docid])
            else { continue }
            guard cosine > 0, cosine >= request.minScore else { continue }
            var s = Scored(docid: item.docid, cosine: cosine, score: cosine, rules: [], shared: shared)
            if !ruleTerms.isEmpty {
                let (f, applied) = request.rules.factor(for: Set(list.lazy.map(\.term).filter(ruleTerms.contains)))
                if f == 0 { continue }
                s.score = cosine * f
                s.rules = applied
            }
            scored.append(s)
        }
        work = (terms.count, 0, scored.count, 0)
        return (scored, max(mset.matchesEstimated, scored.count))
    }

    /// The term lists of `docids` of the combined database, read from each shard's own handle on a thread per shard
    /// (a remote shard answers one round trip a post: shards read side by side, the wait does not grow with their
    /// number); nil without shard handles. Posts no longer there are missing from the answer.
    private func shardTermLists(_ docids: [UInt32]) throws -> [UInt32: [(term: String, wdf: UInt32)]]? {
        let n = shardHandles.count
        guard n > 1, !docids.isEmpty else { return nil }
        if weightingSeen == nil { weightingSeen = try database.termWeighting() }
        let weighting = weightingSeen
        var byShard = [[UInt32]](repeating: [], count: n)
        for d in docids { byShard[Int((d - 1) % UInt32(n))].append(d) }
        let work = ShardReads(handles: shardHandles, docids: byShard)
        DispatchQueue.concurrentPerform(iterations: n) { s in
            var mine: [(UInt32, [(term: String, wdf: UInt32)])] = []
            var failure: Error?
            for d in work.docids[s] {
                do {
                    mine.append((d, try work.handles[s].termCounts((d - 1) / UInt32(n) + 1, weighting)))
                } catch let e as XapianError where e.type == "DocNotFoundError" {
                    continue
                } catch {
                    failure = error
                    break
                }
            }
            work.finish(s, mine, failure)
        }
        return try work.lists()
    }

    /// The matcher path's ranking: BM25 with a huge k1 (the term frequency counts almost linearly, as it rarely
    /// exceeds 1 in a post), b 0.8 and a tiny minimum normalised length (short posts are not all treated as half the
    /// average: a one-word post's cosine is high) approximates `tf·idf / norm` with the lengths Xapian knows; set
    /// on tools/similar-eval `shards` (recall@10 against brute force at 200 candidates: the coordinate weighting of
    /// the same scaled terms 0.78, BM25's defaults 0.81, k1 1000 with b 1 0.97, and with the minimum length 0.01
    /// 0.99).
    static let matcherWeighting = Weighting.bm25(k1: 1000, k2: 0, k3: 1, b: 0.8, minNormLen: 0.01)

    /// Xapian's BM25 term weight without a relevance set, `ln((N - n + 0.5) / (n + 0.5))`, the ratio raised to
    /// `ratio / 2 + 1` when at most 2 (a term in over a third of the posts), as BM25Weight does.
    static func bm25TermWeight(_ n: Int, _ documents: Int) -> Double {
        var ratio = (Double(documents) - Double(n) + 0.5) / (Double(n) + 0.5)
        if ratio <= 2 { ratio = ratio * 0.5 + 1 }
        return max(log(ratio), 1e-6)
    }

    // MARK: Exact path

    private func exactCandidates(_ query: QueryPost, request: SimilarRequest, filter: Query?) throws
        -> ([Scored], Int)
    {
        if exactIndex == nil { exactIndex = try ExactIndex(database: database) }
        guard let exact = exactIndex else { return ([], 0) }
        var allowed: [Bool]?
        if let filter {
            let enquire = Enquire(database)
            try enquire.setQuery(filter)
            enquire.setWeighting(.bool)
            let mset = try enquire.mset(first: 0, max: documentCount, fetchData: false)
            var mask = [Bool](repeating: false, count: Int(try database.lastDocID()) + 1)
            for item in mset.items where Int(item.docid) < mask.count { mask[Int(item.docid)] = true }
            allowed = mask
        }
        let leaveOutAuthor = request.includeAuthor ? nil : query.author
        var scored: [Scored] = []
        let ruleTerms = Set(request.rules.rules.map(\.term))
        exact.score(query.vector) { docid, cosine, position in
            if docid == query.docid { return }
            if let allowed, !(Int(docid) < allowed.count && allowed[Int(docid)]) { return }
            if let a = leaveOutAuthor, exact.author(at: position) == a { return }
            guard cosine >= request.minScore else { return }
            var s = Scored(docid: docid, cosine: cosine, score: cosine, rules: [])
            if !ruleTerms.isEmpty {
                var carried = Set(exact.terms(at: position).filter { ruleTerms.contains($0) })
                if let a = exact.author(at: position) { carried.insert(TermPrefix.author + a) }
                let (f, applied) = request.rules.factor(for: carried)
                if f == 0 { return }
                s.score = cosine * f
                s.rules = applied
            }
            scored.append(s)
        }
        return (scored, scored.count)
    }
}

/// The matcher path's term-list reads, one job a shard: each job reads only its own shard's handle and hands its
/// lists over under the lock.
private final class ShardReads: @unchecked Sendable {
    let handles: [Database]
    let docids: [[UInt32]]
    private let lock = NSLock()
    private var read: [UInt32: [(term: String, wdf: UInt32)]] = [:]
    private var failure: Error?

    init(handles: [Database], docids: [[UInt32]]) {
        self.handles = handles
        self.docids = docids
    }

    func finish(_ shard: Int, _ lists: [(UInt32, [(term: String, wdf: UInt32)])], _ error: Error?) {
        lock.lock()
        defer { lock.unlock() }
        for (d, list) in lists { read[d] = list }
        if failure == nil { failure = error }
    }

    func lists() throws -> [UInt32: [(term: String, wdf: UInt32)]] {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        return read
    }
}

/// The `size` best scores so far; `threshold` is the lowest of them, or the floor until there are `size`.
struct ExactRanking {
    private var heap: [Double] = []
    private let size: Int
    private let floor: Double

    init(size: Int, floor: Double) {
        self.size = size
        self.floor = floor
        heap.reserveCapacity(size)
    }

    /// What a score must reach to enter the best `size`.
    var threshold: Double { heap.count < size || size == 0 ? floor : max(floor, heap[0]) }

    /// Adds a score (min-heap of the best `size`).
    ///
    /// - Complexity: O(log size).
    mutating func add(_ score: Double) {
        guard size > 0 else { return }
        if heap.count < size {
            heap.append(score)
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if heap[parent] <= heap[i] { break }
                heap.swapAt(parent, i)
                i = parent
            }
        } else if score > heap[0] {
            heap[0] = score
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < heap.count && heap[l] < heap[m] { m = l }
                if r < heap.count && heap[r] < heap[m] { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
    }
}

/// The `size` largest estimates offered during one term's postings (slots may repeat; the caller skips those
/// already scored).
struct TopEstimates {
    private(set) var slots: [Int] = []
    private var values: [Float] = []
    private let size: Int

    init(size: Int) {
        self.size = max(size, 0)
        slots.reserveCapacity(self.size + 1)
        values.reserveCapacity(self.size + 1)
    }

    mutating func reset() {
        slots.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// - Complexity: O(1) for an estimate below the current `size`-th, else O(size).
    @inline(__always)
    mutating func offer(_ value: Float, _ slot: Int) {
        if slots.count == size && (size == 0 || value <= values[size - 1]) { return }
        if let i = slots.firstIndex(of: slot) {
            slots.remove(at: i)
            values.remove(at: i)
        }
        var i = values.count
        while i > 0 && values[i - 1] < value { i -= 1 }
        values.insert(value, at: i)
        slots.insert(slot, at: i)
        if slots.count > size {
            slots.removeLast()
            values.removeLast()
        }
    }
}

/// One slot's running state in the fast path: the estimate so far, the sum of the squares of the weights read, and
/// the search that wrote it.
struct Accumulator {
    var estimate: Float
    var squares: Float
    var tag: UInt32
}
