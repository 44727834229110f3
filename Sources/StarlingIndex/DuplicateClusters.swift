// Near-duplicate clusters, kept right on the single writer thread as posts are written and deleted.
//
// A cluster is a connected component of the graph whose edges are (a) pairs of posts with exact Jaccard at or
// above the threshold, found through the LSH buckets (BucketStore; `XNB` terms in indexes made before it), and
// (b) explicit reshares (a post and the post it reshares). Its id, in ValueSlot.cluster, is its first post (PostOrder: created_at, then id). A component
// is a function of the set of posts, so the ids do not depend on the order the posts arrive in.
//
// How it stays cheap: posts with the same shingle set (exact copies) share one bucket entry, held by the first
// of them (the "representative"); a Bloom filter of everything written in this run answers "never seen"
// without touching Xapian for most posts of a fresh index. When a post links clusters, the later cluster's
// posts are relabelled lazily: an in-memory alias map resolves stale ids during the batch, and `flush` rewrites
// the values (values only, no terms) after the batch is committed, then commits again. A post that joins an
// existing cluster carries an immutable label term (XNK + the cluster it joined; a post starting its own cluster
// is found by its id term instead); the labels merged into a cluster are kept in metadata, so its posts can be
// found (and filtered by their current value) without scanning the index.
import Foundation
import StarlingDuplicates
import StarlingModel
import XapianKit

/// The writer-side state of near-duplicate clustering. Use from one thread (the index writer) only.
public final class DuplicateClusterWriter: @unchecked Sendable {
    /// The settings the index is built with.
    public let parameters: DuplicateParameters
    private let hasher: MinHasher
    private var bloom: BloomFilter?
    /// Whether the index was empty when this writer first saw it, so the Bloom filter knows all it holds.
    private var complete = false
    /// Pending merges: a cluster id that was absorbed -> the id it joined (resolved transitively).
    private var alias: [String: String] = [:]
    /// Clusters whose first post must be recomputed at the next flush (an original arrived after its reshares).
    private var recompute: Set<String> = []
    private var orderCache: [String: PostOrder] = [:]
    /// The bucket file, when the index keeps its buckets there (opened by `start`).
    private var store: BucketStore?
    /// The bucket keys the post being written holds, filed under its docid by `written(docid:)`.
    private var keysToFile: [UInt32] = []

    /// The most bucket entries read and verified by exact Jaccard for one post (newest first).
    static let maxVerifiedCandidates = 32
    /// A bucket holding this many posts takes no more: a campaign of varied copies is already one cluster by
    /// then, and unbounded buckets would make every later copy slower to place.
    static let maxBucketEntries = 48

    /// Metadata key holding the labels merged into a cluster (besides the cluster id itself), one a line.
    public static let labelsKey = "dup.labels."

    /// A writer using `parameters`.
    public init(parameters: DuplicateParameters = .standard) {
        self.parameters = parameters
        hasher = parameters.lshHasher
    }

    // MARK: - Keys and terms

    /// The bucket term of a band key, in the format of the index's settings.
    @inline(__always)
    func bucketTerm(_ key: UInt64) -> String { parameters.bucketTerm(key) }
    /// The exact-copy term of a shingle set.
    @inline(__always)
    static func setTerm(_ shingles: [UInt32]) -> String {
        TermPrefix.shingleSet + hex(Shingler.setKey(shingles), digits: 16)
    }
    /// The label term of a cluster id.
    static func labelTerm(_ cluster: String) -> String { DocumentBuilder.clip(TermPrefix.clusterLabel + cluster) }

