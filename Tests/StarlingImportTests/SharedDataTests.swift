// The importers against the real corpora in ../shared/data (skipped, with the reason shown, when absent).
import Foundation
import StarlingModel
import Testing
@testable import StarlingImport

@Suite("Real corpora", .enabled(if: SharedData.available, "../shared/data is absent"))
struct SharedDataTests {
    @Test("PHEME: 4,804 Twitter v1.1 tweets with their entities' hashtags")
    func pheme() throws {
        let path = SharedData.path("corpora/pheme/tweets-v1.jsonl")
        let r = try importAll(path)
        #expect(r.format == .twitter)
        #expect(r.issues.isEmpty, "\(r.issues.prefix(3))")
        #expect(r.posts.count == 4804)
        #expect(Set(r.posts.map(\.id)).count == 4804)
        #expect(r.posts.allSatisfy { $0.author != nil && $0.createdAt != nil && $0.platform == "twitter" })
        // Cross-check hashtags against the entities of each line, parsed independently here.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        var withTags = 0
        for (line, post) in zip(lines, r.posts) {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let entities = object?["entities"] as? [String: Any]
            let tags = (entities?["hashtags"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            #expect(post.hashtags == tags, "hashtags of \(post.id)")
            if !tags.isEmpty { withTags += 1 }
        }
        #expect(withTags > 500)
        let first = try #require(r.posts.first)
        #expect(first.id == "553529101659566080")
        #expect(first.urls.first == PostURL(url: "http://t.co/PBs3sMwhLt", expanded: "http://htz.li/1lI"))
        // Stored size stays modest: no whole user objects in extras.
        let average = r.posts.reduce(0) { $0 + $1.nativeJSONText.utf8.count } / r.posts.count
        #expect(average < 600)
    }

    @Test("airline: 14,640 records with the documented column map, times from `24-02-2015 11.35`")
    func airline() throws {
        let map = try ImportOptions.parseColumnMap("id=tweet_id,text=text,author=name,created_at=tweet_created")
        let r = try importAll(SharedData.path("corpora/airline/Tweets.csv"), ImportOptions(columnMap: map))
        #expect(r.records == 14640)
        #expect(r.issues.isEmpty, "\(r.issues.prefix(3))")
        #expect(r.posts.count == 14640)
        #expect(r.posts.allSatisfy { $0.createdAt != nil && $0.author != nil })
        #expect(r.posts.first?.id == "570306133677760513")
        #expect(r.posts.first?.createdAt.map(PostTime.iso8601) == "2015-02-24T11:35:00Z")
    }

    // The sample is named latin1 but is in fact valid UTF-8: its non-ASCII characters were already replaced
    // by U+FFFD upstream. So it reads cleanly as UTF-8, and the Latin-1 path is checked on a true Latin-1
    // re-encoding of the same records.
    @Test("Sentiment140: 10,000 records; a Latin-1 copy read as UTF-8 reports exactly its non-UTF-8 lines")
    func sentiment140() throws {
        let path = SharedData.path("corpora/sentiment140/sample-10k.latin1.csv")
        let map = try ImportOptions.parseColumnMap("id=2,text=6,author=5,created_at=3")
        let asIs = try importAll(path, ImportOptions(columnMap: map))
        #expect(asIs.issues.isEmpty, "\(asIs.issues.prefix(3))")
        #expect(asIs.posts.count == 10000)
        #expect(asIs.posts.allSatisfy { $0.createdAt != nil })
        #expect(asIs.posts.first?.author == "_TheSpecialOne_")

        let original = try String(contentsOfFile: path, encoding: .utf8)
        // Latin-1 holds U+0000...U+00FF; the rest (the U+FFFD marks) become '?'.
        let latin1 = original.unicodeScalars.map { $0.value <= 0xFF ? UInt8($0.value) : 0x3F }
        let copy = try temporaryFile(latin1, name: "sentiment140-latin1.csv")
        let expectedBad = latin1.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.contains { $0 >= 0x80 } }.map { $0.offset + 1 }
        #expect(expectedBad.count > 10)

        let strict = try importAll(copy, ImportOptions(columnMap: map))
        #expect(strict.issues.map(\.line) == expectedBad)
        #expect(strict.issues.allSatisfy { $0.reason.hasPrefix("invalid UTF-8 at byte ") && $0.reason.contains("--encoding latin1") })
        #expect(strict.posts.count + strict.issues.count == 10000)

        let decoded = try importAll(copy, ImportOptions(columnMap: map, encoding: .latin1))
        #expect(decoded.issues.isEmpty)
        #expect(decoded.posts.count == 10000)
        // Characters Latin-1 can hold come back as they were.
        for (latin, utf8) in zip(decoded.posts, asIs.posts) where utf8.text.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) {
            #expect(latin.text == utf8.text)
        }
        #expect(decoded.posts.contains { $0.text.unicodeScalars.contains { $0.value >= 0x80 && $0.value <= 0xFF } })
    }

    @Test("election .tab: 6,444 posts with times and authors")
    func election() throws {
        let r = try importAll(SharedData.path("corpora/election-2016/election-tweets-2016.tab"))
        #expect(r.format == .orange)
        #expect(r.issues.isEmpty, "\(r.issues.prefix(3))")
        #expect(r.posts.count == 6444)
        #expect(r.posts.allSatisfy { $0.createdAt != nil && $0.author != nil })
        #expect(r.posts.first?.id == "election-tweets-2016-4")
        #expect(Set(r.posts.compactMap(\.author)) == ["HillaryClinton", "realDonaldTrump"])
        #expect(r.posts.contains { $0.isReshare && $0.reshareAuthor != nil })
    }

    @Test("Davidson: 24,783 records, multi-line quoted tweets included, by id prefix or by column number")
    func davidson() throws {
        let path = SharedData.path("corpora/davidson/labeled_data.csv")
        let byPrefix = try importAll(path, ImportOptions(idPrefix: "davidson"))
        #expect(byPrefix.issues.isEmpty, "\(byPrefix.issues.prefix(3))")
        #expect(byPrefix.posts.count == 24783)
        #expect(Set(byPrefix.posts.map(\.id)).count == 24783)
        let byColumn = try importAll(path, ImportOptions(columnMap: ["id": "1"]))
        #expect(byColumn.posts.count == 24783)
        #expect(byColumn.posts.last?.id == "25296")
    }

    @Test("TweetEval: one tweet a line")
    func tweeteval() throws {
        let path = SharedData.path("corpora/tweeteval/hate/val_text.txt")
        let lineCount = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
        let r = try importAll(path)
        #expect(r.format == .lines)
        #expect(r.issues.isEmpty)
        #expect(r.posts.count == lineCount)
        #expect(r.posts.first?.id == "val_text-1")
        #expect(r.posts.allSatisfy { $0.text == $0.text.trimmingCharacters(in: .whitespaces) })
    }

    @Test("TweetLID TSV: one record per line even where a tweet starts with an unbalanced quote")
    func tweetlid() throws {
        let r = try importAll(SharedData.path("eval/langid/tweetlid-train.tsv"),
                              ImportOptions(format: .tsv, columnMap: ["id": "1", "author": "2", "lang": "3", "text": "4"]))
        #expect(r.posts.count + r.issues.count == 14990)
        #expect(r.posts.count > 14000)
    }
}
