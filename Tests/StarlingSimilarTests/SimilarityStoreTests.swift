// The similarity store: written beside the index, reused, brought up to date for posts added or replaced since
// (through the overlay), never trusted for another index; repeated words (tf > 1) on the fast path.
import Foundation
import StarlingModel
import StarlingSimilar
import Testing

@Suite(.serialized) struct SimilarityStoreTests {
    private let posts = (0..<40).map { i in
        post("n\(i)", "store post \(i) about topic\(i % 4) and word\(i % 7) #tag\(i % 3)", author: "a\(i % 5)")
    }

    private let fileName = "starling-similar-store"

    /// Fast and exact answers of a fresh searcher (cosines compared to 1e-12: the fast path's final scores are
    /// re-computed with the exact path's arithmetic).
    private func agree(_ path: String, _ source: SimilarSource, limit: Int = 10) throws -> SimilarResult {
        let searcher = try SimilarSearcher(path: path)
        var r = SimilarRequest(source: source, limit: limit)
        let fast = try searcher.similar(r)
        r.mode = .exact
        let exact = try searcher.similar(r)
        #expect(fast.hits.map(\.id) == exact.hits.map(\.id), "\(source)")
        for (f, e) in zip(fast.hits, exact.hits) { #expect(abs(f.cosine - e.cosine) < 1e-12) }
        return fast
    }

    @Test func theStoreIsWrittenReusedAndBroughtUpToDate() throws {
        let index = try TestIndex.make(posts, name: "store")
        defer { index.remove() }
        let file = URL(fileURLWithPath: index.path).appendingPathComponent(fileName)
        let first = try agree(index.path, .post(id: "n1"))
        #expect(first.hits.count == 10)
        #expect(FileManager.default.fileExists(atPath: file.path))
        let written = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date

        // Reused: the same answers from the file (not held in memory), the file not rewritten.
        SimilarSearcher.releaseSharedVectors()
        let again = try agree(index.path, .post(id: "n1"))
        #expect(again.hits.map(\.id) == first.hits.map(\.id))
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date == written)

        // A post added later is found through the overlay, by a new searcher and by one reopened.
        let open = try SimilarSearcher(path: index.path)
        _ = try open.similar(SimilarRequest(source: .post(id: "n1")))
        try index.add([post("late", "store post about topic1 and word1 #tag1 again", author: "zz")])
        let extended = try agree(index.path, .post(id: "n1"), limit: 50)
        #expect(extended.hits.contains { $0.id == "late" })
        try open.reopen()
        #expect(try open.similar(SimilarRequest(source: .post(id: "n1"), limit: 50)).hits.contains { $0.id == "late" })

        // A post rewritten in place (same id, same docid, new words) is found by its new words only.
        try index.add([post("n3", "zebra giraffe savanna migration", author: "a3")])
        let replaced = try agree(index.path, .text("giraffe savanna zebra"))
        #expect(replaced.hits.first?.id == "n3")
        let old = try agree(index.path, .text("store post 3 about topic3 and word3 #tag0"), limit: 40)
        #expect(!old.hits.contains { $0.id == "n3" })

        // A garbage file is ignored (and replaced the next time the store is built).
        let before = try agree(index.path, .post(id: "n1"), limit: 50)
        try Data("not a store".utf8).write(to: file)
        SimilarSearcher.releaseSharedVectors()
        let repaired = try agree(index.path, .post(id: "n1"), limit: 50)
        #expect(repaired.hits.map(\.id) == before.hits.map(\.id))
        let rewritten = try Data(contentsOf: file)
        #expect(rewritten.count > 64 && rewritten.prefix(4) == Data([0x32, 0x53, 0x54, 0x53]), "rebuilt and written again")
    }

    @Test func aStoreFromAnotherIndexIsNotTrusted() throws {
        let a = try TestIndex.make(posts, name: "store-a")
        defer { a.remove() }
        // Same count, different texts: another database (another UUID), so the file is rebuilt, not used.
        let other = (0..<40).map { i in post("n\(i)", "completely different words number \(i) here and there and more") }
        let b = try TestIndex.make(other, name: "store-b")
        defer { b.remove() }
        _ = try SimilarSearcher(path: a.path).similar(SimilarRequest(source: .post(id: "n1")))
        let fileA = URL(fileURLWithPath: a.path).appendingPathComponent(fileName)
        let fileB = URL(fileURLWithPath: b.path).appendingPathComponent(fileName)
        try FileManager.default.copyItem(at: fileA, to: fileB)
        for id in ["n1", "n7", "n20"] {
            let hits = try agree(b.path, .post(id: id)).hits
            #expect(hits.count == 10, "\(id)")
        }
    }

    @Test func repeatedWordsCountOnTheFastPath() throws {
        // "storm" repeated makes r3 the closest post; with tf ignored it would tie the others.
        let lines = [
            post("r1", "storm warning tonight"), post("r2", "storm warning tomorrow"),
            post("r3", "storm storm storm everywhere"), post("r4", "storm clouds over the hills"),
            post("r5", "calm weather and sun"),
        ] + (0..<30).map { post("f\($0)", "filler text number \($0) with sun") }
        let index = try TestIndex.make(lines, name: "store-tf")
        defer { index.remove() }
        let searcher = try SimilarSearcher(path: index.path)
        for mode in SimilarMode.allCases {
            var r = SimilarRequest(source: .text("storm"), limit: 4)
            r.mode = mode
            #expect(try searcher.similar(r).hits.first?.id == "r3", "\(mode)")
        }
    }
}
