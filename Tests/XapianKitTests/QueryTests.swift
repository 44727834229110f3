// QueryTests.swift: Query values become the Xapian queries they say (checked through get_description())
// and match what they should: phrases, filters, value ranges, wildcards.
import Foundation
import Testing
import XapianKit

@Suite struct QueryTests {
    /// Query -> Xapian's own description, for every case of the enum.
    static let descriptions: [(Query, String)] = [
        (.term("a"), "Query(a)"),
        (.term("a", wqf: 2, position: 3), "Query(a#2@3)"),
        (.and([.term("a"), .term("b")]), "Query((a AND b))"),
        (.or([.term("a"), .term("b")]), "Query((a OR b))"),
        (.synonym([.term("a"), .term("b")]), "Query((a SYNONYM b))"),
        (.andNot(.term("a"), .term("b")), "Query((a AND_NOT b))"),
        (.andMaybe(.term("a"), .term("b")), "Query((a AND_MAYBE b))"),
        (.filter(.term("a"), .term("Kb")), "Query((a FILTER Kb))"),
        (.phrase([.term("a"), .term("b")]), "Query((a PHRASE 2 b))"),
        (.near([.term("a"), .term("b")], window: 5), "Query((a NEAR 5 b))"),
        (.eliteSet([.term("a"), .term("b"), .term("c")], size: 2), "Query((a ELITE_SET 2 b ELITE_SET 2 c))"),
        (.scaled(.term("a"), factor: 2.5), "Query(2.5 * a)"),
        (.valueRange(slot: 1, lower: Array("a".utf8), upper: Array("b".utf8)), "Query(VALUE_RANGE 1 a b)"),
        (.valueGreaterOrEqual(slot: 1, Array("m".utf8)), "Query(VALUE_GE 1 m)"),
        (.valueLessOrEqual(slot: 1, Array("m".utf8)), "Query(VALUE_LE 1 m)"),
        (.wildcard("swi"), "Query(WILDCARD SYNONYM swi)"),
        (.matchAll, "Query(<alldocuments>)"),
        (.matchNothing, "Query()"),
        (.and([]), "Query()"),
    ]

    @Test(arguments: descriptions)
    func describesLikeXapian(query: Query, expected: String) throws {
        #expect(try description(of: query) == expected)
        #expect(query.xapianDescription == expected)
    }

    @Test func rejectedQueriesThrowAndDescribeTheError() {
        let bad = Query.scaled(.term("a"), factor: -1)
        expectXapianError("InvalidArgumentError") { _ = try description(of: bad) }
        #expect(bad.xapianDescription.contains("InvalidArgumentError"))
    }

    /// Docids matching `query` in a database of the given texts (positions follow word order).
    private func matches(_ query: Query, in texts: [String]) throws -> [UInt32] {
        let dir = try TempDir("match")
        let db = try WritableDatabase(path: dir.path("db"))
        for text in texts {
            let doc = Document()
            for (offset, word) in text.split(separator: " ").enumerated() {
                doc.addPosting(String(word), position: UInt32(offset + 1))
            }
            if text.contains("fox") { doc.addBooleanTerm("Kanimal") }
            try db.addDocument(doc)
        }
        try db.commit()
        let enquire = Enquire(db)
        try enquire.setQuery(query)
        return try enquire.mset(first: 0, max: 100).items.map(\.docid).sorted()
    }

    static let texts = [
        "the quick brown fox",  // 1
        "brown quick fox",  // 2
        "quick red brown dog",  // 3
        "swift swiftui swim",  // 4
        "quick brown",  // 5
    ]

    @Test(arguments: [
        (Query.phrase([.term("quick"), .term("brown")]), [UInt32(1), 5]),
        (.phrase([.term("quick"), .term("brown")], window: 3), [1, 3, 5]),
        (.near([.term("quick"), .term("brown")], window: 2), [1, 2, 5]),
        (.and([.term("quick"), .term("brown")]), [1, 2, 3, 5]),
        (.andNot(.term("quick"), .term("fox")), [3, 5]),
        (.filter(.term("quick"), .term("Kanimal")), [1, 2]),
        (.andMaybe(.term("brown"), .term("dog")), [1, 2, 3, 5]),
        (.wildcard("swi"), [4]),
        (.wildcard("sw"), [4]),
        (.or([.term("dog"), .term("swim")]), [3, 4]),
        (.synonym([.term("dog"), .term("swim")]), [3, 4]),
        (.eliteSet([.term("quick"), .term("dog")], size: 1), [3]),  // keeps the rarer term
        (.matchAll, [1, 2, 3, 4, 5]),
        (.matchNothing, []),
    ])
    func matchesTheRightDocuments(query: Query, expected: [UInt32]) throws {
        #expect(try matches(query, in: Self.texts) == expected, "\(query.xapianDescription)")
    }

    @Test func booleanFilterDoesNotChangeWeights() throws {
        let dir = try TempDir("filter")
        let posts = Corpus.posts(80)
        try Corpus.build(at: dir.path("db"), posts)
        let db = try Database(path: dir.path("db"))
        let enquire = Enquire(db)
        try enquire.setQuery(.term("fox"))
        let plain = try enquire.mset(first: 0, max: 1000)
        try enquire.setQuery(.filter(.term("fox"), .term("Lfr")))
        let filtered = try enquire.mset(first: 0, max: 1000)

        let french = Set(posts.filter { $0.language == "fr" && $0.words.contains("fox") }.map { UInt32($0.id + 1) })
        #expect(!french.isEmpty)
        #expect(Set(filtered.items.map(\.docid)) == french)
        let plainWeights = Dictionary(uniqueKeysWithValues: plain.items.map { ($0.docid, $0.weight) })
        for item in filtered.items {
            #expect(abs(item.weight - plainWeights[item.docid]!) < 1e-9)
        }
    }

    @Test func valueRangesOnSortableTimestamps() throws {
        let dir = try TempDir("range")
        let posts = Corpus.posts(50)
        try Corpus.build(at: dir.path("db"), posts)
        let db = try Database(path: dir.path("db"))
        let enquire = Enquire(db)
        let from = posts[10].time, to = posts[19].time
        func run(_ query: Query) throws -> [Int] {
            try enquire.setQuery(query)
            return try enquire.mset(first: 0, max: 1000).items.map { Int($0.docid) - 1 }.sorted()
        }
        let lower = Sortable.serialise(from), upper = Sortable.serialise(to)
        #expect(try run(.valueRange(slot: Slot.time, lower: lower, upper: upper)) == Array(10...19))
        #expect(try run(.valueGreaterOrEqual(slot: Slot.time, lower)) == Array(10..<50))
        #expect(try run(.valueLessOrEqual(slot: Slot.time, upper)) == Array(0...19))
        let swift = posts.filter { (10...19).contains($0.id) && $0.words.contains("swift") }.map(\.id)
        #expect(try run(.filter(.term("swift"), .valueRange(slot: Slot.time, lower: lower, upper: upper))) == swift)
    }
}
