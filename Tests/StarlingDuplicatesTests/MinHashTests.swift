// MinHash, Jaccard and LSH checked against simple reference computations over many generated sets.
import StarlingDuplicates
import Testing

/// Deterministic generator for test data.
struct TestRandom {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = StableHash.mix(state)
        return state
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Two sets with a planned overlap: `common` shared elements and `only` elements each of their own.
func pair(common: Int, only: Int, rng: inout TestRandom) -> ([UInt32], [UInt32]) {
    let shared = (0..<common).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
    let a = shared + (0..<only).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
    let b = shared + (0..<only).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
    return (Array(Set(a)).sorted(), Array(Set(b)).sorted())
}

@Suite struct MinHashTests {
    @Test(arguments: [
        ([1, 2, 3], [1, 2, 3], 1.0), ([1, 2, 3], [4, 5, 6], 0.0), ([1, 2, 3, 4], [3, 4, 5, 6], 2.0 / 6.0),
        ([], [1], 0.0), ([1], [1, 2], 0.5),
    ] as [([UInt32], [UInt32], Double)])
    func exactJaccard(_ a: [UInt32], _ b: [UInt32], _ expected: Double) {
        #expect(abs(Jaccard.exact(a, b) - expected) < 1e-12)
        #expect(abs(Jaccard.exact(b, a) - expected) < 1e-12)
    }

    @Test func signaturesAreDeterministic() {
        let s: [UInt32] = [5, 17, 99, 1234]
        #expect(MinHasher(permutations: 64).signature(s) == MinHasher(permutations: 64).signature(s))
        #expect(MinHasher(permutations: 64).signature(s).count == 64)
        #expect(MinHasher(permutations: 64).signature([]).allSatisfy { $0 == .max })
    }

    /// LSH needs only the first bands × rows values: a shorter hasher computes exactly that prefix.
    @Test func shorterHasherIsAPrefix() {
        let s: [UInt32] = [3, 1_000, 77_777, 123_456_789]
        #expect(MinHasher(permutations: 16).signature(s) == Array(MinHasher(permutations: 128).signature(s).prefix(16)))
        let p = DuplicateParameters.standard
        #expect(p.lsh.keys(p.lshHasher.signature(s)) == p.lsh.keys(p.hasher.signature(s)))
    }

    /// The estimate is unbiased and its spread matches sqrt(J(1-J)/k).
    @Test(arguments: [(20, 5), (10, 10), (30, 2), (5, 20)])
    func estimateTracksExact(_ common: Int, _ only: Int) {
        var rng = TestRandom(state: UInt64(common * 100 + only))
        let hasher = MinHasher(permutations: 128)
        var errors: [Double] = []
        var exact = 0.0
        for _ in 0..<300 {
            let (a, b) = pair(common: common, only: only, rng: &rng)
            exact = Jaccard.exact(a, b)
            errors.append(Jaccard.estimate(hasher.signature(a), hasher.signature(b)) - exact)
        }
        let mean = errors.reduce(0, +) / Double(errors.count)
        let sd = (errors.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(errors.count)).squareRoot()
        let expectedSD = (exact * (1 - exact) / 128).squareRoot()
        #expect(abs(mean) < 0.015)
        #expect(sd < expectedSD * 1.3 + 0.005)
    }

    @Test(arguments: [(16, 4, 0.7, 0.988), (16, 4, 0.3, 0.122), (10, 3, 0.7, 0.985), (10, 3, 0.9, 1.0),
                      (10, 3, 0.3, 0.240), (10, 3, 0.5, 0.737)])
    func bandingCurve(_ bands: Int, _ rows: Int, _ j: Double, _ p: Double) {
        #expect(abs(LSHBands(bands: bands, rows: rows).candidateProbability(j) - p) < 0.002)
    }

    @Test func bandKeysDifferByBand() {
        let sig = [UInt32](repeating: 7, count: 30)
        let keys = LSHBands(bands: 10, rows: 3).keys(sig)
        #expect(keys.count == 10)
        #expect(Set(keys).count == 10)
    }

    /// The in-memory index against a brute-force all-pairs join: never a pair below the threshold, and the
    /// recall the banding curve promises.
    @Test func indexMatchesBruteForce() {
        var rng = TestRandom(state: 7)
        var sets: [[UInt32]] = []
        // Families of variants of a base text, plus unrelated noise.
        for _ in 0..<60 {
            let base = (0..<20).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
            for _ in 0..<4 {
                var v = base
                for _ in 0..<rng.below(5) { v[rng.below(v.count)] = UInt32(truncatingIfNeeded: rng.next()) }
                sets.append(Array(Set(v)).sorted())
            }
        }
        for _ in 0..<200 { sets.append((0..<15).map { _ in UInt32(truncatingIfNeeded: rng.next()) }.sorted()) }

        var truth = Set<[Int]>()
        for i in 0..<sets.count {
            for j in (i + 1)..<sets.count where Jaccard.exact(sets[i], sets[j]) >= 0.7 { truth.insert([i, j]) }
        }
        var index = NearDuplicateIndex()
        var found = Set<[Int]>()
        for (i, s) in sets.enumerated() {
            for (g, j) in index.neighbours(of: s) {
                #expect(j >= 0.7)
                for m in index.groups[g].members { found.insert([m, i]) }
            }
            if let g = index.group(of: s) { for m in index.groups[g].members { found.insert([m, i]) } }
            index.insert(item: i, shingles: s)
        }
        #expect(found.isSubset(of: truth))
        #expect(truth.count > 100)
        #expect(Double(found.count) / Double(truth.count) >= 0.97)
    }

    @Test func exactCopiesShareAGroup() {
        var index = NearDuplicateIndex()
        #expect(index.insert(item: 0, shingles: [1, 2, 3])?.isNew == true)
        #expect(index.insert(item: 1, shingles: [1, 2, 3])?.isNew == false)
        #expect(index.insert(item: 2, shingles: []) == nil)
        #expect(index.groups.count == 1)
        #expect(index.groups[0].members == [0, 1])
    }
}
