// EnquireTests.swift: sorting, collapsing, facets (ValueCountSpy), weighting schemes and "more like this",
// each checked against a reference computed in Swift from the generated corpus.
import Foundation
import Testing
import XapianKit

@Suite struct EnquireTests {
    let dir: TempDir
    let posts: [Post]
    let db: Database

    init() throws {
        dir = try TempDir("enquire")
        posts = Corpus.posts(200)
        try Corpus.build(at: dir.path("db"), posts)
        db = try Database(path: dir.path("db"))
    }

    private func post(_ item: MSetItem) -> Post { posts[Int(item.docid) - 1] }

    @Test(arguments: [false, true])
    func sortsByValue(reverse: Bool) throws {
        let enquire = Enquire(db)
        try enquire.setQuery(.term("swift"))
        enquire.setSortByValue(Slot.time, reverse: reverse)
        let mset = try enquire.mset(first: 0, max: 1000)
        let times = mset.items.map { Sortable.unserialise(db.documentValue($0.docid, Slot.time)) }
        let expected = posts.filter { $0.words.contains("swift") }.map(\.time)
        #expect(times == (reverse ? expected.sorted(by: >) : expected.sorted()))
        #expect(mset.items.map(\.rank) == Array(0..<mset.items.count))
    }

    @Test func sortsByValueThenRelevanceAndBack() throws {
        let enquire = Enquire(db)
        try enquire.setQuery(.or([.term("fox"), .term("dog")]))
        enquire.setSortByValueThenRelevance(Slot.author, reverse: false)
        let byAuthor = try enquire.mset(first: 0, max: 1000).items
        let authors = byAuthor.map { post($0).author }
        #expect(authors == authors.sorted())
        for (a, b) in zip(byAuthor, byAuthor.dropFirst()) where post(a).author == post(b).author {
            #expect(a.weight >= b.weight)
        }

        enquire.setSortByRelevanceThenValue(Slot.time, reverse: true)
        let byWeight = try enquire.mset(first: 0, max: 1000).items
        for (a, b) in zip(byWeight, byWeight.dropFirst()) {
            #expect(a.weight >= b.weight)
            if a.weight == b.weight { #expect(post(a).time > post(b).time) }
        }

        enquire.setSortByRelevance()
        enquire.setDocidOrder(.descending)
        try enquire.setQuery(.term("Aann"))  // boolean term: all weights 0, so docid order decides
        let newestFirst = try enquire.mset(first: 0, max: 1000).items.map(\.docid)
        #expect(newestFirst == newestFirst.sorted(by: >))
        #expect(newestFirst.count == posts.filter { $0.author == "ann" }.count)
    }

    @Test func pagesAreSlicesOfTheFullResult() throws {
        let enquire = Enquire(db)
        try enquire.setQuery(.or([.term("query"), .term("index")]))
        let all = try enquire.mset(first: 0, max: 1000)
        let page = try enquire.mset(first: 5, max: 7, fetchData: false)
        #expect(page.items.map(\.docid) == all.items[5..<12].map(\.docid))
        #expect(page.items.map(\.rank) == Array(5..<12))
        #expect(page.items.allSatisfy { $0.data.isEmpty })
        #expect(all.items.first?.data.hasPrefix("post ") == true)
        #expect(all.items.first?.percent == 100)
        #expect(all.matchesEstimated == all.items.count)
        #expect(all.matchesLowerBound <= all.matchesEstimated && all.matchesEstimated <= all.matchesUpperBound)
    }

    @Test func collapsesByAuthorWithCounts() throws {
        let enquire = Enquire(db)
        try enquire.setQuery(.term("search"))
        enquire.setCollapseKey(Slot.author)
        let mset = try enquire.mset(first: 0, max: 100, checkAtLeast: posts.count)

        var perAuthor: [String: Int] = [:]
        for post in posts where post.words.contains("search") { perAuthor[post.author, default: 0] += 1 }
        let keys = mset.items.map { String(decoding: $0.collapseKey, as: UTF8.self) }
        #expect(Set(keys).count == keys.count, "one match per author")
        #expect(Set(keys) == Set(perAuthor.keys))
        for (item, key) in zip(mset.items, keys) {
            #expect(key == post(item).author)
            // Collapse counts are lower bounds in general; with checkAtLeast covering everything they are exact.
            #expect(item.collapseCount == perAuthor[key]! - 1)
        }

        enquire.setCollapseKey(Slot.author, max: 2)
        let two = try enquire.mset(first: 0, max: 100, checkAtLeast: posts.count)
        #expect(two.items.count == perAuthor.values.map { min($0, 2) }.reduce(0, +))

        enquire.setCollapseKey(nil)
        let none = try enquire.mset(first: 0, max: 1000)
        #expect(none.items.count == perAuthor.values.reduce(0, +))
        #expect(none.items.allSatisfy { $0.collapseKey.isEmpty && $0.collapseCount == 0 })
    }

    @Test func valueCountSpyCountsFacets() throws {
        let enquire = Enquire(db)
        try enquire.setQuery(.term("xapian"))
        let languages = enquire.addValueCountSpy(slot: Slot.language)
        let authors = enquire.addValueCountSpy(slot: Slot.author)
        let mset = try enquire.mset(first: 0, max: 10, checkAtLeast: posts.count)

        let matching = posts.filter { $0.words.contains("xapian") }
        var expected: [String: Int] = [:]
        for post in matching { expected[post.language, default: 0] += 1 }
        let top = languages.top(10)
        #expect(Dictionary(uniqueKeysWithValues: top.map { (String(decoding: $0.value, as: UTF8.self), $0.count) })
            == expected)
        #expect(top.map(\.count) == top.map(\.count).sorted(by: >), "most frequent first")
        #expect(languages.top(1).count == 1)
        #expect(languages.documentsSeen == matching.count)
        #expect(authors.documentsSeen == matching.count)
        #expect(authors.top(100).map(\.count).reduce(0, +) == matching.count)
        #expect(mset.matchesEstimated == matching.count)
    }

