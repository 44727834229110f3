// End-to-end: index the real PHEME tweets with the real binary, then check searches against the tweets' own
// entities (read with Foundation, independently of Starling's importer).
import Foundation
import Testing

/// The PHEME tweets as Foundation reads them: id, lower-cased entity hashtags, author, time.
struct Tweet {
    var id: String
    var text: String
    var hashtags: Set<String>
    var author: String
    var created: Date
}

func loadPheme() throws -> [Tweet] {
    let text = try String(contentsOfFile: SharedData.path("corpora/pheme/tweets-v1.jsonl"), encoding: .utf8)
    let fmt = DateFormatter()
    fmt.locale = Locale(identifier: "en_US_POSIX")
    fmt.dateFormat = "EEE MMM dd HH:mm:ss Z yyyy"
    var out: [Tweet] = []
    for line in text.split(separator: "\n") {
        guard let o = jsonObject(String(line)), let id = o["id_str"] as? String,
              let user = o["user"] as? [String: Any], let author = user["screen_name"] as? String,
              let created = (o["created_at"] as? String).flatMap(fmt.date(from:)) else { continue }
        let entities = o["entities"] as? [String: Any] ?? [:]
        let tags = (entities["hashtags"] as? [[String: Any]] ?? []).compactMap { ($0["text"] as? String)?.lowercased() }
        out.append(Tweet(id: id, text: o["text"] as? String ?? "", hashtags: Set(tags), author: author, created: created))
    }
    return out
}

/// One index of PHEME shared by the tests of this suite (built once).
final class PhemeIndex: @unchecked Sendable {
    static let shared = PhemeIndex()
    let dir: URL
    let indexPath: String
    let tweets: [Tweet]
    let indexResult: CommandResult?

    private init() {
        dir = (try? makeTempDir("pheme")) ?? FileManager.default.temporaryDirectory
        indexPath = dir.appendingPathComponent("index").path
        tweets = (try? loadPheme()) ?? []
        indexResult = try? Starling.run(["index", "--index", indexPath, "--quiet", "--json",
                                         SharedData.path("corpora/pheme/tweets-v1.jsonl")])
    }

    /// Runs many queries through `search --queries` and returns query -> ids.
    func idsFor(_ queries: [String], limit: Int = 10000) throws -> [String: Set<String>] {
        let file = dir.appendingPathComponent("queries-\(UUID().uuidString).txt")
        try queries.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        let r = try Starling.run(["search", "--index", indexPath, "--json", "--limit", String(limit),
                                  "--queries", file.path])
        var out: [String: Set<String>] = [:]
        for line in r.lines {
            guard let o = jsonObject(line), let q = o["query"] as? String else { continue }
            let hits = o["hits"] as? [[String: Any]] ?? []
            out[q] = Set(hits.compactMap { $0["id"] as? String })
        }
        return out
    }
}

@Suite(.enabled(if: SharedData.available, "../shared/data is absent: PHEME end-to-end tests need it"), .serialized)
struct PhemeSearchTests {
    let index = PhemeIndex.shared

    @Test func indexesEveryTweet() throws {
        let r = try #require(index.indexResult)
        #expect(r.status == 0, "stderr: \(r.stderr)")
        let summary = try #require(r.lines.last.flatMap(jsonObject))
        #expect(summary["indexed"] as? Int == 4804)
        let stats = try Starling.run(["stats", "--index", index.indexPath, "--json"])
        #expect(jsonObject(stats.stdout.trimmingCharacters(in: .whitespacesAndNewlines))?["documents"] as? Int
                == Set(index.tweets.map(\.id)).count)
    }

    @Test func everyHashtagFindsExactlyItsTweets() throws {
        var expected: [String: Set<String>] = [:]
        for t in index.tweets { for h in t.hashtags { expected["#" + h, default: []].insert(t.id) } }
        #expect(expected.count > 100)
        let got = try index.idsFor(expected.keys.sorted())
        var wrong: [String] = []
        for (q, ids) in expected where got[q] != ids {
            let extra = (got[q] ?? []).subtracting(ids).count
            let missing = ids.subtracting(got[q] ?? []).count
            wrong.append("\(q): \(missing) missing, \(extra) extra")
        }
        #expect(wrong.isEmpty, "\(wrong.count) of \(expected.count) hashtags differ: \(wrong.prefix(20))")
    }

    @Test func fromAuthorFindsExactlyTheirTweets() throws {
        var expected: [String: Set<String>] = [:]
        // Handles are case-insensitive on the platforms, and in Starling.
        for t in index.tweets { expected["from:" + t.author.lowercased(), default: []].insert(t.id) }
        let got = try index.idsFor(expected.keys.sorted())
        let wrong = expected.filter { got[$0.key] != $0.value }.map(\.key)
        #expect(wrong.isEmpty, "\(wrong.count) of \(expected.count) authors differ: \(wrong.prefix(10))")
    }

    @Test func sinceAndUntilBoundByCreatedAt() throws {
        let cal = Calendar(identifier: .gregorian)
        var utc = cal
        utc.timeZone = TimeZone(identifier: "UTC")!
        let days = ["2014-08-10", "2014-12-01", "2015-01-07", "2015-01-08", "2015-03-24"]
        let fmt = DateFormatter()
        fmt.locale = Locale(identifier: "en_US_POSIX")
        fmt.timeZone = TimeZone(identifier: "UTC")
        fmt.dateFormat = "yyyy-MM-dd"
        var queries: [String] = []
        var expected: [String: Set<String>] = [:]
        for d in days {
            let day = fmt.date(from: d)!
            let since = "since:\(d)"
            let until = "until:\(d)"
            queries += [since, until]
            expected[since] = Set(index.tweets.filter { $0.created >= day }.map(\.id))
            expected[until] = Set(index.tweets.filter { $0.created < day }.map(\.id))
        }
        let both = "since:2015-01-07 until:2015-01-09 paris"
        queries.append(both)
        let got = try index.idsFor(queries)
        for q in queries.dropLast() {
            #expect(got[q] == expected[q], "\(q): got \(got[q]?.count ?? -1), expected \(expected[q]?.count ?? -1)")
        }
        let lo = fmt.date(from: "2015-01-07")!
        let hi = fmt.date(from: "2015-01-09")!
        let byId = Dictionary(index.tweets.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let hits = try #require(got[both])
        #expect(!hits.isEmpty)
        for id in hits {
            let t = try #require(byId[id])
            #expect(t.created >= lo && t.created < hi)
        }
    }

    @Test func phrasesMatchOnlyAdjacentWords() throws {
        let got = try index.idsFor(["\"kosher grocery\"", "kosher grocery", "\"grocery kosher\""])
        let phrase = try #require(got["\"kosher grocery\""])
        let both = try #require(got["kosher grocery"])
        #expect(!phrase.isEmpty)
        #expect(phrase.isSubset(of: both))
        let byId = Dictionary(index.tweets.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        // Punctuation between words does not break a phrase ("'kosher' grocery"), so compare on words.
        func words(_ id: String) -> String {
            " " + (byId[id]?.text.lowercased() ?? "").map { $0.isLetter || $0.isNumber ? $0 : " " }
                .split(separator: " ").joined(separator: " ") + " "
        }
        for id in phrase {
            #expect(words(id).contains(" kosher grocery "), "\(id): \(words(id))")
        }
        for id in both.subtracting(phrase) {
            #expect(!words(id).contains(" kosher grocery "))
        }
        #expect(got["\"grocery kosher\""]?.isEmpty == true)
    }
}