    /// Lower-case hex with leading zeros.
    static func hex(_ v: UInt64, digits: Int) -> String {
        let table: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: digits) { buf in
            for i in 0..<digits { buf[i] = table[Int((v >> UInt64(4 * (digits - 1 - i))) & 15)] }
            return digits
        }
    }

    @inline(__always)
    private func seen(_ term: String) -> Bool {
        guard complete, let bloom else { return true }
        return bloom.mayContain(StableHash.string(term))
    }

    @inline(__always)
    private func remember(_ term: String) {
        bloom?.insert(StableHash.string(term))
    }

    /// Metadata key of the settings the index was built with (DuplicateParameters.metadataText).
    public static let parametersKey = "dup.parameters"

    private func start(_ database: WritableDatabase) throws {
        guard bloom == nil else { return }
        bloom = BloomFilter()
        complete = try database.documentCount() == 0
        let stored = try database.metadata(Self.parametersKey)
        if stored.isEmpty {
            try database.setMetadata(Self.parametersKey, parameters.metadataText)
        } else if DuplicateParameters(metadataText: stored) != parameters {
            throw DuplicateIndexError.parametersDiffer(index: stored, requested: parameters.metadataText)
        }
        if parameters.buckets == .file {
            guard let folder = database.path else { throw BucketStoreError.noFolder }
            var heirs: [String: UInt32] = [:]  // exact-copy term -> the copy holding the set, found once a text
            let opened = try BucketStore.openForWriting(
                folder: folder, database: database,
                holderKeys: { [unowned self] d in try self.holderKeys(of: d, database, heirs: &heirs) },
                keysOf: { [unowned self] d in try self.fileKeys(of: d, database) })
            store = opened
            database.addCommitHook { db in try opened.persist(db) }
        }
    }

    /// The bucket keys of post `docid`'s shingles (nil: no such post or no shingles).
    private func fileKeys(of docid: UInt32, _ database: Database) throws -> [UInt32]? {
        let shingles = try Self.shingles(of: docid, database)
        guard !shingles.isEmpty else { return nil }
        return parameters.lsh.keys(hasher.signature(shingles)).map(DuplicateParameters.bucketKey)
    }

    /// The bucket keys post `docid` holds: nil unless it is a bucket holder (the first post of its text, or the
    /// heir of one that was deleted or replaced).
    ///
    /// A post carrying the exact-copy term holds the buckets only as such an heir: the first of the text's copies
    /// that keeps the set itself (the others refer to it; in an index written before references every copy keeps
    /// the set, and the first is taken). `heirs` remembers each text's heir between calls.
    private func holderKeys(of docid: UInt32, _ database: Database, heirs: inout [String: UInt32]) throws
        -> [UInt32]?
    {
        let stored = try database.value(docid, slot: ValueSlot.shingles)
        guard ShingleCoding.referencedDocid(stored) == nil else { return nil }
        let shingles = ShingleCoding.decode(stored)
        guard !shingles.isEmpty else { return nil }
        let setTerm = Self.setTerm(shingles)
        let copies = try database.postings(setTerm)
        if copies.contains(docid) {
            if heirs[setTerm] == nil {
                heirs[setTerm] = try copies.first {
                    ShingleCoding.referencedDocid(try database.value($0, slot: ValueSlot.shingles)) == nil
                } ?? 0
            }
            if heirs[setTerm] != docid { return nil }
        }
        return parameters.lsh.keys(hasher.signature(shingles)).map(DuplicateParameters.bucketKey)
    }

    /// The shingle set of document `docid`, read without its stored post; empty when there is no such document
    /// (bucket entries outlive the posts they were filed for) or it has no shingles.
    public static func shingles(of docid: UInt32, _ database: Database) throws -> [UInt32] {
        try shingles(stored: database.value(docid, slot: ValueSlot.shingles), database)
    }

    /// The shingle set a shingles value stands for: the set itself, or for a copy the set of the post it refers to.
    /// References are never chained (a copy refers to the post holding the set, and `repairBeforeRemoval`
    /// re-points them when that post goes), so this reads at most one more value.
    public static func shingles(stored value: [UInt8], _ database: Database) throws -> [UInt32] {
        guard let target = ShingleCoding.referencedDocid(value) else { return ShingleCoding.decode(value) }
        return ShingleCoding.decode(try database.value(target, slot: ValueSlot.shingles))
    }

    /// The document holding the shingle set of document `docid`: itself, unless it is a copy holding a reference.
    static func holder(of docid: UInt32, _ database: Database) throws -> UInt32 {
        ShingleCoding.referencedDocid(try database.value(docid, slot: ValueSlot.shingles)) ?? docid
    }

    /// The posts filed under the bucket of band key `key`.
    private func bucket(_ key: UInt64, _ database: Database) throws -> [UInt32] {
        if let store { return store.docids(DuplicateParameters.bucketKey(key)) }
        let term = bucketTerm(key)
        return seen(term) ? try database.postings(term) : []
    }

    /// Whether post `docid` holds the buckets of `keys` (checked on the first: they are filed together).
    private func holds(_ keys: [UInt64], _ docid: UInt32, _ database: Database) throws -> Bool {
        if let store { return store.contains(DuplicateParameters.bucketKey(keys[0]), docid) }
        return try database.postings(bucketTerm(keys[0])).contains(docid)
    }

    /// Files post `docid` under `keys`: entries in the bucket file, or terms added to `document`.
    private func file(_ keys: [UInt64], docid: UInt32?, document: Document?, _ database: WritableDatabase) throws {
        if store != nil {
            if let docid {
                for key in keys { store!.add(DuplicateParameters.bucketKey(key), docid) }
            } else {
                keysToFile = keys.map(DuplicateParameters.bucketKey)
            }
        } else if let document {
            for key in keys {
                let term = bucketTerm(key)
                document.addBooleanTerm(term)
                remember(term)
            }
        }
    }

    /// Files the post just written (as `docid`) under the buckets `assign` decided it holds.
    public func written(docid: UInt32) {
        guard let store, !keysToFile.isEmpty else { return }
        for key in keysToFile { store.add(key, docid) }
        keysToFile = []
    }

    // MARK: - Reading posts back

    /// The current cluster of a cluster id seen in the index (pending merges applied).
    func resolve(_ cluster: String) -> String {
        var c = cluster
        var hops = 0
        while let next = alias[c], next != c, hops < 10_000 {
            c = next
            hops += 1
        }
        if hops > 1 { alias[cluster] = c }
        return c
    }

    private func docid(of id: String, _ database: Database) throws -> UInt32? {
        try database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first
    }

    /// The order key of the post `id` (an absent original sorts first).
    func order(of id: String, _ database: Database) throws -> PostOrder {
        if let o = orderCache[id] { return o }
        let o: PostOrder
        if let d = try docid(of: id, database) {
            let v = try database.value(d, slot: ValueSlot.createdAt)
            o = PostOrder(time: v.isEmpty ? nil : Sortable.unserialise(v), id: id)
        } else {
            o = .absentOriginal(id)
        }
        if orderCache.count > 1_000_000 { orderCache.removeAll(keepingCapacity: true) }
        orderCache[id] = o
        return o
    }

    /// The cluster value of document `docid`, read without its stored post ("" when there is no such document).
    static func cluster(of docid: UInt32, _ database: Database) throws -> String {
        String(decoding: try database.value(docid, slot: ValueSlot.cluster), as: UTF8.self)
    }

    static func time(_ document: Document) -> Double? {
        let v = document.value(ValueSlot.createdAt)
        return v.isEmpty ? nil : Sortable.unserialise(v)
    }

    /// The labels merged into `cluster`, itself included.
    static func labels(of cluster: String, _ database: Database) throws -> Set<String> {
        var out: Set<String> = [cluster]
        let stored = try database.metadata(labelsKey + cluster)
        for l in stored.split(separator: "\n") where !l.isEmpty { out.insert(String(l)) }
        return out
    }

    /// The docids whose cluster value is `cluster`.
    ///
    /// - Complexity: O(m) document reads for the m posts carrying one of the cluster's labels.
    static func members(of cluster: String, _ database: Database) throws -> [UInt32] {
        var docs = Set<UInt32>()
        for label in try labels(of: cluster, database) {
            for d in try database.postings(labelTerm(label)) { docs.insert(d) }
            // Labels are post ids: the post that started a cluster carries no label term.
            for d in try database.postings(DocumentBuilder.clip(TermPrefix.id + label)) { docs.insert(d) }
        }
        var out: [UInt32] = []
        for d in docs.sorted() where try Self.cluster(of: d, database) == cluster {
            out.append(d)
        }
        return out
    }

    private func addLabels(_ extra: Set<String>, to cluster: String, _ database: WritableDatabase) throws {
        var all = try Self.labels(of: cluster, database)
        let before = all.count
        all.formUnion(extra)
        guard all.count != before else { return }
        all.remove(cluster)
        try database.setMetadata(Self.labelsKey + cluster, all.sorted().joined(separator: "\n"))
    }

    // MARK: - Writing

    /// Decides the cluster of post `id` about to be written as `document` (whose shingles value the stage set
    /// on a worker thread) and adds its bucket and label terms. Call just before the document is written.
    ///
    /// - Complexity: for a post never seen before, O(s·k) for its signature and no Xapian lookup on a fresh
    ///   index; otherwise one postings lookup per band plus one document read per candidate bucket entry.
    public func assign(id: String, document: Document, database: WritableDatabase) throws {
        try start(database)
        keysToFile = []
        let shingles = ShingleCoding.decode(document.value(ValueSlot.shingles))
        let preset = document.stringValue(ValueSlot.cluster)
        let reshareOf = (preset.isEmpty || preset == id) ? nil : preset
        let me = PostOrder(time: Self.time(document), id: id)
        let idTerm = DocumentBuilder.clip(TermPrefix.id + id)
        let setTerm = shingles.isEmpty ? "" : Self.setTerm(shingles)

        // An upsert: the old version leaves first (a copy with the same text keeps its place cheaply).
        var replacing: UInt32?
        if seen(idTerm), let old = try database.postings(idTerm).first {
            replacing = old
            if try carryOver(old: old, id: id, shingles: shingles, me: me, reshareOf: reshareOf,
                             document: document, database: database) {
                return
            }
            try repairBeforeRemoval(docid: old, database: database)
        }

        var roots: [String] = []
        var representative = false
        var copy = false
        var keys: [UInt64] = []
        var full = Set<UInt64>()
        var source: UInt32?  // for a copy: the post holding its shingle set
        if !shingles.isEmpty {
            if seen(setTerm), let other = try database.postings(setTerm).first {
                // A copy of a copy: that one's cluster already holds every near-duplicate of this text.
                roots.append(resolve(try Self.cluster(of: other, database)))
                copy = true
                source = try Self.holder(of: other, database)
            } else {
                keys = parameters.lsh.keys(hasher.signature(shingles))
                var candidates = Set<UInt32>()
                for key in keys {
                    let entries = try bucket(key, database)
                    candidates.formUnion(entries)
                    if entries.count >= Self.maxBucketEntries { full.insert(key) }
                }
                // A campaign of slightly varied copies fills its buckets with thousands of representatives;
                // checking every one would make ingest quadratic. Only the newest ones are read (they carry their
                // cluster's current id), and once a cluster has matched its other members are not verified again.
                var matched = Set<String>()
                for d in candidates.sorted(by: >).prefix(Self.maxVerifiedCandidates) {
                    // Values only (no stored post to read and inflate); a post deleted since reads as empty.
                    let cluster = resolve(try Self.cluster(of: d, database))
                    if matched.contains(cluster) { continue }
                    let theirs = try Self.shingles(of: d, database)
                    if theirs.isEmpty { continue }
                    if theirs == shingles {
                        copy = true
                        source = try Self.holder(of: d, database)
                    }
                    if Jaccard.exact(shingles, theirs) >= parameters.threshold {
                        roots.append(cluster)
                        matched.insert(cluster)
                    }
                }
                representative = !copy
            }
        }
        if let original = reshareOf {
            if seen(DocumentBuilder.clip(TermPrefix.id + original)), let d = try docid(of: original, database) {
                roots.append(resolve(try Self.cluster(of: d, database)))
            } else {
                roots.append(resolve(original))
            }
        }
        // Reshares written before their original: this post was their (absent) first post until now.
        // Their cluster was ordered as if this post came first; once its real time is known, recompute it.
        let reshareTerm = DocumentBuilder.clip(TermPrefix.reshareOf + id)
        var wasAbsentFirst = false
        if seen(reshareTerm), let r = try database.postings(reshareTerm).first {
            let root = resolve(try Self.cluster(of: r, database))
            roots.append(root)
            wasAbsentFirst = root == id
        }

        var best = me
        for r in Set(roots) where r != id {
            let o = try order(of: r, database)
            if o < best { best = o }
        }
        for r in Set(roots) where r != best.id { alias[r] = best.id }
        if wasAbsentFirst { recompute.insert(best.id) }
        // Only ids looked up before (as absent originals) need their cached order corrected.
        if orderCache[id] != nil { orderCache[id] = me }

        document.setValue(ValueSlot.cluster, best.id)
        // A post that starts its own cluster is found through its id term; only joiners need a label term
        // (one unique term fewer per post: unique terms are what make Xapian's commits slow).
        if best.id != id { document.addBooleanTerm(Self.labelTerm(best.id)) }
        // The first post of a text holds its bucket terms; later copies get the exact-copy term instead, so a
        // cascade of a thousand copies costs one bucket entry per band.
        if representative {
            try file(keys.filter { !full.contains($0) }, docid: nil, document: document, database)
        } else if copy {
            document.addBooleanTerm(setTerm)
            remember(setTerm)
            // A copy stores a 5-byte reference to the post holding its set instead of the set (45 bytes on
            // average). Not to itself: an upsert whose old version holds the set keeps it (same docid).
            if let source, source != replacing {
                document.setValue(ValueSlot.shingles, ShingleCoding.reference(to: source))
            }
        }
        remember(idTerm)
        if let original = reshareOf { remember(DocumentBuilder.clip(TermPrefix.reshareOf + original)) }
    }

    /// Re-writing a post whose text, time and original are unchanged keeps its cluster and bucket entries.
    private func carryOver(old: UInt32, id: String, shingles: [UInt32], me: PostOrder, reshareOf: String?,
                           document: Document, database: WritableDatabase) throws -> Bool {
        let previous = try database.document(old)
        let previousShingles = previous.value(ValueSlot.shingles)
        guard try Self.shingles(stored: previousShingles, database) == shingles,
              Self.time(previous) == (me.time.isFinite ? me.time : nil),
              Self.reshareOf(previous) == reshareOf
        else { return false }
        let cluster = resolve(previous.stringValue(ValueSlot.cluster))
        document.setValue(ValueSlot.cluster, cluster)
        if cluster != id { document.addBooleanTerm(Self.labelTerm(cluster)) }
        if !shingles.isEmpty {
            let keys = parameters.lsh.keys(hasher.signature(shingles))
            if try holds(keys, old, database) {
                try file(keys, docid: nil, document: document, database)
            } else {
                document.addBooleanTerm(Self.setTerm(shingles))
                if ShingleCoding.referencedDocid(previousShingles) != nil {
                    document.setValue(ValueSlot.shingles, previousShingles)
                }
            }
        }
        return true
    }

    static func post(_ document: Document) -> Post? {
        StoredPost.post(document.dataBytes)
    }

    static func reshareOf(_ document: Document) -> String? { post(document)?.reshareOf }

    /// Applies pending merges (rewriting the cluster values of absorbed clusters) and recomputes clusters whose
    /// original arrived late. Returns whether anything was written (the caller then commits).
    ///
    /// - Complexity: O(m) document reads and rewrites for the m posts of the absorbed clusters.
    @discardableResult
    public func flush(database: WritableDatabase) throws -> Bool {
        var wrote = false
        let again = Set(recompute.map(resolve))
        recompute.removeAll()
        let pending = alias.keys.sorted()
        for old in pending {
            let target = resolve(old)
            if target == old { continue }
            for d in try Self.members(of: old, database) {
                let doc = try database.document(d)
                doc.setValue(ValueSlot.cluster, target)
                try database.replaceDocument(d, doc)
                wrote = true
            }
            var moved = try Self.labels(of: old, database)
            moved.insert(old)
            try addLabels(moved, to: target, database)
            if try !database.metadata(Self.labelsKey + old).isEmpty {
                try database.setMetadata(Self.labelsKey + old, "")
            }
            wrote = true
        }
        alias.removeAll(keepingCapacity: true)
        for cluster in again.sorted() {
            if try recluster(members: Self.members(of: cluster, database), oldCluster: cluster, database: database) {
                wrote = true
            }
        }
        return wrote
    }

    /// Keeps clusters right when document `docid` is about to be deleted (or replaced by a different post):
    /// hands its bucket terms to another exact copy if it held them, and re-splits its cluster without it.
    /// Call on the writer thread before the deletion; it writes the changes but does not commit.
    ///
    /// - Complexity: O(m) document reads for the m posts of its cluster, plus the reclustering of those posts.
    public func repairBeforeRemoval(docid: UInt32, database: WritableDatabase) throws {
        try start(database)
        try flush(database: database)
        orderCache.removeAll(keepingCapacity: true)
        let doc = try database.document(docid)
        let cluster = doc.stringValue(ValueSlot.cluster)
        // Empty for a copy (it holds a reference, and nothing depends on it) or a post without shingles.
        let stored = doc.value(ValueSlot.shingles)
        let shingles = ShingleCoding.decode(stored)
        if !shingles.isEmpty {
            let copies = try database.postings(Self.setTerm(shingles)).filter { $0 != docid }
            if let heir = copies.first {
                // The first copy inherits the set (and the buckets, if this post held them); the other copies
                // that referred to this post refer to the heir.
                let h = try database.document(heir)
                var changed = false
                if ShingleCoding.referencedDocid(h.value(ValueSlot.shingles)) != nil {
                    h.setValue(ValueSlot.shingles, stored)
                    changed = true
                }
                let keys = parameters.lsh.keys(hasher.signature(shingles))
                if try holds(keys, docid, database) {
                    if store != nil {
                        try file(keys, docid: heir, document: nil, database)
                    } else {
                        try file(keys, docid: nil, document: h, database)
                        changed = true
                    }
                }
                if changed { try database.replaceDocument(heir, h) }
                for c in copies.dropFirst()
                where ShingleCoding.referencedDocid(try database.value(c, slot: ValueSlot.shingles)) == docid {
                    let copy = try database.document(c)
                    copy.setValue(ValueSlot.shingles, ShingleCoding.reference(to: heir))
                    try database.replaceDocument(c, copy)
                }
            }
        }
        guard !cluster.isEmpty else { return }
        let rest = try Self.members(of: cluster, database).filter { $0 != docid }
        if rest.isEmpty {
            if try !database.metadata(Self.labelsKey + cluster).isEmpty {
                try database.setMetadata(Self.labelsKey + cluster, "")
            }
            return
        }
        try recluster(members: rest, oldCluster: cluster, database: database, removed: docid)
    }

    /// Splits `members` (all of one cluster) into connected components again and relabels them.
    /// Returns whether any document or label changed.
    @discardableResult
    private func recluster(members: [UInt32], oldCluster: String, database: WritableDatabase,
                           removed: UInt32? = nil) throws -> Bool {
        struct Member { var docid: UInt32; var document: Document; var post: Post?; var order: PostOrder }
        var list: [Member] = []
        for d in members {
            let doc = try database.document(d)
            let post = Self.post(doc)
            list.append(Member(docid: d, document: doc, post: post,
                               order: PostOrder(time: Self.time(doc), id: post?.id ?? "")))
        }
        var index = NearDuplicateIndex(parameters: parameters)
        var originals: [String: Int] = [:]  // absent originals become extra nodes
        let byID = Dictionary(list.enumerated().map { ($0.element.order.id, $0.offset) }, uniquingKeysWith: { a, _ in a })
        var extraOrders: [PostOrder] = []
        var edges: [(Int, Int)] = []
        var groupOwner: [Int: Int] = [:]
        for (i, m) in list.enumerated() {
            let shingles = try Self.shingles(stored: m.document.value(ValueSlot.shingles), database)
            if !shingles.isEmpty {
                for (g, _) in index.neighbours(of: shingles) { if let o = groupOwner[g] { edges.append((i, o)) } }
                if let (g, isNew) = index.insert(item: i, shingles: shingles) {
                    if isNew { groupOwner[g] = i } else if let o = groupOwner[g] { edges.append((i, o)) }
                }
            }
            if let r = m.post?.reshareOf {
                if let j = byID[r] {
                    edges.append((i, j))
                } else {
                    let k: Int
                    if let known = originals[r] { k = known } else {
                        k = list.count + extraOrders.count
                        originals[r] = k
                        extraOrders.append(.absentOriginal(r))
                    }
                    edges.append((i, k))
                }
            }
        }
        var sets = UnionFind(count: list.count + extraOrders.count)
        for (a, b) in edges { sets.union(a, b) }
        func order(_ i: Int) -> PostOrder { i < list.count ? list[i].order : extraOrders[i - list.count] }
        var first: [Int: PostOrder] = [:]
        for i in 0..<(list.count + extraOrders.count) {
            let r = sets.find(i)
            if let f = first[r], f <= order(i) { continue }
            first[r] = order(i)
        }
        var changed = false
        var labels = try Self.labels(of: oldCluster, database)
        labels.insert(oldCluster)
        var roots = Set<String>()
        for (i, m) in list.enumerated() {
            guard let root = first[sets.find(i)]?.id, !root.isEmpty else { continue }
            roots.insert(root)
            if m.document.stringValue(ValueSlot.cluster) != root {
                m.document.setValue(ValueSlot.cluster, root)
                try database.replaceDocument(m.docid, m.document)
                changed = true
            }
        }
        // Every new cluster inherits all labels of the old one: members are filtered by value anyway.
        for root in roots where root != oldCluster {
            try addLabels(labels, to: root, database)
            changed = true
        }
        if !roots.contains(oldCluster), try !database.metadata(Self.labelsKey + oldCluster).isEmpty {
            try database.setMetadata(Self.labelsKey + oldCluster, "")
            changed = true
        }
        _ = removed
        return changed
    }
}

/// Errors of near-duplicate indexing.
public enum DuplicateIndexError: Error, CustomStringConvertible, Sendable {
    /// The index was built with other near-duplicate settings; mixing them would break its buckets.
    case parametersDiffer(index: String, requested: String)

    public var description: String {
        switch self {
        case .parametersDiffer(let index, let requested):
            return "the index was built with near-duplicate settings '\(index)', not '\(requested)'; rebuild it with `starling rebuild` (it indexes the stored posts again)"
        }
    }
}