    @Test func esetSuggestsTermsForMoreLikeThis() throws {
        let dir = try TempDir("eset")
        let writer = try WritableDatabase(path: dir.path("db"))
        let texts = [
            "swift concurrency actors tasks", "swift actors isolation", "swift tasks cancellation actors",
            "xapian glass backend", "xapian remote backend shards", "cooking pasta tomato",
            "pasta basil tomato", "garden tomato plants",
        ]
        for text in texts {
            let doc = Document()
            for word in text.split(separator: " ") { doc.addTerm(String(word)) }
            try writer.addDocument(doc)
        }
        try writer.commit()
        let enquire = Enquire(writer)
        try enquire.setQuery(.term("swift"))
        let relevant = try enquire.mset(first: 0, max: 3).items.map(\.docid)
        #expect(Set(relevant) == [1, 2, 3])
        let expansion = try enquire.eset(relevant: relevant, maxTerms: 3)
        #expect(expansion.first?.term == "actors", "\(expansion)")
        #expect(!expansion.map(\.term).contains("swift"), "query terms are left out")
        #expect(expansion.map(\.weight) == expansion.map(\.weight).sorted(by: >))
        #expect(expansion.count == 3)
    }

    @Test func weightingSchemes() throws {
        let enquire = Enquire(db)
        try enquire.setQuery(.or([.term("fox"), .term("lazy")]))
        let bm25 = try enquire.mset(first: 0, max: 1000)
        #expect(bm25.items.allSatisfy { $0.weight > 0 })

        enquire.setWeighting(.bool)
        let bool = try enquire.mset(first: 0, max: 1000)
        #expect(bool.items.allSatisfy { $0.weight == 0 })
        #expect(Set(bool.items.map(\.docid)) == Set(bm25.items.map(\.docid)))

        enquire.setWeighting(.tfidf())
        #expect(try enquire.mset(first: 0, max: 5).items.allSatisfy { $0.weight > 0 })

        enquire.setWeighting(.bm25(k1: 2, b: 0.3))
        let tuned = try enquire.mset(first: 0, max: 1000)
        #expect(tuned.items.count == bm25.items.count)
        #expect(tuned.items.map(\.weight) != bm25.items.map(\.weight))
    }
}

extension Database {
    /// A value slot of a stored document, for checking sort orders in tests.
    fileprivate func documentValue(_ docid: UInt32, _ slot: UInt32) -> [UInt8] {
        (try? document(docid).value(slot)) ?? []
    }
}
