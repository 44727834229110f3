// Scale-out end to end: the PHEME tweets split in two indexes, each served by a real `xapian-tcpsrv` on a loopback
// port, searched as one with `starling search --shard` — the same totals, hits, scores and facet counts as the
// single index of all of them; `starling stats --shard` counts both; the refusals say what is wrong.
import Foundation
import StarlingTestSupport
import Testing

@Suite(.serialized) struct ShardSearchTests {
    static let pheme = "corpora/pheme/tweets-v1.jsonl"

    /// `search --json` as (total, id → score, the facets and histogram objects as sorted JSON).
    static func search(_ where: [String], _ query: String, extra: [String] = []) throws
        -> (total: Int, scores: [String: Double], facets: String) {
        let r = try Starling.run(["search", "--json", "--limit", "10000"] + `where` + extra + [query])
        try #require(r.status == 0, "\(`where`) \(query): \(r.stderr)")
        let o = try #require(jsonObject(r.stdout))
        var scores: [String: Double] = [:]
        for h in o["hits"] as? [[String: Any]] ?? [] {
            scores[h["id"] as? String ?? ""] = h["score"] as? Double ?? .nan
        }
        var facets = ""
        if let f = o["facets"] as? [String: Any], let inner = f["facets"] {
            facets = String(decoding: try JSONSerialization.data(withJSONObject: inner, options: [.sortedKeys]), as: UTF8.self)
        }
        if let h = o["histogram"] {
            facets += String(decoding: try JSONSerialization.data(withJSONObject: h, options: [.sortedKeys]), as: UTF8.self)
        }
        return (o["total"] as? Int ?? -1, scores, facets)
    }

