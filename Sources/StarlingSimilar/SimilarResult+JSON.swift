// The JSON form of a similar-posts answer (DESIGN.md: `{"total": N, "hits": [{"id", "score", "explain", ...}]}`),
// shared by the command line and the service.
import StarlingModel

extension SimilarHit {
    /// `{"id", "score", "cosine", "rank", "explain": [{"term", "weight"}], "rules"?, "text"?, "author"?,
    /// "created_at"?, "post"?}`.
    public func jsonValue(includePost: Bool) -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("id", .string(id)), ("score", .double(score)), ("cosine", .double(cosine)),
            ("rank", .int(Int64(rank))),
            ("explain", .array(explain.map { .object([("term", .string($0.display)), ("weight", .double(Self.rounded($0.weight)))]) })),
        ]
        if !rules.isEmpty {
            o.append(("rules", .array(rules.map {
                .object([("kind", .string($0.kind.rawValue)), ("value", .string($0.value)), ("factor", .double($0.factor))])
            })))
        }
        if includePost, let p = post {
            o.append(("text", .string(p.text)))
            if let a = p.author { o.append(("author", .string(a))) }
            if let t = p.createdAt { o.append(("created_at", .string(PostTime.iso8601(t)))) }
            o.append(("post", p.nativeJSON))
        }
        return .object(o)
    }

    /// Explanation weights to 6 decimals: short to read (scores stay exact so runs can be compared).
    static func rounded(_ x: Double) -> Double { (x * 1e6).rounded() / 1e6 }
}

extension SimilarResult {
    /// `{"total": N, "exact": Bool, "hits": [...]}` (`exact` false when the posting budget left common words out of
    /// the search for candidates, or the matcher's candidates did not hold every post sharing a term).
    public func jsonValue(includePosts: Bool) -> [(String, JSONValue)] {
        [("total", .int(Int64(total))), ("exact", .bool(exact)),
         ("hits", .array(hits.map { $0.jsonValue(includePost: includePosts) }))]
    }
}
