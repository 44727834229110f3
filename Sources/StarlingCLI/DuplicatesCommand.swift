// `starling duplicates`: the near-duplicates of a post or a text, and the largest reshare / copy-paste cascades.
// Hidden options serve tools/dup-eval: dumping shingles, timing the algorithm in memory, listing every pair
// the index reports, and timing lookups.
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingDuplicates
import StarlingIndex
import StarlingModel

struct DuplicatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "duplicates",
        abstract: "List near-duplicates of a post or text, or the largest clusters of copies.",
        discussion: """
            Near-duplicates share at least --threshold of their word 3-shingles (exact Jaccard), ignoring the
            RT prefix, @mentions and links. Found through MinHash LSH buckets stored in the index.
            Examples: starling duplicates 500311153583853570
                      starling duplicates --text 'Breaking: police in Ferguson ...'
                      starling duplicates --clusters --limit 20
                      starling duplicates --shard a.example:33001 --shard b.example:33001 500311153583853570
            Over shards (--shard), a shard folder on this machine is asked through its bucket file as one index is;
            a remote shard (xapian-tcpsrv) serves no bucket file, so its candidates are the posts with the same
            shingle set and the clusters of the best posts of a search for the text's words: what that search does
            not rank high enough is missed. --clusters joins clusters whose first posts are near-duplicates.
            """
    )

    @OptionGroup var index: IndexPathOption

    @OptionGroup var shards: ShardOptions

    @Option(help: "Hits (or clusters) to return.")
    var limit: Int = 10

    @Option(help: ArgumentHelp("Minimum exact Jaccard similarity in (0, 1] (default: the index's, 0.7); below "
                               + "about 0.6 the buckets miss many pairs.", valueName: "J"))
    var threshold: Double?

    @Flag(help: "Print JSON: {\"total\": N, \"hits\": [{\"id\", \"score\", \"jaccard\", ...}]}.")
    var json = false

    @Option(help: "Find near-duplicates of TEXT instead of a post.")
    var text: String?

    @Flag(help: "List the largest clusters: size, first post and author, time span, top authors.")
    var clusters = false

    @Argument(help: "The id of a post in the index.")
    var id: String?

    // MARK: tools/dup-eval (hidden)

    @Option(help: .hidden)
    var allPairs: String?

    @Option(help: .hidden)
    var latency: Int?

    @Option(help: .hidden)
    var bench: String?

    @Option(help: .hidden)
    var shinglesOut: String?

    @Option(help: .hidden)
    var pairsOut: String?

    @Option(help: .hidden)
    var shingle: String = "word3"

    @Option(help: .hidden)
    var permutations: Int?

    @Option(help: .hidden)
    var bands: Int?

    @Option(help: .hidden)
    var rows: Int?

    func validate() throws {
        let modes = [id != nil, text != nil, clusters, allPairs != nil, latency != nil, bench != nil]
            .filter { $0 }.count
        if modes != 1 { throw ValidationError("give exactly one of ID, --text TEXT or --clusters") }
        if limit < 0 || limit > 100_000 { throw ValidationError("--limit must be between 0 and 100000") }
        if let threshold, !(threshold > 0 && threshold <= 1) {
            throw ValidationError("--threshold must be in (0, 1]")
        }
        if ShingleKind(shingle) == nil { throw ValidationError("--shingle must be wordN or charN") }
        try shards.validate(with: index)
        if !shards.addresses.isEmpty && (allPairs != nil || latency != nil || bench != nil) {
            throw ValidationError("the evaluation modes run on one index: give --index, not --shard")
        }
    }

    /// The settings of the in-memory benchmark (`--bench`); index queries use the index's own.
    private var parameters: DuplicateParameters {
        let std = DuplicateParameters.standard
        let b = bands ?? std.lsh.bands
        let r = rows ?? std.lsh.rows
        return DuplicateParameters(shingles: ShingleKind(shingle) ?? std.shingles,
                                   permutations: permutations ?? max(std.permutations, b * r),
                                   lsh: LSHBands(bands: b, rows: r), threshold: threshold ?? std.threshold)
    }

    func run() throws {
        try reportingErrors {
            if let bench { return try runBench(bench) }
            let searcher: any NearDuplicateQueries
            if shards.addresses.isEmpty {
                let one = try DuplicateSearcher(path: index.resolved, threshold: threshold)
                if let allPairs { return try runAllPairs(one, out: allPairs) }
                if let latency { return try runLatency(one, queries: latency) }
                searcher = one
            } else {
                searcher = try ShardedDuplicateSearcher(shards: shards.parsed, threshold: threshold,
                                                        timeout: shards.shardTimeout)
            }
            if clusters { return try printClusters(try searcher.largestClusters(limit: limit, topAuthors: 3)) }
            let result: DuplicateResult
            if let text {
                result = try searcher.duplicates(ofText: text, limit: limit)
            } else {
                do {
                    result = try searcher.duplicates(ofPost: id ?? "", limit: limit)
                } catch let e as DuplicateQueryError {
                    let message = e.description
                    throw CommandFailure(message: shards.addresses.isEmpty ? message
                                         : message.replacingOccurrences(of: "in the index", with: "in any shard"))
                }
            }
            if json {
                emit(JSONValue.object(resultJSON(result)).jsonText)
            } else {
                printHuman(result)
            }
        }
    }

    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    private func resultJSON(_ r: DuplicateResult) -> [(String, JSONValue)] {
        let hits: [JSONValue] = r.hits.map { h in
            var o: [(String, JSONValue)] = [("id", .string(h.id)), ("score", .double(round3(h.jaccard))),
                                            ("jaccard", .double(round3(h.jaccard))),
                                            ("estimated_jaccard", .double(round3(h.estimatedJaccard))),
                                            ("cluster", .string(h.cluster))]
            if let p = h.post { o += postJSONFields(p) }
            return .object(o)
        }
        var out: [(String, JSONValue)] = [("total", .int(Int64(r.total))), ("hits", .array(hits))]
        if let c = r.cluster { out.append(("cluster", .string(c))) }
        return out
    }

    private func printHuman(_ r: DuplicateResult) {
        var head = "\(r.total) near-duplicate\(r.total == 1 ? "" : "s")"
        if let c = r.cluster { head += " (cluster \(c))" }
        emit(head + (r.hits.count < r.total ? "; showing \(r.hits.count)" : ""))
        for (k, h) in r.hits.enumerated() {
            emit(hitHead(rank: k + 1, id: h.id, post: h.post)
                 + String(format: "  jaccard %.3f (estimated %.3f)", h.jaccard, h.estimatedJaccard))
            emitPostText(h.post?.text)
        }
    }

    private func printClusters(_ list: [ClusterSummary]) throws {
        if json {
            let items: [JSONValue] = list.map { c in
                var o: [(String, JSONValue)] = [("id", .string(c.id)), ("size", .int(Int64(c.size)))]
                if let p = c.first {
                    o.append(("text", .string(p.text)))
                    o.append(("author", p.author.map { .string($0) } ?? .null))
                }
                o.append(("first_seen", c.firstSeen.map { .string(PostTime.iso8601($0)) } ?? .null))
                o.append(("last_seen", c.lastSeen.map { .string(PostTime.iso8601($0)) } ?? .null))
                o.append(("span_seconds", (c.firstSeen != nil && c.lastSeen != nil)
                          ? .double(c.lastSeen!.timeIntervalSince(c.firstSeen!)) : .null))
                o.append(("top_authors", .array(c.topAuthors.map {
                    .object([("author", .string($0.author)), ("posts", .int(Int64($0.posts)))])
                })))
                return .object(o)
            }
            emit(JSONValue.object([("total", .int(Int64(list.count))), ("clusters", .array(items))]).jsonText)
            return
        }
        if list.isEmpty { emit("no clusters of two or more posts"); return }
        for (k, c) in list.enumerated() {
            var line = "\(k + 1). \(c.size) posts, first [\(c.id)]"
            if let a = c.first?.author { line += " @\(a)" }
            if let f = c.firstSeen, let l = c.lastSeen {
                line += " \(PostTime.iso8601(f)) .. \(PostTime.iso8601(l))"
                line += " (\(Self.span(l.timeIntervalSince(f))))"
            }
            emit(line)
            if !c.topAuthors.isEmpty {
                emit("   top authors: " + c.topAuthors.map { "@\($0.author) (\($0.posts))" }.joined(separator: ", "))
            }
            if let text = c.first?.text.replacingOccurrences(of: "\n", with: " ") {
                emit("   " + (text.count > 200 ? String(text.prefix(197)) + "…" : text))
            }
        }
    }

    static func span(_ seconds: Double) -> String {
        if seconds < 120 { return "\(Int(seconds))s" }
        if seconds < 7200 { return "\(Int(seconds / 60))min" }
        if seconds < 172_800 { return String(format: "%.1fh", seconds / 3600) }
        return String(format: "%.1fd", seconds / 86400)
    }

    // MARK: - Evaluation modes

    /// Every pair the index reports, one `idA<TAB>idB<TAB>jaccard` line (idA < idB byte-wise), found by querying
    /// each distinct shingle set once.
    private func runAllPairs(_ searcher: DuplicateSearcher, out path: String) throws {
        let db = searcher.database
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure(message: "cannot write '\(path)'")
        }
        defer { try? handle.close() }
        let t0 = Date()
        var ids: [UInt32: String] = [:]
        var groups: [[UInt32]: [UInt32]] = [:]
        let last = try db.lastDocID()
        if last > 0 {
            for d in 1...last {
                guard let doc = try? db.document(d) else { continue }
                ids[d] = (try? StoredPost.decode(doc.dataBytes))?["id"]?.stringValue ?? ""
                let s = try DuplicateClusterWriter.shingles(stored: doc.value(ValueSlot.shingles), db)
                if !s.isEmpty { groups[s, default: []].append(d) }
            }
        }
        var buffer = ""
        var pairs = 0
        var seen = Set<String>()
        for (shingles, group) in groups {
            let found = try searcher.matches(of: shingles, excluding: nil)
            for a in group {
                let ia = ids[a] ?? ""
                for (b, j, _) in found where b != a {
                    let ib = ids[b] ?? ""
                    let key = ia < ib ? ia + "\t" + ib : ib + "\t" + ia
                    if seen.insert(key).inserted {
                        buffer += key + "\t" + String(round3(j)) + "\n"
                        pairs += 1
                    }
                }
            }
            if buffer.utf8.count > 1 << 20 { handle.write(Data(buffer.utf8)); buffer = "" }
        }
        handle.write(Data(buffer.utf8))
        emit(JSONValue.object([("pairs", .int(Int64(pairs))), ("distinct_texts", .int(Int64(groups.count))),
                               ("seconds", .double(round3(Date().timeIntervalSince(t0))))]).jsonText)
    }

    /// Times `queries` lookups of seeded random posts (`duplicates ID` with --limit hits fetched).
    private func runLatency(_ searcher: DuplicateSearcher, queries: Int) throws {
        let db = searcher.database
        let last = try db.lastDocID()
        var rng = SplitMix(seed: 42)
        var times: [Double] = []
        var totalHits = 0
        var ids: [String] = []
        while ids.count < queries {
            let d = UInt32(1 + rng.next() % UInt64(max(1, last)))
            guard let doc = try? db.document(d),
                  let id = (try? StoredPost.decode(doc.dataBytes))?["id"]?.stringValue else { continue }
            ids.append(id)
        }
        for id in ids {
            let t = DispatchTime.now().uptimeNanoseconds
            let r = try searcher.duplicates(ofPost: id, limit: limit)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            totalHits += r.total
        }
        times.sort()
        func pct(_ p: Double) -> Double { times.isEmpty ? 0 : times[min(times.count - 1, Int(Double(times.count) * p))] }
        emit(JSONValue.object([("queries", .int(Int64(times.count))), ("documents", .int(Int64(try db.documentCount()))),
                               ("p50_ms", .double(round3(pct(0.5)))), ("p90_ms", .double(round3(pct(0.9)))),
                               ("p99_ms", .double(round3(pct(0.99)))), ("max_ms", .double(round3(times.last ?? 0))),
                               ("mean_hits", .double(round3(Double(totalHits) / Double(max(1, times.count)))))]).jsonText)
    }

    /// Reads native NDJSON, analyses and shingles every post, then times signatures + in-memory LSH (insert
    /// and query each post, as ingest does) on one core; optionally writes the shingles and the pairs found.
    private func runBench(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure(message: "cannot read '\(path)'")
        }
        let params = parameters
        let analyzer = try Analyzer()
        let shingler = params.shingler
        var ids: [String] = []
        var sets: [[UInt32]] = []
        let tRead = Date()
        var analyseSeconds = 0.0
        var shingleSeconds = 0.0
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let v = try? JSONParser.parse(Array(line)), let post = try? Post.fromNative(v) else { continue }
            let t1 = DispatchTime.now().uptimeNanoseconds
            let analysis = analyzer.analyze(post.text, links: post.urls)
            let t2 = DispatchTime.now().uptimeNanoseconds
            sets.append(shingler.shingles(analysis))
            let t3 = DispatchTime.now().uptimeNanoseconds
            analyseSeconds += Double(t2 - t1) / 1e9
            shingleSeconds += Double(t3 - t2) / 1e9
            ids.append(post.id)
        }
        let readSeconds = Date().timeIntervalSince(tRead)
        if let shinglesOut {
            var out = ""
            out.reserveCapacity(sets.count * 80)
            for (id, s) in zip(ids, sets) {
                out += id + "\t" + s.map(String.init).joined(separator: " ") + "\n"
            }
            try out.write(toFile: shinglesOut, atomically: true, encoding: .utf8)
        }
        // The timed part: signature, bucket keys, candidate query and insert, per post, one thread.
        var lsh = NearDuplicateIndex(parameters: params)
        let hasher = params.lshHasher
        var groupPairs: [(Int, Int, Double)] = []  // (group, group, jaccard)
        var groupOf = [Int](repeating: -1, count: sets.count)
        var candidates = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        for (i, s) in sets.enumerated() where !s.isEmpty {
            if let g = lsh.group(of: s) {
                _ = lsh.insert(item: i, shingles: s)
                groupOf[i] = g
                continue
            }
            let sig = hasher.signature(s)
            let keys = params.lsh.keys(sig)
            var near: [(Int, Double)] = []
            for c in lsh.candidates(keys: keys) {
                candidates += 1
                let j = Jaccard.exact(s, lsh.groups[c].shingles)
                if j >= params.threshold { near.append((c, j)) }
            }
            if let (g, _) = lsh.insert(item: i, shingles: s, signature: sig, keys: keys) {
                groupOf[i] = g
                for (h, j) in near { groupPairs.append((h, g, j)) }
            }
        }
        let lshSeconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        var pairCount = 0
        if let pairsOut {
            var out = ""
            let groups = lsh.groups
            func emitPairs(_ a: [Int], _ b: [Int], _ j: Double, same: Bool) {
                for (x, ia) in a.enumerated() {
                    for (y, ib) in b.enumerated() where !same || y > x {
                        let (p, q) = ids[ia] < ids[ib] ? (ids[ia], ids[ib]) : (ids[ib], ids[ia])
                        out += p + "\t" + q + "\t" + String(round3(j)) + "\n"
                        pairCount += 1
                    }
                }
            }
            for g in groups { emitPairs(g.members, g.members, 1, same: true) }
            for (a, b, j) in groupPairs { emitPairs(groups[a].members, groups[b].members, j, same: false) }
            try out.write(toFile: pairsOut, atomically: true, encoding: .utf8)
        }
        let n = sets.count
        emit(JSONValue.object([
            ("posts", .int(Int64(n))), ("shingles", .string(params.shingles.description)),
            ("permutations", .int(Int64(params.permutations))), ("bands", .int(Int64(params.lsh.bands))),
            ("rows", .int(Int64(params.lsh.rows))), ("threshold", .double(params.threshold)),
            ("distinct_sets", .int(Int64(lsh.groups.count))), ("pairs", .int(Int64(pairCount))),
            ("candidates_checked", .int(Int64(candidates))),
            ("read_analyse_seconds", .double(round3(readSeconds))),
            ("analyse_posts_per_s", .double((Double(n) / max(analyseSeconds, 1e-9)).rounded())),
            ("shingle_posts_per_s", .double((Double(n) / max(shingleSeconds, 1e-9)).rounded())),
            ("lsh_seconds", .double(round3(lshSeconds))),
            ("signature_lsh_posts_per_s", .double((Double(n) / max(lshSeconds, 1e-9)).rounded())),
            ("shingle_signature_lsh_posts_per_s",
             .double((Double(n) / max(lshSeconds + shingleSeconds, 1e-9)).rounded())),
        ]).jsonText)
    }
}

/// A tiny seeded generator, so sampled queries are the same in every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = StableHash.mix(state)
        return state
    }
}
