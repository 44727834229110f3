// `starling search`: run a query (or a file of queries) against an index.
import ArgumentParser
import Foundation
import StarlingIndex
import StarlingModel
import StarlingQuery

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an index with Starling's query language.",
        discussion: """
            Words, "exact phrases", AND / OR / NOT / -word, (parentheses), #hashtag, @mention, $CASHTAG, emoji,
            from:author, lang:xx, entity:ID, domain:example.com, url:..., has:url|media|hashtag|mention|cashtag|emoji,
            is:reshare|reply, since:YYYY-MM-DD (inclusive), until:YYYY-MM-DD (exclusive).
            Example: starling search '#ferguson -is:reshare lang:en since:2014-08-10'
            """
    )

    @OptionGroup var index: IndexPathOption

    @Option(help: "Hits to return.")
    var limit: Int = 10

    @Option(help: "Hits to skip (pagination).")
    var offset: Int = 0

    @Option(help: "relevance, newest or oldest.")
    var sort: String = "relevance"

    @Flag(help: "Collapse reshares and near-duplicates into one hit with a count.")
    var collapse = false

    @Flag(help: "Print JSON: {\"total\": N, \"hits\": [{\"id\", \"score\", ...}]}.")
    var json = false

    @Flag(help: "Print the Xapian query the search compiles to.")
    var explain = false

    @Option(help: ArgumentHelp("Run every query of FILE (one a line) and print one JSON line each, with elapsed_ms.", valueName: "FILE"))
    var queries: String?

    @Argument(help: "The query.")
    var query: String?

    func validate() throws {
        if query == nil && queries == nil { throw ValidationError("give a QUERY (or --queries FILE)") }
        if limit < 0 || limit > 100_000 { throw ValidationError("--limit must be between 0 and 100000") }
        if offset < 0 { throw ValidationError("--offset must not be negative") }
        if SearchSort(rawValue: sort) == nil { throw ValidationError("--sort must be relevance, newest or oldest") }
    }

    func run() throws {
        try reportingErrors {
            let searcher = try Searcher(path: index.resolved)
            let sortOrder = SearchSort(rawValue: sort) ?? .relevance
            if let queries {
                guard let text = try? String(contentsOfFile: queries, encoding: .utf8) else {
                    throw CommandFailure(message: "cannot read the query file '\(queries)'")
                }
                for line in text.split(whereSeparator: \.isNewline) where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    let q = String(line)
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    do {
                        let r = try searcher.search(SearchRequest(query: q, limit: limit, offset: offset, sort: sortOrder,
                                                                  collapse: collapse))
                        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                        var obj = resultJSON(r, includePosts: false)
                        obj.insert(("query", .string(q)), at: 0)
                        obj.append(("elapsed_ms", .double((ms * 1000).rounded() / 1000)))
                        emit(JSONValue.object(obj).jsonText)
                    } catch {
                        emit(JSONValue.object([("query", .string(q)), ("error", .string("\(error)"))]).jsonText)
                    }
                }
                return
            }
            let q = query ?? ""
            if explain {
                do {
                    let compiled = try searcher.compile(q)
                    printError("query: \(compiled)")
                } catch let e as QuerySyntaxError {
                    throw CommandFailure(message: "\(e)", code: 2)
                }
            }
            let result: SearchResult
            do {
                result = try searcher.search(SearchRequest(query: q, limit: limit, offset: offset, sort: sortOrder,
                                                           collapse: collapse))
            } catch let e as QuerySyntaxError {
                throw CommandFailure(message: "bad query: \(e)", code: 2)
            } catch let e as QueryCompileError {
                throw CommandFailure(message: "bad query: \(e)", code: 2)
            }
            if json {
                emit(JSONValue.object(resultJSON(result, includePosts: true)).jsonText)
            } else {
                printHuman(result)
            }
        }
    }

    private func resultJSON(_ r: SearchResult, includePosts: Bool) -> [(String, JSONValue)] {
        let hits: [JSONValue] = r.hits.map { h in
            var o: [(String, JSONValue)] = [("id", .string(h.id)), ("score", .double(h.score)), ("rank", .int(Int64(h.rank)))]
            if collapse { o.append(("collapsed", .int(Int64(h.collapsed)))) }
            if includePosts, let p = h.post {
                o.append(("text", .string(p.text)))
                if let a = p.author { o.append(("author", .string(a))) }
                if let t = p.createdAt { o.append(("created_at", .string(PostTime.iso8601(t)))) }
                o.append(("post", p.nativeJSON))
            }
            return .object(o)
        }
        return [("total", .int(Int64(r.total))), ("total_lower_bound", .int(Int64(r.totalLowerBound))),
                ("total_upper_bound", .int(Int64(r.totalUpperBound))), ("hits", .array(hits))]
    }

    private func printHuman(_ r: SearchResult) {
        let about = r.totalLowerBound == r.totalUpperBound ? "\(r.total)" : "about \(r.total)"
        emit("\(about) posts match; showing \(r.hits.count) from \(offset + 1)")
        for h in r.hits {
            let p = h.post
            var head = "\(h.rank + 1). [\(h.id)]"
            if let a = p?.author { head += " @\(a)" }
            if let t = p?.createdAt { head += " \(PostTime.iso8601(t))" }
            head += String(format: "  score %.3f", h.score)
            if collapse && h.collapsed > 0 { head += "  (+\(h.collapsed) similar)" }
            emit(head)
            let text = (p?.text ?? "").replacingOccurrences(of: "\n", with: " ")
            emit("   " + (text.count > 280 ? String(text.prefix(277)) + "…" : text))
        }
    }
}
