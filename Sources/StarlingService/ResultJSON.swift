// The JSON the service answers with for search hits, duplicates, clusters and analyses. Search results are the
// same JSON as `starling search --json`, so a client can switch between the command and the service.
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingLanguage
import StarlingModel

/// JSON forms of results.
public enum ResultJSON {
    /// `starling search --json`: `{"total", "total_lower_bound", "total_upper_bound", "hits": [{"id", "score",
    /// "rank", "collapsed"?, "text", "author"?, "created_at"?, "post"}]}`.
    public static func search(_ r: SearchResult, collapse: Bool) -> JSONValue {
        let hits: [JSONValue] = r.hits.map { h in
            var o: [(String, JSONValue)] = [("id", .string(h.id)), ("score", .double(h.score)),
                                            ("rank", .int(Int64(h.rank)))]
            if collapse { o.append(("collapsed", .int(Int64(h.collapsed)))) }
            if let p = h.post { o += postFields(p) }
            return .object(o)
        }
        return .object([("total", .int(Int64(r.total))), ("total_lower_bound", .int(Int64(r.totalLowerBound))),
                        ("total_upper_bound", .int(Int64(r.totalUpperBound))), ("hits", .array(hits))])
    }

    /// `"text", "author"?, "created_at"?, "post"` of a hit.
    public static func postFields(_ p: Post) -> [(String, JSONValue)] {
        var o: [(String, JSONValue)] = [("text", .string(p.text))]
        if let a = p.author { o.append(("author", .string(a))) }
        if let t = p.createdAt { o.append(("created_at", .string(PostTime.iso8601(t)))) }
        o.append(("post", p.nativeJSON))
        return o
    }

    /// `{"total", "cluster", "hits": [{"id", "jaccard", "estimated_jaccard", "cluster", "text", ...}]}`.
    public static func duplicates(_ r: DuplicateResult) -> JSONValue {
        let hits: [JSONValue] = r.hits.map { h in
            var o: [(String, JSONValue)] = [("id", .string(h.id)), ("jaccard", .double(h.jaccard)),
                                            ("estimated_jaccard", .double(h.estimatedJaccard)),
                                            ("cluster", .string(h.cluster))]
            if let p = h.post { o += postFields(p) }
            return .object(o)
        }
        return .object([("total", .int(Int64(r.total))), ("cluster", r.cluster.map { .string($0) } ?? .null),
                        ("hits", .array(hits))])
    }

    /// `{"clusters": [{"id", "size", "first_seen", "last_seen", "top_authors": [{"author", "posts"}], "first"}]}`.
    public static func clusters(_ list: [ClusterSummary]) -> JSONValue {
        .object([("clusters", .array(list.map { c in
            var o: [(String, JSONValue)] = [("id", .string(c.id)), ("size", .int(Int64(c.size)))]
            o.append(("first_seen", c.firstSeen.map { .string(PostTime.iso8601($0)) } ?? .null))
            o.append(("last_seen", c.lastSeen.map { .string(PostTime.iso8601($0)) } ?? .null))
            o.append(("top_authors", .array(c.topAuthors.map {
                .object([("author", .string($0.author)), ("posts", .int(Int64($0.posts)))])
            })))
            o.append(("first", c.first.map { $0.nativeJSON } ?? .null))
            return .object(o)
        }))])
    }

    /// The analysis as `starling analyze --json` prints it (DESIGN.md), shared by the CLI and `POST /v1/analyze`:
    /// tokens with UTF-8 offsets (and the accent-free form a word is also found by), hashtags with their words,
    /// mentions, cashtags, URLs, emoji with CLDR names, reshare and reply, language with its evidence, entities.
    public static func analysis(_ a: Analysis, id: String? = nil, post: Post? = nil, language: LanguageGuess?,
                                entities: [JSONValue]) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let id { o.append(("id", .string(id))) }
        o.append(("text", .string(a.text)))
        o.append(("normalized", .string(a.normalized)))
        o.append(("tokens", .array(a.tokens.map { t in
            var f: [(String, JSONValue)] = [
                ("text", .string(t.text)), ("normalized", .string(t.normalized)), ("kind", .string(t.kind.rawValue)),
                ("start", .int(Int64(t.start))), ("end", .int(Int64(t.end))), ("position", .int(Int64(t.position))),
            ]
            if let u = t.unaccented { f.append(("unaccented", .string(u))) }
            return .object(f)
        })))
        o.append(("hashtags", .array(a.hashtags.map { h in
            .object([("text", .string(h.text)), ("normalized", .string(h.normalized)),
                     ("words", .array(h.words.map { .string($0) }))])
        })))
        o.append(("mentions", .array(a.mentions.map { .object([("text", .string($0.text)), ("normalized", .string($0.normalized))]) })))
        o.append(("cashtags", .array(a.cashtags.map { .object([("text", .string($0.text)), ("normalized", .string($0.normalized))]) })))
        o.append(("urls", .array(a.urls.map { u in
            .object([("text", .string(u.text)), ("canonical", .string(u.canonical)),
                     ("expanded", u.expanded.map { .string($0) } ?? .null), ("domains", .array(u.domains.map { .string($0) }))])
        })))
        o.append(("emoji", .array(a.emoji.map { e in
            .object([("text", .string(e.text)), ("folded", .string(e.folded)), ("name", e.name.map { .string($0) } ?? .null),
                     ("name_terms", .array(e.nameTerms.map { .string($0) }))])
        })))
        o.append(("reshare", .bool(a.isReshare || post?.reshareOf != nil || post?.isReshare == true)))
        if let r = a.replyTo { o.append(("reply_to", .string(r))) }
        if let ra = a.reshareAuthor ?? post?.reshareAuthor { o.append(("reshare_author", .string(ra))) }
        o.append(("language", languageJSON(language ?? .undetermined)))
        o.append(("entities", .array(entities)))
        return .object(o)
    }

    /// A language decision: code, confidence, the evidence that decided it, and the candidates.
    public static func languageJSON(_ g: LanguageGuess) -> JSONValue {
        let candidates: [JSONValue] = g.candidates.map { c in
            let p: Double = (c.probability * 1000).rounded() / 1000
            return .object([("code", .string(c.code)), ("probability", .double(p))])
        }
        let confidence: Double = (g.confidence * 1000).rounded() / 1000
        return .object([("code", .string(g.code)), ("confidence", .double(confidence)),
                        ("evidence", .string(g.evidence.rawValue)), ("candidates", .array(candidates))])
    }
}
