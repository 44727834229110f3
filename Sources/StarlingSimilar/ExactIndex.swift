// Brute-force similarity: every document's TF-IDF vector held in memory, so `--exact` can score the whole index
// for each query. It is the reference the fast path is checked against, so its arithmetic is the fast path's,
// term for term and in the same order (term-list order), and both give bit-identical cosines.
import StarlingModel
import XapianKit

/// All document vectors of an index, loaded once (compressed sparse rows).
final class ExactIndex {
    private var vocabulary: [String: Int32] = [:]
    private var names: [String] = []
    private var idf: [Double] = []
    private var docids: [UInt32] = []
    private var offsets: [Int] = [0]
    private var termIDs: [Int32] = []
    /// tf * idf, not yet divided by the norm.
    private var weights: [Double] = []
    private var norms: [Double] = []
    private var authors: [Int32] = []
    private var authorNames: [String] = []

    /// Reads every document's term list.
    ///
    /// - Complexity: O(total terms) C calls' worth of copying; seconds per 100k posts.
    init(database: Database) throws {
        let n = try database.documentCount()
        // Document frequencies of the whole vocabulary in one pass over the term dictionary.
        for (term, df) in try database.allTerms() where SimilarTerms.kind(of: term) != nil {
            vocabulary[term] = Int32(names.count)
            names.append(term)
            idf.append(SimilarTerms.idf(documentFrequency: df, documents: n))
        }
        var authorIDs: [String: Int32] = [:]
        let last = try database.lastDocID()
        let weighting = try database.termWeighting()
        guard last > 0 else { return }
        docids.reserveCapacity(n)
        for docid in UInt32(1)...last {
            let list: [(term: String, wdf: UInt32)]
            do { list = try database.termCounts(docid, weighting) } catch let e as XapianError where e.type == "DocNotFoundError" {
                continue
            }
            var sum = 0.0
            for (t, wdf) in list {
                guard let id = vocabulary[t] else { continue }
                let w = SimilarTerms.tfWeight(wdf) * idf[Int(id)]
                sum += w * w
                termIDs.append(id)
                weights.append(w)
            }
            var author: Int32 = -1
            if let a = SimilarTerms.author(in: list) {
                if let id = authorIDs[a] { author = id } else {
                    author = Int32(authorNames.count)
                    authorIDs[a] = author
                    authorNames.append(a)
                }
            }
            docids.append(docid)
            offsets.append(termIDs.count)
            norms.append(sum.squareRoot())
            authors.append(author)
        }
    }

    /// Calls `body(docid, cosine, position)` for every document sharing a term with `query`, in docid order.
    ///
    /// - Complexity: O(total terms of the index).
    func score(_ query: SimilarVector, _ body: (UInt32, Double, Int) -> Void) {
        var dense = [Double](repeating: 0, count: names.count)
        for (t, w) in zip(query.terms, query.weights) {
            if let id = vocabulary[t] { dense[Int(id)] = w }
        }
        dense.withUnsafeBufferPointer { q in
            termIDs.withUnsafeBufferPointer { ids in
                weights.withUnsafeBufferPointer { ws in
                    for d in 0..<docids.count {
                        var dot = 0.0
                        for k in offsets[d]..<offsets[d + 1] {
                            let qw = q[Int(ids[k])]
                            if qw != 0 { dot += qw * ws[k] }
                        }
                        if dot > 0 { body(docids[d], dot / norms[d], d) }
                    }
                }
            }
        }
    }

    /// The author of the document at `position` (the third argument of `score`'s callback).
    func author(at position: Int) -> String? {
        let a = authors[position]
        return a < 0 ? nil : authorNames[Int(a)]
    }

    /// The similarity terms of the document at `position`.
    func terms(at position: Int) -> [String] {
        (offsets[position]..<offsets[position + 1]).map { names[Int(termIDs[$0])] }
    }
}
