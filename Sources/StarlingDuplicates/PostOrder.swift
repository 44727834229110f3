// Which post of a near-duplicate group comes first: the cluster id is the earliest post, by created_at, then id.
// Ids compare "naturally" (digit runs as numbers), so Twitter ids of different lengths and `train-9` /
// `train-10` order as people expect. A post without a time sorts after every dated post; a post known only as
// the original of some reshare (not itself indexed) sorts before everything, because it must be the earliest.

/// The ordering key of a post for choosing a cluster's first post.
public struct PostOrder: Sendable, Comparable, CustomStringConvertible {
    /// Unix seconds; `+infinity` when unknown, `-infinity` for an original that is not in the index.
    public var time: Double
    /// The post id.
    public var id: String

    /// The key of a post created at `time` (nil when unknown).
    public init(time: Double?, id: String) {
        self.time = time ?? .infinity
        self.id = id
    }

    /// The key of an original known only through its reshares.
    public static func absentOriginal(_ id: String) -> PostOrder {
        var o = PostOrder(time: nil, id: id)
        o.time = -.infinity
        return o
    }

    /// `id@time`.
    public var description: String { "\(id)@\(time)" }

    /// Time first, then the natural order of ids.
    public static func < (l: PostOrder, r: PostOrder) -> Bool {
        if l.time != r.time { return l.time < r.time }
        return naturalLess(l.id, r.id)
    }

    /// Equal keys are the same post.
    public static func == (l: PostOrder, r: PostOrder) -> Bool { l.time == r.time && l.id == r.id }

    /// Compares digit runs by value and everything else byte-wise.
    ///
    /// - Complexity: O(n).
    public static func naturalLess(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var i = 0, j = 0
        func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
        while i < x.count && j < y.count {
            if isDigit(x[i]) && isDigit(y[j]) {
                var ie = i, je = j
                while ie < x.count && isDigit(x[ie]) { ie += 1 }
                while je < y.count && isDigit(y[je]) { je += 1 }
                // Skip leading zeros, then the longer run is the larger number.
                var is0 = i, js0 = j
                while is0 < ie - 1 && x[is0] == 0x30 { is0 += 1 }
                while js0 < je - 1 && y[js0] == 0x30 { js0 += 1 }
                if ie - is0 != je - js0 { return ie - is0 < je - js0 }
                for k in 0..<(ie - is0) where x[is0 + k] != y[js0 + k] { return x[is0 + k] < y[js0 + k] }
                if ie - i != je - j { return ie - i < je - j }
                i = ie
                j = je
            } else {
                if x[i] != y[j] { return x[i] < y[j] }
                i += 1
                j += 1
            }
        }
        return x.count - i < y.count - j
    }
}
