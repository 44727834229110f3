// An in-memory LSH index of shingle sets: the reference for the on-disk buckets, the engine of the benchmark,
// and the tool for re-clustering a handful of posts after a deletion.
//
// Posts with identical shingle sets share one group, and only groups go into buckets, so a cascade of a
// thousand identical reshares costs one bucket entry, not a thousand (the index does the same with terms).

/// Groups of identical shingle sets, bucketed by LSH, with exact-Jaccard verification of candidates.
public struct NearDuplicateIndex: Sendable {
    /// One distinct shingle set and the items that have it.
    public struct Group: Sendable {
        /// The sorted shingle hashes.
        public var shingles: [UInt32]
        /// The MinHash signature of `shingles` (the LSH prefix, `bands × rows` long).
        public var signature: [UInt32]
        /// Items (caller-chosen numbers) with exactly these shingles, in insertion order.
        public var members: [Int]
    }

    /// The settings.
    public let parameters: DuplicateParameters
    private let hasher: MinHasher
    /// The distinct shingle sets.
    public private(set) var groups: [Group] = []
    private var groupOfSet: [UInt64: Int] = [:]
    private var buckets: [UInt64: [Int32]] = [:]

    /// An empty index.
    public init(parameters: DuplicateParameters = .standard) {
        self.parameters = parameters
        hasher = parameters.lshHasher
    }

    /// The group holding exactly `shingles`, if any.
    public func group(of shingles: [UInt32]) -> Int? {
        groupOfSet[Shingler.setKey(shingles)]
    }

    /// Groups sharing a bucket with `signature` (unverified candidates), ascending.
    ///
    /// - Complexity: O(b + c log c) for b bands and c candidates.
    public func candidates(signature: [UInt32]) -> [Int] {
        candidates(keys: parameters.lsh.keys(signature))
    }

    /// Groups in the buckets `keys`, ascending and without repeats.
    public func candidates(keys: [UInt64]) -> [Int] {
        var out: [Int] = []
        for key in keys {
            if let list = buckets[key] { for g in list { out.append(Int(g)) } }
        }
        if out.count > 1 {
            out.sort()
            var w = 1
            for i in 1..<out.count where out[i] != out[w - 1] {
                out[w] = out[i]
                w += 1
            }
            out.removeLast(out.count - w)
        }
        return out
    }

    /// Groups whose exact Jaccard with `shingles` reaches the threshold, with that Jaccard.
    ///
    /// - Complexity: O(b + c · s) for c candidates of s shingles.
    public func neighbours(of shingles: [UInt32], signature: [UInt32]? = nil) -> [(group: Int, jaccard: Double)] {
        if shingles.isEmpty { return [] }
        return neighbours(of: shingles, keys: parameters.lsh.keys(signature ?? hasher.signature(shingles)))
    }

    /// Like `neighbours(of:signature:)` with the bucket keys already computed.
    public func neighbours(of shingles: [UInt32], keys: [UInt64]) -> [(group: Int, jaccard: Double)] {
        var out: [(Int, Double)] = []
        for g in candidates(keys: keys) {
            let j = Jaccard.exact(shingles, groups[g].shingles)
            if j >= parameters.threshold { out.append((g, j)) }
        }
        return out
    }

    /// Adds `item` with `shingles` and returns its group and whether that group is new. Empty sets are not
    /// indexed (they match nothing) and return nil.
    ///
    /// - Complexity: O(s · k) for the signature of a new set, O(s) for a copy of a known one.
    @discardableResult
    public mutating func insert(item: Int, shingles: [UInt32], signature: [UInt32]? = nil, keys: [UInt64]? = nil)
        -> (group: Int, isNew: Bool)? {
        if shingles.isEmpty { return nil }
        let key = Shingler.setKey(shingles)
        if let g = groupOfSet[key] {
            groups[g].members.append(item)
            return (g, false)
        }
        let sig = signature ?? hasher.signature(shingles)
        let g = groups.count
        groups.append(Group(shingles: shingles, signature: sig, members: [item]))
        groupOfSet[key] = g
        for k in keys ?? parameters.lsh.keys(sig) { buckets[k, default: []].append(Int32(g)) }
        return (g, true)
    }
}

/// Disjoint sets over 0..<n with path halving and union by size.
public struct UnionFind: Sendable {
    private var parent: [Int]
    private var size: [Int]

    /// `n` singletons.
    public init(count n: Int) {
        parent = Array(0..<n)
        size = Array(repeating: 1, count: n)
    }

    /// The representative of `x`'s set.
    ///
    /// - Complexity: amortised nearly O(1).
    public mutating func find(_ x: Int) -> Int {
        var x = x
        while parent[x] != x {
            parent[x] = parent[parent[x]]
            x = parent[x]
        }
        return x
    }

    /// Joins the sets of `x` and `y`.
    public mutating func union(_ x: Int, _ y: Int) {
        var a = find(x), b = find(y)
        if a == b { return }
        if size[a] < size[b] { swap(&a, &b) }
        parent[b] = a
        size[a] += size[b]
    }
}
