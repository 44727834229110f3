// End-to-end ingest behaviour of the real binary: upserts, broken records, bad queries, formats from ../shared.
import Foundation
import Testing

@Suite struct IngestTests {
    private func native(_ id: String, _ text: String, extra: String = "") -> String {
        "{\"id\":\"\(id)\",\"text\":\"\(text)\"\(extra)}"
    }

    @Test func reimportingTheSameFileKeepsTheCount() throws {
        let dir = try makeTempDir("upsert")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("posts.jsonl")
        let lines = (1...50).map { native("p\($0)", "post number \($0) #tag\($0 % 5)") }
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let first = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(second.status == 0)
        let s = try #require(jsonObject(second.lines.last ?? ""))
        #expect(s["documents"] as? Int == 50)
        #expect(s["updated"] as? Int == 50)
        #expect(s["added"] as? Int == 0)
        // An update replaces the stored post.
        try native("p1", "changed text").write(to: file, atomically: true, encoding: .utf8)
        try Starling.run(["index", "--index", index, "--quiet", file.path])
        let r = try Starling.run(["search", "--index", index, "--json", "changed"])
        let hits = try #require(jsonObject(r.stdout)?["hits"] as? [[String: Any]])
        #expect(hits.map { $0["id"] as? String } == ["p1"])
        let old = try Starling.run(["search", "--index", index, "--json", "#tag1 number"])
        #expect(!(old.stdout.contains("\"p1\"")))
    }

    @Test func compactingKeepsEveryPostAndShrinksTheIndex() throws {
        let dir = try makeTempDir("compact")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("posts.jsonl")
        try (1...3000).map { native("c\($0)", "compact test post \($0) #tag\($0 % 7) word\($0 % 13)") }
            .joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        let before = try #require(jsonObject(r.lines.last ?? "")?["bytes_on_disk"] as? Int)
        let c = try Starling.run(["compact", "--index", index, "--json"])
        #expect(c.status == 0, "\(c.stderr)")
        let after = try #require(jsonObject(c.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["bytes_after"] as? Int)
        #expect(after < before)
        let q = try Starling.run(["search", "--index", index, "--json", "#tag3"])
        #expect(jsonObject(q.stdout)?["total"] as? Int == 3000 / 7 + (3000 % 7 >= 3 ? 1 : 0))
        // The compacted index is still writable.
        let again = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(jsonObject(again.lines.last ?? "")?["documents"] as? Int == 3000)
    }

    @Test func brokenLinesAreReportedAndTheRestIndexed() throws {
        let dir = try makeTempDir("broken")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("mixed.jsonl")
        var lines: [String] = []
        var bad: [Int] = []
        for i in 1...40 {
            switch i % 8 {
            case 1: lines.append("{\"id\": \"x\(i)\", \"text\": "); bad.append(i)          // malformed JSON
            case 3: lines.append("{\"text\": \"no id here\"}"); bad.append(i)              // missing id
            case 5: lines.append("{\"id\": \"y\(i)\", \"text\": 42}"); bad.append(i)       // wrong type
            default: lines.append(native("ok\(i)", "good post \(i)"))
            }
        }
        var data = Data(lines.joined(separator: "\n").utf8)
        data.append(contentsOf: [0x0A] + Array("{\"id\":\"latin\",\"text\":\"caf".utf8) + [0xE9] + Array("\"}".utf8))
        bad.append(41)
        data.append(contentsOf: Array("\n".utf8) + Array(native("last", "final good post").utf8))
        try data.write(to: file)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", "--quiet", file.path])
        #expect(r.status == 3, "a run with rejected records exits 3")
        let s = try #require(jsonObject(r.lines.last ?? ""))
        #expect(s["indexed"] as? Int == 41 - bad.count + 1)
        #expect(s["rejected"] as? Int == bad.count)
        for line in bad {
            #expect(r.stderr.contains("mixed.jsonl:\(line):"), "line \(line) not reported: \(r.stderr)")
        }
        #expect(r.stderr.contains("UTF-8"))
    }

