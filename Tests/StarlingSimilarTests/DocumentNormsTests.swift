// The norms cache: written beside the index, reused, extended for posts added since, and rebuilt when the index
// under it changed; repeated words (tf > 1) on the fast path.
import Foundation
import StarlingModel
import StarlingSimilar
import Testing

@Suite(.serialized) struct DocumentNormsTests {
    private let posts = (0..<40).map { i in
        post("n\(i)", "norms post \(i) about topic\(i % 4) and word\(i % 7) #tag\(i % 3)", author: "a\(i % 5)")
    }

    private var cacheName: String { "starling-similar-norms" }

    @Test func theCacheIsWrittenReusedExtendedAndRebuilt() throws {
        let index = try TestIndex.make(posts, name: "norms")
        defer { index.remove() }
        let cache = URL(fileURLWithPath: index.path).appendingPathComponent(cacheName)
        let first = try SimilarSearcher(path: index.path).similar(SimilarRequest(source: .post(id: "n1")))
        #expect(FileManager.default.fileExists(atPath: cache.path))
        let size = try FileManager.default.attributesOfItem(atPath: cache.path)[.size] as? Int
        #expect(size == 16 + 41 * 4, "a header and one Float per docid, 0 included")

        // Reused: the same answers from the cached norms.
        let again = try SimilarSearcher(path: index.path).similar(SimilarRequest(source: .post(id: "n1")))
        #expect(again.hits.map(\.id) == first.hits.map(\.id))

        // Extended: a post added later is found through the cached norms plus its own.
        try index.add([post("late", "norms post about topic1 and word1 #tag1 again", author: "zz")])
        let extended = try SimilarSearcher(path: index.path).similar(SimilarRequest(source: .post(id: "n1"), limit: 50))
        #expect(extended.hits.contains { $0.id == "late" })
        let grown = try FileManager.default.attributesOfItem(atPath: cache.path)[.size] as? Int
        #expect(grown == 16 + 42 * 4)

        // A garbage cache is ignored and replaced.
        try Data("not a cache".utf8).write(to: cache)
        let repaired = try SimilarSearcher(path: index.path).similar(SimilarRequest(source: .post(id: "n1"), limit: 50))
        #expect(repaired.hits.map(\.id) == extended.hits.map(\.id))
    }

    @Test func aCacheFromAnotherIndexIsNotTrusted() throws {
        let a = try TestIndex.make(posts, name: "norms-a")
        defer { a.remove() }
        // Same count, different texts: the sampled norms disagree, so the cache is rebuilt, not used.
        let other = (0..<40).map { i in post("n\(i)", "completely different words number \(i) here and there and more") }
        let b = try TestIndex.make(other, name: "norms-b")
        defer { b.remove() }
        _ = try SimilarSearcher(path: a.path).similar(SimilarRequest(source: .post(id: "n1")))
        let cacheA = URL(fileURLWithPath: a.path).appendingPathComponent(cacheName)
        let cacheB = URL(fileURLWithPath: b.path).appendingPathComponent(cacheName)
        try FileManager.default.copyItem(at: cacheA, to: cacheB)
        let searcher = try SimilarSearcher(path: b.path)
        for id in ["n1", "n7", "n20"] {
            var fast = SimilarRequest(source: .post(id: id), limit: 10)
            let f = try searcher.similar(fast)
            fast.mode = .exact
            let e = try searcher.similar(fast)
            #expect(f.hits.map(\.cosine) == e.hits.map(\.cosine), "\(id)")
        }
    }

    @Test func repeatedWordsCountOnTheFastPath() throws {
        // "storm" repeated makes r3 the closest post; with tf ignored it would tie the others.
        let lines = [
            post("r1", "storm warning tonight"), post("r2", "storm warning tomorrow"),
            post("r3", "storm storm storm everywhere"), post("r4", "storm clouds over the hills"),
            post("r5", "calm weather and sun"),
        ] + (0..<30).map { post("f\($0)", "filler text number \($0) with sun") }
        let index = try TestIndex.make(lines, name: "norms-tf")
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        for mode in SimilarMode.allCases {
            var r = SimilarRequest(source: .text("storm"), limit: 4)
            r.mode = mode
            #expect(try searcher.similar(r).hits.first?.id == "r3", "\(mode)")
        }
    }
}
