// `starling search`: run a query (or a file of queries) against an index.
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingQuery
import StarlingService
import XapianKit

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

    @OptionGroup var shards: ShardOptions

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

    @Option(help: ArgumentHelp("Also count the top values of these facets over the matches: a comma-separated list of hashtags, mentions, cashtags, domains, entities, languages, authors.", valueName: "LIST"))
    var facets: String?

    @Option(help: ArgumentHelp("Values per facet.", valueName: "N"))
    var facetSize: Int = 10

    @Option(help: ArgumentHelp("Term facets are counted over the best N matches (value facets over all).", valueName: "N"))
    var facetSample: Int = 10_000

    @Option(help: ArgumentHelp("Also count the matches per hour, day or week (UTC).", valueName: "INTERVAL"))
    var histogram: String?

    @Argument(help: "The query.")
    var query: String?

    /// The facets asked for, checked.
    private var facetList: [Facet] {
        get throws {
            guard let facets else { return [] }
            return try facets.split(separator: ",").map { name in
                let n = name.trimmingCharacters(in: .whitespaces)
                guard let f = Facet(rawValue: n) else {
                    throw ValidationError("unknown facet '\(n)'; known: " + Facet.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return f
            }
        }
    }

    func validate() throws {
        if query == nil && queries == nil { throw ValidationError("give a QUERY (or --queries FILE)") }
        try shards.validate(with: index)
        if limit < 0 || limit > 100_000 { throw ValidationError("--limit must be between 0 and 100000") }
        if offset < 0 { throw ValidationError("--offset must not be negative") }
        if SearchSort(rawValue: sort) == nil { throw ValidationError("--sort must be relevance, newest or oldest") }
        _ = try facetList
        if facetSize < 1 || facetSample < 1 { throw ValidationError("--facet-size and --facet-sample must be at least 1") }
        if let histogram, HistogramInterval(rawValue: histogram) == nil {
            throw ValidationError("--histogram must be hour, day or week")
        }
    }

    func run() throws {
        try reportingErrors {
            let searcher = Searcher(database: try shards.open(orIndex: index), analyzer: try Analyzer())
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
                    printError("query: \(try description(of: compiled))")
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
            // Facets and the histogram count over the same compiled query as the hits.
            var extra: [(String, JSONValue)] = []
            let wanted = try facetList
            if !wanted.isEmpty || histogram != nil {
                let compiled = try searcher.compile(q)
                if !wanted.isEmpty {
                    extra.append(("facets", try Analytics.facets(database: searcher.database, query: compiled,
                                                                 facets: wanted, size: facetSize, sample: facetSample)))
                }
                if let histogram, let interval = HistogramInterval(rawValue: histogram) {
                    do {
                        extra.append(("histogram", try Analytics.histogram(database: searcher.database, query: compiled,
                                                                           interval: interval, maxBuckets: 100_000)))
                    } catch let e as APIError {
                        throw CommandFailure(message: e.message)
                    }
                }
            }
            if json {
                emit(JSONValue.object(resultJSON(result, includePosts: true) + extra).jsonText)
            } else {
                printHuman(result)
                for (key, value) in extra { printAnalytics(key, value) }
            }
        }
    }

    private func resultJSON(_ r: SearchResult, includePosts: Bool) -> [(String, JSONValue)] {
        let hits: [JSONValue] = r.hits.map { h in
            var o: [(String, JSONValue)] = [("id", .string(h.id)), ("score", .double(h.score)), ("rank", .int(Int64(h.rank)))]
            if collapse { o.append(("collapsed", .int(Int64(h.collapsed)))) }
            if includePosts, let p = h.post { o += postJSONFields(p) }
            return .object(o)
        }
        return [("total", .int(Int64(r.total))), ("total_lower_bound", .int(Int64(r.totalLowerBound))),
                ("total_upper_bound", .int(Int64(r.totalUpperBound))), ("hits", .array(hits))]
    }

    /// Facets as `name: value (count), ...` lines; the histogram as one `start count bar` line per bucket.
    private func printAnalytics(_ key: String, _ value: JSONValue) {
        guard case .object(let fields) = value else { return }
        let get = { (name: String) in fields.first { $0.0 == name }?.1 }
        if key == "facets", case .object(let facets)? = get("facets") {
            if case .bool(false)? = get("exact"), case .int(let n)? = get("sampled") {
                emit("facets (term facets over the best \(n) matches):")
            } else {
                emit("facets:")
            }
            for (name, list) in facets {
                guard case .array(let items) = list else { continue }
                let shown = items.compactMap { item -> String? in
                    guard case .object(let f) = item, case .string(let v)? = f.first(where: { $0.0 == "value" })?.1,
                          case .int(let c)? = f.first(where: { $0.0 == "count" })?.1 else { return nil }
                    return "\(v) (\(c))"
                }
                emit("  \(name): " + (shown.isEmpty ? "-" : shown.joined(separator: ", ")))
            }
        } else if key == "histogram", case .array(let buckets)? = get("buckets") {
            var rows: [(String, Int64)] = []
            for b in buckets {
                guard case .object(let f) = b, case .string(let start)? = f.first(where: { $0.0 == "start" })?.1,
                      case .int(let c)? = f.first(where: { $0.0 == "count" })?.1 else { continue }
                rows.append((start, c))
            }
            let top = max(1, rows.map(\.1).max() ?? 1)
            if case .string(let interval)? = get("interval") { emit("posts per \(interval):") }
            for (start, c) in rows {
                emit("  \(start) \(String(repeating: " ", count: max(0, 7 - String(c).count)))\(c) "
                     + String(repeating: "#", count: Int((Double(c) / Double(top) * 40).rounded(.up))))
            }
            if case .int(let undated)? = get("undated"), undated > 0 { emit("  (\(undated) without a time)") }
        }
    }

    private func printHuman(_ r: SearchResult) {
        let about = r.totalLowerBound == r.totalUpperBound ? "\(r.total)" : "about \(r.total)"
        if r.hits.isEmpty {
            emit(offset == 0 || r.totalUpperBound == 0 ? "No post matches."
                 : "\(about) posts match; none past the first \(offset) (--offset \(offset))")
        } else {
            emit("\(about) posts match; showing \(offset + 1)-\(offset + r.hits.count)")
        }
        for h in r.hits {
            var head = hitHead(rank: h.rank + 1, id: h.id, post: h.post)
            head += String(format: "  score %.3f", h.score)
            if collapse && h.collapsed > 0 { head += "  (+\(h.collapsed) similar)" }
            emit(head)
            emitPostText(h.post?.text)
        }
    }
}