    @Test func emptyFileAndMissingFile() throws {
        let dir = try makeTempDir("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.jsonl")
        try Data().write(to: empty)
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", "--quiet", "--format", "native", empty.path])
        // An empty file is reported (it is almost always a mistake) and the run says something was rejected.
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("empty.jsonl:1: the file is empty"))
        let missing = try Starling.run(["index", "--index", index, "--quiet", dir.appendingPathComponent("nope.jsonl").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nope.jsonl"))
    }

    /// `--index` must name a new folder, an empty one or an index: not a file, not a folder of someone's files
    /// (`--index .` by mistake would scatter Xapian's tables among them), not nothing; one letter is a fine name.
    @Test func theIndexFolderIsCheckedBeforeAnythingIsWritten() throws {
        let dir = try makeTempDir("index-folder")
        defer { try? FileManager.default.removeItem(at: dir) }
        let posts = dir.appendingPathComponent("posts.jsonl")
        try (native("a1", "first post") + "\n" + native("a2", "second post") + "\n").write(to: posts, atomically: true, encoding: .utf8)
        let blank = try Starling.run(["index", "--index", "", "--quiet", posts.path])
        #expect(blank.status == 1 && blank.stderr.contains("the index path is empty"), Comment(rawValue: blank.stderr))
        let file = try Starling.run(["index", "--index", posts.path, "--quiet", posts.path])
        #expect(file.status == 1 && file.stderr.contains("is a file, not an index folder"), Comment(rawValue: file.stderr))
        let here = try Starling.run(["index", "--index", ".", "--quiet", "posts.jsonl"], in: dir)
        #expect(here.status == 1 && here.stderr.contains("holds other files ('posts.jsonl', ...) and no index"),
                Comment(rawValue: here.stderr))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["posts.jsonl"], "nothing was written")
        let empty = dir.appendingPathComponent("E")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        for _ in 0..<2 {  // a new index in an empty folder, then the same index again
            let r = try Starling.run(["index", "--index", "E", "--quiet", "--json", "posts.jsonl"], in: dir)
            #expect(r.status == 0, Comment(rawValue: r.stderr))
        }
        let stats = try Starling.run(["stats", "--json", "--index", empty.path])
        #expect(jsonObject(stats.stdout)?["documents"] as? Int == 2)
    }

    @Test func theHumanOutputSaysWhichHitsItShows() throws {
        let dir = try makeTempDir("pages")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path
        try Starling.run(["index", "--index", index, "--quiet", "-"],
                         stdin: [native("a", "hello world"), native("b", "hello there"), native("c", "hello again")]
                            .joined(separator: "\n"))
        let first = try Starling.run(["search", "--index", index, "--limit", "2", "hello"])
        #expect(first.stdout.hasPrefix("3 posts match; showing 1-2\n"), "\(first.stdout)")
        let last = try Starling.run(["search", "--index", index, "--limit", "2", "--offset", "2", "hello"])
        #expect(last.stdout.hasPrefix("3 posts match; showing 3-3\n"), "\(last.stdout)")
        let past = try Starling.run(["search", "--index", index, "--offset", "5", "hello"])
        #expect(past.stdout.hasPrefix("3 posts match; none past the first 5"), "\(past.stdout)")
        let none = try Starling.run(["search", "--index", index, "goodbye"])
        #expect(none.status == 0)
        #expect(none.stdout.hasPrefix("No post matches."), "\(none.stdout)")
        // --explain shows Xapian's own description of the compiled query.
        let explained = try Starling.run(["search", "--index", index, "--explain", "hello -there"])
        #expect(explained.stderr.contains("query: Query((") && explained.stderr.contains(" AND_NOT "),
                "\(explained.stderr)")
    }

    @Test func malformedQueriesPointAtTheProblem() throws {
        let dir = try makeTempDir("badquery")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path
        try Starling.run(["index", "--index", index, "--quiet", "-"], stdin: native("a", "hello world"))
        for q in ["hello AND", "(hello", "\"hello", "since:2014-13-45", "has:video"] {
            let r = try Starling.run(["search", "--index", index, q])
            #expect(r.status == 2, "\(q) should be a syntax error")
            #expect(r.stderr.contains("column") || r.stderr.contains("^"), "\(q): \(r.stderr)")
        }
        let missing = try Starling.run(["search", "--index", dir.appendingPathComponent("none").path, "x"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("starling index"))
    }

    @Test func socialOperatorsOnASmallCorpus() throws {
        let dir = try makeTempDir("ops")
        defer { try? FileManager.default.removeItem(at: dir) }
        let posts = [
            native("1", "Protest in #Ferguson tonight", extra: ",\"author\":\"alice\",\"created_at\":\"2014-08-10T10:00:00Z\",\"lang\":\"en\""),
            native("2", "RT @alice: Protest in #Ferguson tonight", extra: ",\"author\":\"bob\",\"created_at\":\"2014-08-11T10:00:00Z\""),
            native("3", "ferguson news https://www.bbc.co.uk/news/x?utm_source=t 🔥", extra: ",\"author\":\"carol\",\"created_at\":\"2014-08-12T10:00:00Z\""),
            native("4", "I 👍🏽 $AAPL", extra: ",\"author\":\"dave\",\"reply_to\":\"3\""),
            native("5", "red big car", extra: ""),
            native("6", "red car", extra: ""),
        ]
        let index = dir.appendingPathComponent("idx").path
        let ir = try Starling.run(["index", "--index", index, "--quiet", "-"], stdin: posts.joined(separator: "\n"))
        #expect(ir.status == 0, "\(ir.stderr)")
        func ids(_ q: String, sort: String = "relevance") throws -> [String] {
            let r = try Starling.run(["search", "--index", index, "--json", "--limit", "50", "--sort", sort, q])
            #expect(r.status == 0, "\(q): \(r.stderr)")
            return (jsonObject(r.stdout)?["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(Set(try ids("#ferguson")) == ["1", "2"])
        #expect(Set(try ids("ferguson")) == ["1", "2", "3"])
        #expect(Set(try ids("#ferguson -is:reshare")) == ["1"])
        #expect(Set(try ids("is:reshare")) == ["2"])
        #expect(Set(try ids("is:reply")) == ["4"])
        #expect(Set(try ids("@alice")) == ["2"])
        #expect(Set(try ids("from:alice")) == ["1"])
        #expect(Set(try ids("domain:bbc.co.uk")) == ["3"])
        #expect(Set(try ids("has:url")) == ["3"])
        #expect(Set(try ids("$aapl")) == ["4"])
        #expect(Set(try ids("👍")) == ["4"])
        #expect(Set(try ids("🔥 OR 👍🏻")) == ["3", "4"])
        // 1 says so itself; the others are detected from their text; "I 👍🏽 $AAPL" has too little to tell.
        let english = Set(try ids("lang:en"))
        #expect(english.isSuperset(of: ["1", "2", "3"]) && !english.contains("4"), "\(english)")
        #expect(Set(try ids("lang:und")) == ["4"])
        #expect(Set(try ids("\"red car\"")) == ["6"])
        #expect(Set(try ids("red car")) == ["5", "6"])
        #expect(Set(try ids("(protest OR news) -from:bob")) == ["1", "3"])
        #expect(try ids("ferguson", sort: "newest") == ["3", "2", "1"])
        #expect(try ids("ferguson", sort: "oldest") == ["1", "2", "3"])
        #expect(Set(try ids("ferguson since:2014-08-11 until:2014-08-12")) == ["2"])
        // Facets and the histogram count the matches.
        let fr = try Starling.run(["search", "--index", index, "--json", "--facets", "hashtags,authors,domains",
                                   "--histogram", "day", "ferguson"])
        let fo = try #require(jsonObject(fr.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(fr.stderr)")
        let facets = try #require((fo["facets"] as? [String: Any])?["facets"] as? [String: [[String: Any]]])
        #expect(facets["hashtags"]?.first?["value"] as? String == "ferguson")
        #expect(facets["hashtags"]?.first?["count"] as? Int == 2)
        #expect(Set(facets["authors"]?.compactMap { $0["value"] as? String } ?? []) == ["alice", "bob", "carol"])
        #expect(facets["domains"]?.compactMap { $0["value"] as? String } == ["bbc.co.uk"])
        let buckets = (fo["histogram"] as? [String: Any])?["buckets"] as? [[String: Any]]
        #expect(buckets?.compactMap { $0["count"] as? Int } == [1, 1, 1])
        #expect(buckets?.first?["start"] as? String == "2014-08-10T00:00:00Z")
        let badFacet = try Starling.run(["search", "--index", index, "--facets", "colours", "ferguson"])
        #expect(badFacet.status != 0 && badFacet.stderr.contains("unknown facet 'colours'"))
        // Pagination: offset skips, total stays.
        let p1 = try Starling.run(["search", "--index", index, "--json", "--limit", "1", "--offset", "1", "--sort", "oldest", "ferguson"])
        let o = try #require(jsonObject(p1.stdout))
        #expect(o["total"] as? Int == 3)
        #expect((o["hits"] as? [[String: Any]])?.first?["id"] as? String == "2")
    }
}

@Suite(.enabled(if: SharedData.available, "../shared/data is absent: real-format import tests need it"))
struct RealFormatIngestTests {
    @Test func airlineCSVWithAColumnMap() throws {
        let dir = try makeTempDir("airline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let index = dir.appendingPathComponent("idx").path
        let r = try Starling.run(["index", "--index", index, "--json", "--quiet",
                                  "--map", "id=tweet_id,text=text,author=name,created_at=tweet_created",
                                  SharedData.path("corpora/airline/Tweets.csv")])
        #expect(r.status == 0, "\(r.stderr.prefix(500))")
        let s = try #require(jsonObject(r.lines.last ?? ""))
        #expect(s["indexed"] as? Int == 14640)
        #expect(s["documents"] as? Int == 14485, "155 ids repeat in the file: upserts keep one of each")
        let q = try Starling.run(["search", "--index", index, "--json", "from:cairdin"])
        #expect((jsonObject(q.stdout)?["total"] as? Int ?? 0) >= 1)
    }

    /// The shared Sentiment140 sample is valid UTF-8 (its accents were already replaced upstream); a true Latin-1
    /// copy of it, written here, is rejected line by line as UTF-8 and read whole with --encoding latin1.
    @Test func latin1IsRejectedAsUTF8AndAcceptedWithTheEncoding() throws {
        let dir = try makeTempDir("s140")
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = try String(contentsOfFile: SharedData.path("corpora/sentiment140/sample-10k.latin1.csv"), encoding: .utf8)
        // Re-encode as Latin-1, giving a few records real accented letters.
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var accented: [Int] = []
        for i in stride(from: 7, to: lines.count, by: 997) where !lines[i].isEmpty {
            lines[i] = lines[i].replacingOccurrences(of: "\",\"", with: "\",\"café ", options: [], range: lines[i].range(of: "\",\"", options: .backwards))
            accented.append(i + 1)
        }
        // Latin-1 bytes: code points below 256 as themselves, anything else (the U+FFFD of the source) as '?'.
        let latin1 = lines.joined(separator: "\n").unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : 0x3F }
        let file = dir.appendingPathComponent("s140.latin1.csv")
        try Data(latin1).write(to: file)
        let index = dir.appendingPathComponent("idx").path
        let args = ["--no-header", "--map", "id=2,created_at=3,author=5,text=6", file.path]
        let strict = try Starling.run(["index", "--index", index, "--json", "--quiet"] + args)
        #expect(strict.status == 3)
        let s1 = try #require(jsonObject(strict.lines.last ?? ""))
        // Every line with a byte >= 0x80 is invalid UTF-8 now: the ones made here and a few the source already had.
        let nonASCII = lines.enumerated().filter { $0.element.unicodeScalars.contains { $0.value >= 0x80 && $0.value < 256 } }
            .map { $0.offset + 1 }
        #expect(Set(accented).isSubset(of: Set(nonASCII)))
        #expect(s1["rejected"] as? Int == nonASCII.count)
        #expect((s1["indexed"] as? Int ?? 0) + nonASCII.count == 10000)
        for line in nonASCII { #expect(strict.stderr.contains("s140.latin1.csv:\(line):"), "line \(line)") }
        let latin = try Starling.run(["index", "--index", index, "--json", "--quiet", "--encoding", "latin1"] + args)
        #expect(latin.status == 0, "\(latin.stderr.prefix(300))")
        #expect(jsonObject(latin.lines.last ?? "")?["documents"] as? Int == 10000)
        let cafe = try Starling.run(["search", "--index", index, "--json", "café"])
        #expect((jsonObject(cafe.stdout)?["total"] as? Int ?? 0) >= accented.count)
    }
}