    @Test(.enabled(if: SharedData.available && XapianServer.available,
                   "needs ../shared/data (PHEME tweets) and xapian-tcpsrv (Debian xapian-tools)"))
    func twoRemoteShardsAnswerLikeOneIndex() throws {
        let dir = try makeTempDir("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The single index of every tweet, as PhemeSearchTests built it.
        let whole = PhemeIndex.shared.indexPath
        let wholeRun = try #require(PhemeIndex.shared.indexResult, "the whole PHEME index could not be built")
        try #require(wholeRun.status == 0, Comment(rawValue: wholeRun.stderr))
        let wholeSummary = try #require(jsonObject(wholeRun.lines.last ?? ""))
        let wholeIndexed = try #require(wholeSummary["indexed"] as? Int)
        let wholeDocuments = try #require(wholeSummary["documents"] as? Int)
        // Two shards from one file with `index --partition`: each tweet in exactly one of them, by a hash of its id.
        // One-letter index names, relative to the working directory: `--index A` used to crash in Foundation.
        var held = 0
        for (k, name) in ["A", "B"].enumerated() {
            let r = try Starling.run(["index", "--index", name, "--quiet", "--json", "--partition", "\(k)/2",
                                      SharedData.path(Self.pheme)], in: dir)
            try #require(r.status == 0, Comment(rawValue: "index \(name): \(r.stderr)"))
            let summary = try #require(jsonObject(r.stdout))
            let documents = summary["documents"] as? Int ?? 0
            #expect(documents > 2_000 && documents < 2_800, "partition \(k)/2 holds \(documents) of 4,804")
            // Every post read is either indexed here or left to the other partition.
            #expect((summary["indexed"] as? Int ?? 0) + (summary["other_partitions"] as? Int ?? 0) == wholeIndexed)
            held += documents
        }

        let a = try XapianServer(database: dir.appendingPathComponent("A").path)
        defer { a.stop() }
        let b = try XapianServer(database: dir.appendingPathComponent("B").path)
        defer { b.stop() }
        let sharded = ["--shard", a.address, "--shard", b.address]
        // One remote shard and one folder on this machine mix too.
        let mixed = ["--shard", a.address, "--shard", dir.appendingPathComponent("B").path]

        let queries = ["police", "#charliehebdo", "lang:en shooting", "\"hostage situation\"", "has:url -is:reshare sydney",
                       "ferguson OR ottawa", "since:2014-10-22 until:2014-10-23 parliament"]
        var compared = 0
        for q in queries {
            let one = try Self.search(["--index", whole], q)
            #expect(one.total > 0, "\(q) finds nothing in the whole index")
            for shards in [sharded, mixed] {
                let many = try Self.search(shards, q)
                #expect(many.total == one.total, "\(q): \(many.total) over shards, \(one.total) in one index")
                #expect(Set(many.scores.keys) == Set(one.scores.keys), "\(q): other hits over shards")
                for (id, score) in one.scores {
                    let other = many.scores[id] ?? .nan
                    #expect(abs(other - score) <= 1e-9 * max(1, abs(score)), "\(q) \(id): score \(other) against \(score)")
                }
                compared += one.scores.count
            }
        }
        #expect(compared > 1_000)
        // Facets (value facets over every match, term facets over the best ones) and the matches per day.
        let facetArgs = ["--facets", "hashtags,mentions,languages,authors", "--facet-sample", "100000", "--histogram", "day"]
        let oneFacets = try Self.search(["--index", whole], "police OR shooting", extra: facetArgs).facets
        #expect(oneFacets.contains("\"hashtags\"") && oneFacets.contains("\"buckets\""))
        #expect(try Self.search(sharded, "police OR shooting", extra: facetArgs).facets == oneFacets)
        // The newest first over both shards, in the same order as one index (times are distinct enough here).
        let newestOne = try Starling.run(["search", "--json", "--index", whole, "--sort", "newest", "--limit", "20", "police"])
        let newestMany = try Starling.run(["search", "--json", "--sort", "newest", "--limit", "20", "police"] + sharded)
        let order = { (r: CommandResult) in ((jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []).compactMap { $0["created_at"] as? String } }
        #expect(order(newestOne).count == 20)
        #expect(order(newestMany) == order(newestOne))

        // Similar posts over the shards: the same neighbours and cosines as in one index (by text and by id).
        for probe in [["--text", "police shooting in ferguson"], ["--text", "hostage siege in sydney cafe"]] {
            let one = try Starling.run(["similar", "--json", "--limit", "10", "--index", whole] + probe)
            let many = try Starling.run(["similar", "--json", "--limit", "10"] + sharded + probe)
            try #require(one.status == 0 && many.status == 0, Comment(rawValue: one.stderr + many.stderr))
            let hits = { (r: CommandResult) in
                ((jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []).map {
                    "\($0["id"] as? String ?? "") \(String(format: "%.9f", $0["score"] as? Double ?? -1))"
                }
            }
            #expect(hits(one).count == 10)
            #expect(hits(many) == hits(one), "\(probe)")
            let first = try #require(hits(one).first?.split(separator: " ").first.map(String.init))
            let byID = try Starling.run(["similar", "--json", "--limit", "5", first] + sharded)
            #expect(hits(byID) == hits(try Starling.run(["similar", "--json", "--limit", "5", "--index", whole, first])))
        }

        let stats = try Starling.run(["stats", "--json"] + sharded)
        try #require(stats.status == 0, Comment(rawValue: stats.stderr))
        let s = try #require(jsonObject(stats.stdout))
        #expect(s["documents"] as? Int == held)
        #expect(held == wholeDocuments, "the two partitions hold every tweet once")
        #expect((s["shards"] as? [String]) == [a.address, b.address])
    }

    /// Copies that landed in different shards are found and folded as in one index: the Davidson tweets (thousands
    /// of `RT @x:` copies and copy-pasted insults) in one index and in two partitions (copies spread by id), over a
    /// remote shard and a folder. `search --collapse` folds them into one hit; `duplicates ID` finds them (exactly
    /// as one index over folders, through a word search on a remote shard); `duplicates --clusters` joins the
    /// clusters each shard made of one text.
    @Test(.enabled(if: SharedData.available && XapianServer.available,
                   "needs ../shared/data (Davidson tweets) and xapian-tcpsrv (Debian xapian-tools)"))
    func copiesAcrossShardsAreFoundAndFolded() throws {
        let dir = try makeTempDir("shard-collapse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = SharedData.path("corpora/davidson/labeled_data.csv")
        for (name, partition) in [("whole", [String]()), ("A", ["--partition", "0/2"]), ("B", ["--partition", "1/2"])] {
            let r = try Starling.run(["index", "--index", name, "--quiet", "--map", "id=1,text=tweet"] + partition + [csv],
                                     in: dir)
            try #require(r.status == 0, Comment(rawValue: "index \(name): \(r.stderr)"))
        }
        let a = try XapianServer(database: dir.appendingPathComponent("A").path)
        defer { a.stop() }
        let sharded = ["--shard", a.address, "--shard", dir.appendingPathComponent("B").path]
        let whole = ["--index", dir.appendingPathComponent("whole").path]
        /// The page as (id, score, posts it stands for, its text with links, punctuation and case taken away).
        func page(_ where: [String], _ query: String) throws -> [(id: String, score: Double, posts: Int, text: String)] {
            let r = try Starling.run(["search", "--json", "--collapse", "--limit", "100"] + `where` + [query])
            try #require(r.status == 0, Comment(rawValue: r.stderr))
            return ((jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []).map { h in
                let text = (h["text"] as? String ?? "").split(separator: " ").filter { !$0.hasPrefix("http") }
                    .joined(separator: " ").lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }
                return (h["id"] as? String ?? "", h["score"] as? Double ?? .nan, 1 + (h["collapsed"] as? Int ?? 0),
                        String(String.UnicodeScalarView(text)))
            }
        }
        var shown = 0, sameHits = 0, postsOne = 0, postsMany = 0
        for q in ["bitch", "pussy", "hoes", "charlie", "bird", "trash", "lol", "yankees"] {
            let one = try page(whole, q), many = try page(sharded, q)
            #expect(one.count == 100 || one.count == many.count, "\(q): \(one.count) hits in one index, \(many.count) over shards")
            // No text twice on a page: copies in two shards are one hit with their posts counted together.
            let texts = many.map(\.text).filter { !$0.isEmpty }
            #expect(Set(texts).count == texts.count, "\(q): a text shown twice over shards")
            // The same best hits (up to which of two equal copies stands for them) with the same scores.
            let scores = Dictionary(one.map { ($0.id, $0.score) }, uniquingKeysWith: { x, _ in x })
            sameHits += many.filter { h in scores[h.id].map { abs($0 - h.score) <= 1e-9 * max(1, $0) } ?? false }.count
            shown += many.count
            postsOne += one.reduce(0) { $0 + $1.posts }
            postsMany += many.reduce(0) { $0 + $1.posts }
        }
        #expect(shown > 500)
        #expect(Double(sameHits) >= 0.97 * Double(shown), "\(sameHits) of \(shown) hits over shards are those of one index")
        // The posts the page stands for: a copy joins its cluster's hit rather than showing up lower down.
        #expect(abs(postsMany - postsOne) <= postsOne / 50, "\(postsMany) posts over shards, \(postsOne) in one index")

        // The largest clusters: each shard's clusters of one text joined.
        func clusters(_ where: [String]) throws -> [String] {
            let r = try Starling.run(["duplicates", "--json", "--clusters", "--limit", "30"] + `where`)
            try #require(r.status == 0, Comment(rawValue: r.stderr))
            return ((jsonObject(r.stdout)?["clusters"] as? [[String: Any]]) ?? []).map {
                "\($0["id"] as? String ?? "") \($0["size"] as? Int ?? 0)"
            }
        }
        let oneClusters = try clusters(whole)
        try #require(oneClusters.count == 30)
        #expect(try Array(clusters(sharded).prefix(5)) == Array(oneClusters.prefix(5)))
        let folders = ["--shard", dir.appendingPathComponent("A").path, "--shard", dir.appendingPathComponent("B").path]
        // The near-duplicates of the first posts of those clusters, by id: the same as one index over folders (the
        // bucket files), a subset missing little over a remote shard (a word search proposes its candidates).
        func duplicates(_ where: [String], _ id: String) throws -> Set<String> {
            let r = try Starling.run(["duplicates", "--json", "--limit", "100000"] + `where` + [id])
            try #require(r.status == 0, Comment(rawValue: r.stderr))
            return Set(((jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
        }
        var truth = 0, foundRemote = 0, similarChecked = 0
        for probe in oneClusters.prefix(12).compactMap({ $0.split(separator: " ").first.map(String.init) }) {
            let one = try duplicates(whole, probe)
            #expect(!one.isEmpty, "\(probe) heads a cluster but has no near-duplicate")
            #expect(try duplicates(folders, probe) == one, "\(probe): other near-duplicates over folder shards")
            let remote = try duplicates(sharded, probe)
            #expect(remote.isSubset(of: one), "\(probe): \(remote.subtracting(one)) are not near-duplicates")
            truth += one.count
            foundRemote += remote.intersection(one).count
            // Similar posts leave the post's copies out over shards as in one index, though the other shard filed
            // them in a cluster of its own (fast path over folders, matcher path with a remote shard).
            for w in [folders, sharded] {
                let r = try Starling.run(["similar", "--json", "--limit", "10"] + w + [probe])
                try #require(r.status == 0, Comment(rawValue: r.stderr))
                let ids = Set(((jsonObject(r.stdout)?["hits"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String })
                #expect(!ids.isEmpty && ids.isDisjoint(with: one), "\(probe): copies among similar posts: \(ids.intersection(one))")
                similarChecked += 1
            }
        }
        #expect(similarChecked == 24)
        #expect(truth > 100, "\(truth) near-duplicates of the 12 largest clusters' first posts")
        #expect(Double(foundRemote) >= 0.95 * Double(truth), "over a remote shard \(foundRemote) of \(truth) found")
        let unknown = try Starling.run(["duplicates"] + sharded + ["no-such-post"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no post with id 'no-such-post' in any shard"))
    }

    @Test func refusalsSayWhatIsWrong() throws {
        let both = try Starling.run(["search", "--index", "x", "--shard", "127.0.0.1:1", "police"])
        #expect(both.status != 0)
        #expect(both.stderr.contains("give --index or --shard, not both"))
        let port = try XapianServer.freeLoopbackPort()
        let gone = try Starling.run(["search", "--shard", "127.0.0.1:\(port)", "--shard-timeout", "2", "police"])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("shard 127.0.0.1:\(port) cannot be reached"), Comment(rawValue: gone.stderr))
        let stats = try Starling.run(["stats", "--shard", "127.0.0.1:\(port)", "--shard-timeout", "2"])
        #expect(stats.status == 1)
        let missing = try Starling.run(["search", "--shard", "/nonexistent/starling-shard", "police"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no index at '/nonexistent/starling-shard'"))
    }
}
