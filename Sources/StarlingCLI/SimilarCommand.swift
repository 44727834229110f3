// `starling similar`: posts like an indexed post or like a draft, by TF-IDF cosine (StarlingSimilar).
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingSimilar

struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Find posts similar to an indexed post (ID) or to a draft (--text), by TF-IDF cosine.",
        discussion: """
            Scores are cosines of sublinear-tf, smoothed-idf vectors over words, hashtag words, #hashtags, linked
            domains and entities, with the index's own statistics. The post itself, its author's other posts and
            its near-duplicate cluster are left out unless --include-author / --include-cluster.
            Business rules (--rules FILE, JSON) multiply scores: {"rules": [{"author": "bbcnews", "factor": 1.5},
            {"hashtag": "ad", "factor": 0}, {"domain": "example.com", "factor": 0.5}, {"entity": "Q42", "factor": 2}]}.
            Example: starling similar --lang en --since 2016-01-01 --limit 5 --json 500311153583853570
            """
    )

    @OptionGroup var index: IndexPathOption

    @OptionGroup var shards: ShardOptions

    @Option(help: "Hits to return.")
    var limit: Int = 10

    @Option(name: .customLong("min-score"), help: "Leave out hits whose cosine is below this (0...1).")
    var minScore: Double = 0

    @Option(help: ArgumentHelp("Find posts like this text (need not be indexed).", valueName: "TEXT"))
    var text: String?

    @Option(help: ArgumentHelp("Only posts in this language (lang:CODE).", valueName: "CODE"))
    var lang: String?

    @Option(help: ArgumentHelp("Only posts created on or after this day (UTC).", valueName: "YYYY-MM-DD"))
    var since: String?

    @Option(help: ArgumentHelp("Only posts created before this day (UTC).", valueName: "YYYY-MM-DD"))
    var until: String?

    @Option(help: ArgumentHelp("Only posts by this author (repeat for several).", valueName: "HANDLE"))
    var author: [String] = []

    @Option(help: ArgumentHelp("Only posts matching this query (Starling's query language).", valueName: "QUERY"))
    var filter: String?

    @Flag(name: .customLong("include-cluster"), help: "Keep posts of the query post's near-duplicate cluster.")
    var includeCluster = false

    @Flag(name: .customLong("include-author"), help: "Keep other posts by the query post's author.")
    var includeAuthor = false

    @Option(help: ArgumentHelp("Business rules (JSON) boosting or burying authors, hashtags, domains, entities.",
                               valueName: "FILE"))
    var rules: String?

    @Flag(help: "Score every post by brute force (slow; the reference for the fast path).")
    var exact = false

    @Flag(help: ArgumentHelp(
        "Take candidates from Xapian's matcher and re-score them (the default over remote shards, which the other paths read whole)."))
    var matcher = false

    @Option(help: ArgumentHelp(
        "Matcher path: posts re-scored by exact cosine (default: \(SimilarRequest.minimumCandidates) or \(SimilarRequest.candidatesPerHit) x --limit, the larger).",
        valueName: "N"))
    var candidates: Int = 0

    @Option(name: .customLong("explain-terms"), help: "Shared terms listed per hit.")
    var explainTerms: Int = 5

    @Option(name: .customLong("common-terms"), help: ArgumentHelp(
        "Fast path: words in more than this share of the posts only score what the other words find (1: none).",
        valueName: "SHARE"))
    var commonTerms: Double = 1

    @Option(name: .customLong("posting-budget"), help: ArgumentHelp(
        "Fast path: read the query's rarest words while their postings add up to at most N; the rest only score what those find (0: exact).",
        valueName: "N"))
    var postingBudget: Int = SimilarRequest.defaultPostingBudget

    @Flag(help: "Print JSON: {\"total\": N, \"hits\": [{\"id\", \"score\", \"explain\", ...}]}.")
    var json = false

    @Option(help: ArgumentHelp(
        "Run every query of FILE (a post id, or {\"id\": ...} / {\"text\": ...}, one a line); print one JSON line each with elapsed_ms.",
        valueName: "FILE"))
    var queries: String?

    @Argument(help: "The id of an indexed post.")
    var id: String?

    func validate() throws {
        let sources = (id == nil ? 0 : 1) + (text == nil ? 0 : 1) + (queries == nil ? 0 : 1)
        if sources != 1 { throw ValidationError("give exactly one of ID, --text TEXT or --queries FILE") }
        try shards.validate(with: index)
        if limit < 0 || limit > 10_000 { throw ValidationError("--limit must be between 0 and 10000") }
        if !(0...1).contains(minScore) { throw ValidationError("--min-score must be between 0 and 1") }
        if postingBudget < 0 { throw ValidationError("--posting-budget must not be negative") }
        if candidates < 0 { throw ValidationError("--candidates must not be negative") }
        if exact && matcher { throw ValidationError("give --exact or --matcher, not both") }
        if explainTerms < 0 { throw ValidationError("--explain-terms must not be negative") }
        for (name, day) in [("--since", since), ("--until", until)] {
            if let day, day.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) == nil {
                throw ValidationError("\(name) must be a day, YYYY-MM-DD")
            }
        }
    }

    /// The filters as one query in Starling's language.
    private var filterQuery: String? {
        var parts: [String] = []
        if let lang { parts.append("lang:\(lang)") }
        if let since { parts.append("since:\(since)") }
        if let until { parts.append("until:\(until)") }
        if !author.isEmpty {
            let froms = author.map { "from:\($0.hasPrefix("@") ? String($0.dropFirst()) : $0)" }
            parts.append(froms.count == 1 ? froms[0] : "(" + froms.joined(separator: " OR ") + ")")
        }
        if let filter { parts.append("(\(filter))") }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    private func request(_ source: SimilarSource, rules: SimilarRules) -> SimilarRequest {
        var r = SimilarRequest(source: source, limit: limit)
        r.minScore = minScore
        r.filter = filterQuery
        r.includeCluster = includeCluster
        r.includeAuthor = includeAuthor
        r.rules = rules
        if exact {
            r.mode = .exact
        } else if matcher || shards.parsed.contains(where: { $0.folder == nil }) {
            r.mode = .matcher  // a remote shard's posts can only be read one by one
        } else {
            r.mode = .fast
        }
        r.candidates = candidates
        r.explainTerms = explainTerms
        r.commonTerms = commonTerms
        r.postingBudget = postingBudget
        return r
    }

    func run() throws {
        try reportingErrors {
            let rules = try rules.map { try SimilarRules.load(path: $0) } ?? SimilarRules()
            // Over shards, each also opened on its own: the matcher path reads them side by side.
            let searcher = shards.addresses.isEmpty ? try SimilarSearcher(path: index.resolved)
                : try SimilarSearcher(database: try shards.open(orIndex: index), analyzer: try Analyzer(),
                                      shards: try IndexLocation.openEachShard(shards.parsed, timeout: shards.shardTimeout)
                                          .map(\.database))
            if let queries {
                try runBatch(queries, searcher: searcher, rules: rules)
                return
            }
            let source: SimilarSource = text.map { .text($0) } ?? .post(id: id ?? "")
            let result: SimilarResult
            do {
                result = try searcher.similar(request(source, rules: rules))
            } catch let e as SimilarError {
                throw CommandFailure(message: "\(e)", code: 2)
            }
            if json {
                emit(JSONValue.object(result.jsonValue(includePosts: true)).jsonText)
            } else {
                printHuman(result)
            }
        }
    }

    private func runBatch(_ path: String, searcher: SimilarSearcher, rules: SimilarRules) throws {
        guard let content = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CommandFailure(message: "cannot read the query file '\(path)'")
        }
        for raw in content.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            var source: SimilarSource = .post(id: line)
            var label: (String, JSONValue) = ("query", .string(line))
            if line.hasPrefix("{"), let v = try? JSONParser.parse(line) {
                if let t = v["text"]?.stringValue {
                    source = .text(t)
                    label = ("text", .string(t))
                } else if let i = v["id"]?.stringValue {
                    source = .post(id: i)
                    label = ("query", .string(i))
                }
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            do {
                let r = try searcher.similar(request(source, rules: rules))
                let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
                var obj = r.jsonValue(includePosts: false)
                obj.insert(label, at: 0)
                obj.append(("scored", .int(Int64(r.scored))))
                obj.append(("terms_read", .int(Int64(r.termsRead))))
                obj.append(("postings_read", .int(Int64(r.postingsRead))))
                obj.append(("elapsed_ms", .double((ms * 1000).rounded() / 1000)))
                emit(JSONValue.object(obj).jsonText)
            } catch {
                emit(JSONValue.object([label, ("error", .string("\(error)"))]).jsonText)
            }
        }
    }

    private func printHuman(_ r: SimilarResult) {
        emit("\(r.hits.count) similar posts (of about \(r.total) sharing a term)")
        if r.commonTerms > 0 {
            emit("(\(r.commonTerms) common words only scored the posts the rarer ones found; --posting-budget 0 is exact)")
        }
        for h in r.hits {
            var head = hitHead(rank: h.rank + 1, id: h.id, post: h.post)
            head += String(format: "  score %.3f", h.score)
            if h.score != h.cosine { head += String(format: " (cosine %.3f)", h.cosine) }
            emit(head)
            emitPostText(h.post?.text)
            if !h.explain.isEmpty {
                emit("   shared: " + h.explain.map { String(format: "%@ %.3f", $0.display, $0.weight) }.joined(separator: ", "))
            }
        }
    }
}
