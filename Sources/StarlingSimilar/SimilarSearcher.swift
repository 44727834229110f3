// Similar posts by TF-IDF cosine over the analysed terms the index holds, with the index's own statistics.
//
//   query vector (an indexed post's term list, or a draft analysed like a post)
//     -> fast: max-score over the postings of the query's heaviest terms, with every document's norm in memory
//              (DocumentNorms), bounding what unread terms could add; candidates re-scored exactly from term lists
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
    /// Document frequencies seen so far (the index's, until `reopen`).
    private var frequencies: [String: Int] = [:]
    private var documentCount: Int
    private var exactIndex: ExactIndex?
    private var norms: DocumentNorms?
    /// The index directory, where the norms are cached (nil for databases opened elsewhere).
    private let directory: String?
    /// Per-document accumulators of the fast path, indexed by docid; all zero between searches.
    private var estimates: [Double] = []
    private var squares: [Double] = []
    /// What the last fast search did: terms read, postings read, posts re-scored.
    private var work = (terms: 0, postings: 0, rescored: 0)

    /// Opens the index at `path` for reading.
    public convenience init(path: String, analyzer: Analyzer? = nil) throws {
        let database = try IndexLocation.openReader(path)
        try self.init(database: database, analyzer: analyzer ?? Analyzer(), directory: path)
    }

    /// Searches an already opened database (e.g. shards combined). `directory`, when given, is where the
    /// documents' norms are cached between runs.
    public init(database: Database, analyzer: Analyzer, directory: String? = nil) throws {
        self.database = database
        self.directory = directory
        self.analyzer = analyzer
        compiler = QueryCompiler(analyzer: analyzer)
        documentCount = try database.documentCount()
    }

    /// Moves to the index's latest commit (posts indexed since become findable) and forgets cached statistics.
    public func reopen() throws {
        try database.reopen()
        frequencies.removeAll(keepingCapacity: true)
        documentCount = try database.documentCount()
        exactIndex = nil
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
        let f = try database.termFrequency(term)
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
        if stages == nil { stages = try StandardStages.make(configuration: analyzer.configuration) }
        for stage in stages ?? [] { stage.prepare(post, analysis: analysis, document: document) }
        return document.terms()
    }

    func resolve(_ source: SimilarSource) throws -> QueryPost {
        switch source {
        case .post(let id):
            guard let docid = try docid(of: id) else { throw SimilarError.unknownPost(id) }
            let list = try database.termList(docid)
            let vector = try SimilarVector(terms: list, idf: idf)
            let cluster = try database.document(docid).value(ValueSlot.cluster)
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
    }

    /// Runs `request`.
    ///
    /// - Complexity: fast mode: the postings of the terms it must read, plus a term-list read per post re-scored
    ///   (the first fast query loads or computes the documents' norms); exact mode: O(total postings) per query once
    ///   the index's vectors are loaded (the first exact query reads every document).
    public func similar(_ request: SimilarRequest) throws -> SimilarResult {
        let query = try resolve(request.source)
        let filter = try filterQuery(request.filter)
        var scored: [Scored]
        var total: Int
        if query.vector.isEmpty || request.limit <= 0 {
            scored = []
            total = 0
        } else {
            switch request.mode {
            case .fast: (scored, total) = try fastCandidates(query, request: request, filter: filter)
            case .exact: (scored, total) = try exactCandidates(query, request: request, filter: filter)
            }
        }
        let count = request.mode == .fast && !query.vector.isEmpty ? work.rescored : scored.count
        let effort = request.mode == .fast ? work : (query.vector.terms.count, 0, scored.count)
        work = (0, 0, 0)
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
            let post = (try? JSONParser.parse(document.data)).flatMap { try? Post.fromNative($0) }
            hits.append(SimilarHit(id: post?.id ?? "", score: s.score, cosine: s.cosine, rank: hits.count,
                                   docid: s.docid,
                                   explain: try explain(s.docid, query: query.vector, top: request.explainTerms),
                                   rules: s.rules, post: post))
        }
        return SimilarResult(total: max(total, hits.count), hits: hits, query: query.vector, scored: count,
                             termsRead: effort.terms, postingsRead: effort.postings)
    }

    /// The shared terms of document `docid` and the query, by their share of the cosine, largest first.
    public func explain(_ docid: UInt32, query: SimilarVector, top: Int) throws -> [SharedTerm] {
        guard top > 0 else { return [] }
        let vector = try SimilarVector(terms: try database.termList(docid), idf: idf)
        var weights: [String: Double] = [:]
        for (t, w) in zip(vector.terms, vector.weights) { weights[t] = w }
        var shared: [SharedTerm] = []
        for (t, q) in zip(query.terms, query.weights) {
            if let d = weights[t] { shared.append(SharedTerm(term: t, weight: q * d)) }
        }
        shared.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.term < $1.term }
        return Array(shared.prefix(top))
    }

    // MARK: Fast path

    /// The norms, loaded (or extended to documents added since) on first use.
    private func documentNorms() throws -> DocumentNorms {
        let last = try database.lastDocID()
        if let norms, norms.lastDocID >= last { return norms }
        if let norms {
            try norms.extend(to: last, database: database, idf: idf)
            return norms
        }
        let loaded = try DocumentNorms(database: database, directory: directory, idf: idf)
        norms = loaded
        return loaded
    }

    /// Max-score search over the postings, with the documents' norms in memory:
    ///   1. the query's terms are read heaviest first; each posting adds the term's exact share `q·tf·idf/norm` to
    ///      its document's estimate (the tf of a term some post repeats comes from Xapian's matcher, the rest from
    ///      plain postings);
    ///   2. after each term the best estimates are re-scored exactly, which raises the bar θ (the `limit`-th best
    ///      exact score so far);
    ///   3. reading stops when the terms left cannot lift an unseen document to θ: by Cauchy–Schwarz an unseen
    ///      document scores at most the norm of the query's remaining weights;
    ///   4. every document whose bound (its estimate plus what the unread terms could add: at most the
    ///      Cauchy–Schwarz bound, and at most their shares were each used once) reaches θ is re-scored exactly,
    ///      best bound first, until the bounds fall below θ.
    /// The one approximation: an unread term repeated in a post counts once in that post's bound.
    ///
    /// - Complexity: O(postings read + re-scored × their term-list length); the frequent words of a query are
    ///   usually never read.
    private func fastCandidates(_ query: QueryPost, request: SimilarRequest, filter: Query?) throws
        -> ([Scored], Int)
    {
        let norms = try documentNorms()
        let q = query.vector
        var termIndex: [String: Int] = [:]
        for (i, t) in q.terms.enumerated() { termIndex[t] = i }

        // Terms in no other document add nothing to any score; the rest, heaviest first.
        var order: [(term: String, weight: Double, idf: Double)] = []
        for i in q.weights.indices.sorted(by: { q.weights[$0] > q.weights[$1] }) {
            let t = q.terms[i]
            let n = try frequency(t)
            if n == 0 || (n == 1 && query.docid != nil) { continue }
            order.append((t, q.weights[i], try idf(t)))
        }
        guard !order.isEmpty else { return ([], 0) }
        // Words in more than `commonTerms` of the posts are never read for unseen posts: they still count in
        // the bounds of the posts that are seen, and in their exact scores.
        let common = max(1, Int(request.commonTerms * Double(documentCount)))
        let rare = try order.filter { try frequency($0.term) <= common }
        let readable = rare.count
        order = try rare + order.filter { try frequency($0.term) > common }
        var residual = [Double](repeating: 0, count: order.count + 1)
        var readableResidual = [Double](repeating: 0, count: order.count + 1)
        var unreadShares = [Double](repeating: 0, count: order.count + 1)
        for i in stride(from: order.count - 1, through: 0, by: -1) {
            residual[i] = (residual[i + 1] * residual[i + 1] + order[i].weight * order[i].weight).squareRoot()
            let r = i < readable ? order[i].weight : 0
            readableResidual[i] = (readableResidual[i + 1] * readableResidual[i + 1] + r * r).squareRoot()
            unreadShares[i] = unreadShares[i + 1] + order[i].weight * order[i].idf
        }
        // Boosting rules can lift a score above its cosine: bounds must allow for it.
        let maxBoost = request.rules.rules.reduce(1.0) { $0 * max(1, $1.factor) }
        let slack = 1 + 1e-6  // norms are stored as Float

        // Per-document accumulators, taken out of `self` for the loops (and put back zeroed).
        let size = Int(norms.lastDocID) + 1
        var estimates = self.estimates.count >= size ? self.estimates : [Double](repeating: 0, count: size)
        var squares = self.squares.count >= size ? self.squares : [Double](repeating: 0, count: size)
        self.estimates = []
        self.squares = []
        var touched: [UInt32] = []
        defer {
            for d in touched {
                estimates[Int(d)] = 0
                squares[Int(d)] = 0
            }
            self.estimates = estimates
            self.squares = squares
        }
        // Left-out posts are marked with a negative estimate, so the loops skip them without a set look-up.
        var leaveOut: [UInt32] = query.docid.map { [$0] } ?? []
        if !request.includeAuthor, let a = query.author {
            leaveOut += try database.postings(DocumentBuilder.clip(TermPrefix.author + a))
        }
        for t in request.rules.excludedTerms { leaveOut += try database.postings(DocumentBuilder.clip(t)) }
        for d in leaveOut where Int(d) < size && estimates[Int(d)] == 0 {
            estimates[Int(d)] = -1
            touched.append(d)
        }
        let leftOut = touched.count

        var ranking = ExactRanking(size: request.limit, floor: maxBoost == 1 ? request.minScore : 0)
        var rescoredCount = 0
        var postingsRead = 0
        var scored: [Scored] = []
        var allowed: Set<UInt32>?
        let leaveOutCluster = request.includeCluster ? nil : query.cluster
        // Re-scores `docid` exactly and keeps it if it passes the filters.
        func rescore(_ docid: UInt32) throws {
            guard squares[Int(docid)] >= 0 else { return }
            squares[Int(docid)] = -1
            rescoredCount += 1
            if let allowed, !allowed.contains(docid) { return }
            let list = try database.termList(docid)
            var dot = 0.0
            var sum = 0.0
            for (t, wdf) in list where SimilarTerms.kind(of: t) != nil {
                let w = SimilarTerms.tfWeight(wdf) * (try idf(t))
                sum += w * w
                if let i = termIndex[t] { dot += q.weights[i] * w }
            }
            let cosine = sum > 0 ? dot / sum.squareRoot() : 0
            guard cosine > 0, cosine >= request.minScore else { return }
            var s = Scored(docid: docid, cosine: cosine, score: cosine, rules: [])
            if !request.rules.isEmpty {
                let (f, applied) = request.rules.factor(for: Set(list.map(\.term)))
                if f == 0 { return }
                s.score = cosine * f
                s.rules = applied
            }
            // Only a post that would enter the results is worth reading the cluster of.
            if let c = leaveOutCluster, s.score >= ranking.threshold,
               try database.document(docid).value(ValueSlot.cluster) == c
            {
                return
            }
            scored.append(s)
            ranking.add(s.score)
        }

        var read = 0
        while read < order.count && readableResidual[read] * maxBoost * slack >= ranking.threshold {
            let (term, weight, idf) = order[read]
            read += 1
            let postings = try tfPostings(term, repeats: read <= request.repeatTerms)
            postingsRead += postings.docids.count
            // Rescored documents are marked by a negative square sum, left-out ones by a negative estimate.
            estimates.withUnsafeMutableBufferPointer { est in
                squares.withUnsafeMutableBufferPointer { sq in
                    norms.norms.withUnsafeBufferPointer { nrm in
                        for docid in postings.docids {
                            let d = Int(docid)
                            guard d < size, est[d] >= 0, sq[d] >= 0 else { continue }
                            let n = Double(nrm[d])
                            guard n > 0 else { continue }
                            if est[d] == 0 { touched.append(docid) }
                            let w = idf / n
                            est[d] += weight * w
                            sq[d] += w * w
                        }
                        for (docid, tf) in postings.repeats {
                            let d = Int(docid)
                            guard d < size, est[d] > 0, sq[d] >= 0 else { continue }
                            let w = idf / Double(nrm[d])
                            est[d] += weight * w * (tf - 1)
                            sq[d] += w * w * (tf * tf - 1)
                        }
                    }
                }
            }
            if read == 1, let filter {
                // The filter, evaluated once over every document the query's terms could reach.
                let enquire = Enquire(database)
                let any: Query = order.count == 1 ? .term(order[0].term) : .or(order.map { .term($0.term) })
                try enquire.setQuery(.filter(any, filter))
                enquire.setWeighting(.bool)
                let mset = try enquire.mset(first: 0, max: Int(norms.lastDocID), fetchData: false)
                allowed = Set(mset.items.map(\.docid))
            }
            // Raise the bar with the best estimates so far.
            for d in Self.top(request.limit, of: postings.docids, by: estimates, squares: squares) { try rescore(d) }
        }

        // Every document that could still reach the bar, best bound first.
        let left = residual[read]
        let shares = unreadShares[read]
        var bounds: [(docid: UInt32, bound: Double)] = []
        let bar = ranking.threshold
        norms.norms.withUnsafeBufferPointer { nrm in
            for d in touched[leftOut...] where squares[Int(d)] >= 0 {
                let i = Int(d)
                let rest = min(left * max(0, 1 - squares[i]).squareRoot(), shares / Double(nrm[i]))
                let b = (estimates[i] + rest) * maxBoost * slack
                if b >= bar { bounds.append((d, b)) }
            }
        }
        bounds.sort { $0.bound != $1.bound ? $0.bound > $1.bound : $0.docid < $1.docid }
        for (d, b) in bounds {
            if b < ranking.threshold { break }
            try rescore(d)
        }
        work = (read, postingsRead, rescoredCount)
        return (scored, touched.count - leftOut)
    }

    /// The documents indexed by `term`, and (when `repeats`) those where the term is repeated, with their
    /// sublinear tf (all others have tf 1). Plain postings carry no wdf; Xapian's "lnn" TF-IDF weight is exactly
    /// `1 + ln(wdf)`, so the matcher's heaviest `collectionFrequency - frequency` matches hold every repeat.
    private func tfPostings(_ term: String, repeats: Bool) throws
        -> (docids: [UInt32], repeats: [(docid: UInt32, tf: Double)])
    {
        let docids = try database.postings(term)
        let excess = try database.collectionFrequency(term) - docids.count
        guard repeats, excess > 0 else { return (docids, []) }
        let enquire = Enquire(database)
        try enquire.setQuery(.term(term))
        enquire.setWeighting(.tfidf(normalisation: "lnn"))
        let items = try enquire.mset(first: 0, max: min(excess, docids.count), fetchData: false).items
        return (docids, items.filter { $0.weight > 1 + 1e-9 }.map { ($0.docid, $0.weight) })
    }

    /// The `k` docids of `docids` with the largest estimates, leaving out those re-scored or left out already.
    ///
    /// - Complexity: O(n log k).
    private static func top(_ k: Int, of docids: [UInt32], by estimates: [Double], squares: [Double]) -> [UInt32] {
        guard k > 0 else { return [] }
        var best: [(Double, UInt32)] = []
        best.reserveCapacity(k + 1)
        for d in docids {
            guard Int(d) < estimates.count else { continue }
            let e = estimates[Int(d)]
            if e <= 0 || best.count == k && e <= best[k - 1].0 { continue }
            if squares[Int(d)] < 0 { continue }
            var i = best.count
            while i > 0 && best[i - 1].0 < e { i -= 1 }
            best.insert((e, d), at: i)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.1)
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
