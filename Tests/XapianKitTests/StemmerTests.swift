// StemmerTests.swift: Snowball stems through Xapian::Stem, and the order-preserving sortable encoding.
import Foundation
import Testing
import XapianKit

@Suite struct StemmerTests {
    @Test(arguments: [
        ("english", "running", "run"),
        ("english", "connections", "connect"),
        ("en", "searches", "search"),
        ("english", "", ""),
        ("french", "continuellement", "continuel"),
        ("german", "häuser", "haus"),
        ("none", "running", "running"),
        ("english", "tweets", "tweet"),
    ])
    func stems(language: String, word: String, stem: String) throws {
        #expect(try Stemmer(language: language)(word) == stem)
    }

    @Test func listsLanguages() {
        let languages = Stemmer.languages
        #expect(languages.contains("english"))
        #expect(languages.contains("french"))
        #expect(languages.count > 15)
    }

    @Test func isSafeToShareAcrossTasks() async throws {
        let stemmer = try Stemmer(language: "english")
        let words = ["running", "jumps", "connections", "happily", "searching"]
        let expected = words.map { stemmer($0) }
        let results = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<500).flatMap { _ in words.map { stemmer($0) } } }
            }
            return await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        for result in results {
            #expect(result == Array((0..<500).flatMap { _ in expected }))
        }
    }

    @Test func sortableEncodingRoundTripsAndPreservesOrder() {
        var values: [Double] = [0, -0.5, 1, -1, 1e-300, -1e300, 1e300, .infinity, -.infinity, 1_700_000_000, 3.25]
        var state: UInt64 = 42
        for _ in 0..<500 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Double(Int64(bitPattern: state)) / Double(1 << 20))
        }
        for value in values {
            let bytes = Sortable.serialise(value)
            #expect(bytes.count <= 9)
            #expect(Sortable.unserialise(bytes) == value)
        }
        let sortedByBytes = values.sorted { Sortable.serialise($0).lexicographicallyPrecedes(Sortable.serialise($1)) }
        #expect(sortedByBytes == values.sorted())
    }
}
