// The small pieces the cluster writer relies on: post order, union-find, the Bloom filter.
import StarlingDuplicates
import Testing

@Suite struct SupportTypesTests {
    /// (earlier, later) pairs.
    @Test(arguments: [
        (PostOrder(time: 10, id: "b"), PostOrder(time: 20, id: "a")),
        (PostOrder(time: 10, id: "9"), PostOrder(time: 10, id: "10")),
        (PostOrder(time: 10, id: "train-9"), PostOrder(time: 10, id: "train-10")),
        (PostOrder(time: 10, id: "a"), PostOrder(time: 10, id: "b")),
        (PostOrder(time: 99, id: "z"), PostOrder(time: nil, id: "a")),
        (PostOrder.absentOriginal("z"), PostOrder(time: 0, id: "a")),
        (PostOrder(time: nil, id: "500311153583853570"), PostOrder(time: nil, id: "1000311153583853570")),
    ])
    func order(_ earlier: PostOrder, _ later: PostOrder) {
        #expect(earlier < later)
        #expect(!(later < earlier))
    }

    @Test func naturalOrderIsAStrictOrder() {
        let ids = ["a", "a1", "a2", "a10", "a01", "b", "10", "9", "009", "x-1-2", "x-1-10", ""]
        for x in ids {
            #expect(!PostOrder.naturalLess(x, x))
            for y in ids where x != y {
                #expect(PostOrder.naturalLess(x, y) != PostOrder.naturalLess(y, x), "\(x) vs \(y)")
            }
        }
    }

    @Test func unionFind() {
        var u = UnionFind(count: 6)
        u.union(0, 1)
        u.union(2, 3)
        u.union(1, 3)
        #expect(u.find(0) == u.find(2))
        #expect(u.find(4) != u.find(0))
        #expect(u.find(5) == 5)
    }

    @Test func bloomHasNoFalseNegativesAndFewFalsePositives() {
        var bloom = BloomFilter(log2Bits: 20)
        for i in 0..<50_000 { bloom.insert(StableHash.mix(UInt64(i))) }
        for i in 0..<50_000 { #expect(bloom.mayContain(StableHash.mix(UInt64(i)))) }
        var fp = 0
        for i in 50_000..<150_000 where bloom.mayContain(StableHash.mix(UInt64(i))) { fp += 1 }
        #expect(fp < 2_000)  // (1 - e^(-3*50k/1M))^3 = 0.3%
    }

    @Test func parametersRoundTripThroughMetadata() {
        let p = DuplicateParameters(shingles: .characters(5), permutations: 96, lsh: LSHBands(bands: 24, rows: 4),
                                    threshold: 0.8)
        #expect(DuplicateParameters(metadataText: p.metadataText) == p)
        #expect(DuplicateParameters(metadataText: DuplicateParameters.standard.metadataText) == .standard)
        #expect(DuplicateParameters(metadataText: "shingles=word3 permutations=8 bands=16 rows=4 threshold=0.7") == nil)
        #expect(DuplicateParameters(metadataText: "") == nil)
    }
}
