// Every document's similarity vector in memory, twice: by document (term ids and wdf, for exact re-scoring without a
// Xapian term-list read) and by term (docids and wdf, for the max-score pass without a Xapian posting-list copy).
// Built once by reading every term list (tens of seconds per million posts), then kept in a file inside the index
// directory and loaded in a fraction of a second; the by-term half is rebuilt from the by-document half on load.
//
// Terms are known by a stable 64-bit hash of their bytes (FNV-1a), so the file needs no string table and a query
// term is found by binary search. Two terms sharing a hash would merge their postings; among millions of terms the
// chance of any collision is about 1e-7, and the final hits are re-scored from Xapian's own term lists anyway.
//
// Freshness: the file records the Xapian revision it was built at and each document's length. An index that moved
// on since is checked document by document on load (lengths compared), and documents added, replaced or deleted
// since are held in a per-searcher overlay (`SimilarityOverlay`); the base is rebuilt when the overlay or the
// document count has drifted by more than `maxDrift`.
import Foundation
import StarlingModel
import XapianKit

/// The stable hash terms are known by in the store.
@inline(__always)
func similarityHash(_ term: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in term.utf8 {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01b3
    }
    return h
}

/// `SimilarTerms.tfWeight` for every wdf a byte can hold (wdf above 255 is clamped; no post repeats a term so often).
let tfWeights: [Double] = (0...255).map { SimilarTerms.tfWeight(UInt32($0)) }

/// The immutable, shareable part: every document's vector as of one revision.
final class SimilarityStore: @unchecked Sendable {
    /// The database it was built from (its Xapian UUID) and the revision it was built at (0: unknown, e.g. shards).
    let uuid: String
    let revision: UInt64
    /// The document count it was built with (the basis of its norms' idf).
    let documentCount: Int
    /// The highest docid it covers.
    let lastDocID: UInt32
    /// The vocabulary: term hashes, ascending; a term's id is its position.
    let hashes: [UInt64]
    /// By document: `offsets[d]..<offsets[d + 1]` index `terms` and `wdfs` (term ids ascending).
    let offsets: [UInt32]
    let terms: [UInt32]
    let wdfs: [UInt8]
    /// The L2 norm of each document's TF-IDF vector (0: no document).
    let norms: [Float]
    /// Each document's Xapian length (sum of wdf over all its terms), to notice documents replaced since.
    let lengths: [UInt32]
    /// By term: `postingOffsets[t]..<postingOffsets[t + 1]` index `postingDocs` and `postingWeights` (docids
    /// ascending).
    let postingOffsets: [UInt32]
    let postingDocs: [UInt32]
    /// Each document's similarity terms with wdf above 1 (`repeatOffsets[d]..<repeatOffsets[d + 1]` index
    /// `repeatTerms` and `repeatWdfs`): most posts repeat none, so their bounds need nothing more.
    let repeatOffsets: [UInt32]
    let repeatTerms: [UInt32]
    let repeatWdfs: [UInt8]
    /// `tf / norm` of each posting (0 for documents with no similarity terms): a term's share of a document's
    /// cosine is `queryWeight · idf · postingWeight`, read in order instead of a norm looked up per docid.
    let postingWeights: [Float]

    /// The cache file's name inside the index directory.
    static let fileName = "starling-similar-store"
    /// Rebuild when the document count, or the share of documents in the overlay, has moved by more than this.
    static let maxDrift = 0.05
    private static let magic: UInt32 = 0x5354_5332  // "STS2"

    private init(uuid: String, revision: UInt64, documentCount: Int, hashes: [UInt64], offsets: [UInt32], terms: [UInt32],
                 wdfs: [UInt8], norms: [Float], lengths: [UInt32])
    {
        self.uuid = uuid
        self.revision = revision
        self.documentCount = documentCount
        self.lastDocID = UInt32(norms.count - 1)
        self.hashes = hashes
        self.offsets = offsets
        self.terms = terms
        self.wdfs = wdfs
        self.norms = norms
        self.lengths = lengths
        // Transpose: count each term's postings, then place them in docid order.
        var counts = [UInt32](repeating: 0, count: hashes.count + 1)
        for t in terms { counts[Int(t) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        postingOffsets = counts
        var docs = [UInt32](repeating: 0, count: terms.count)
        var pf = [Float](repeating: 0, count: terms.count)
        var next = counts
        terms.withUnsafeBufferPointer { ts in
            wdfs.withUnsafeBufferPointer { ws in
                offsets.withUnsafeBufferPointer { off in
                    docs.withUnsafeMutableBufferPointer { ds in
                        pf.withUnsafeMutableBufferPointer { pfs in
                            next.withUnsafeMutableBufferPointer { nx in
                                for d in 0..<(off.count - 1) {
                                    let n = Double(norms[d])
                                    for k in Int(off[d])..<Int(off[d + 1]) {
                                        let slot = Int(nx[Int(ts[k])])
                                        nx[Int(ts[k])] += 1
                                        ds[slot] = UInt32(d)
                                        pfs[slot] = n > 0 ? Float(tfWeights[Int(ws[k])] / n) : 0
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        postingDocs = docs
        var ro: [UInt32] = [0]
        var rt: [UInt32] = []
        var rw: [UInt8] = []
        ro.reserveCapacity(offsets.count)
        for d in 0..<(offsets.count - 1) {
            for k in Int(offsets[d])..<Int(offsets[d + 1]) where wdfs[k] > 1 {
                rt.append(terms[k])
                rw.append(wdfs[k])
            }
            ro.append(UInt32(rt.count))
        }
        repeatOffsets = ro
        repeatTerms = rt
        repeatWdfs = rw
        postingWeights = pf
    }

    /// How many documents hold term `id`.
    @inline(__always)
    func documentFrequency(_ id: Int) -> Int { Int(postingOffsets[id + 1] - postingOffsets[id]) }

    /// The id of the term with hash `h`, if any document holds it.
    ///
    /// - Complexity: O(log V).
    @inline(__always)
    func id(of h: UInt64) -> Int? {
        var lo = 0, hi = hashes.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if hashes[mid] < h { lo = mid + 1 } else { hi = mid }
        }
        return lo < hashes.count && hashes[lo] == h ? lo : nil
    }

    /// Reads every document's term list.
    ///
    /// - Complexity: one term-list read per docid; O(total terms) memory.
    static func build(database: Database) throws -> SimilarityStore {
        let count = try database.documentCount()
        let last = try database.lastDocID()
        let revision = (try? database.revision()) ?? 0
        let uuid = (try? database.uuid()) ?? ""
        // offsets[d]..<offsets[d + 1] are document d's entries (docid 0 has none).
        var offsets: [UInt32] = [0, 0]
        var entryHashes: [UInt64] = []
        var wdfs: [UInt8] = []
        var lengths: [UInt32] = [0]
        var df: [UInt64: UInt32] = [:]
        offsets.reserveCapacity(Int(last) + 2)
        lengths.reserveCapacity(Int(last) + 1)
        entryHashes.reserveCapacity(Int(last) * 16)
        wdfs.reserveCapacity(Int(last) * 16)
        let weighting = try database.termWeighting()
        if last > 0 {
            for docid in UInt32(1)...last {
                var list: [(term: String, wdf: UInt32)]
                do { list = try database.termList(docid) } catch let e as XapianError where e.type == "DocNotFoundError" {
                    offsets.append(UInt32(entryHashes.count))
                    lengths.append(0)
                    continue
                }
                // The index's document length (the stored wdfs' sum) tells later whether the post changed.
                var length: UInt32 = 0
                for (_, wdf) in list { length &+= wdf }
                weighting?.unfold(&list)
                for (t, wdf) in list {
                    guard SimilarTerms.kind(of: t) != nil else { continue }
                    let h = similarityHash(t)
                    entryHashes.append(h)
                    wdfs.append(UInt8(min(wdf, 255)))
                    df[h, default: 0] += 1
                }
                offsets.append(UInt32(entryHashes.count))
                lengths.append(length)
            }
        }
        // The vocabulary in hash order; entries become ids, sorted within each document.
        let hashes = df.keys.sorted()
        var ids: [UInt64: UInt32] = [:]
        ids.reserveCapacity(hashes.count)
        for (i, h) in hashes.enumerated() { ids[h] = UInt32(i) }
        let idf = hashes.map { SimilarTerms.idf(documentFrequency: Int(df[$0]!), documents: count) }
        df = [:]
        var terms = [UInt32](repeating: 0, count: entryHashes.count)
        var sortedWdfs = wdfs
        var norms = [Float](repeating: 0, count: Int(last) + 1)
        var pairs: [(UInt32, UInt8)] = []
        for d in 1..<offsets.count - 1 {
            let range = Int(offsets[d])..<Int(offsets[d + 1])
            if range.isEmpty { continue }
            pairs.removeAll(keepingCapacity: true)
            for k in range { pairs.append((ids[entryHashes[k]]!, wdfs[k])) }
            pairs.sort { $0.0 < $1.0 }
            var sum = 0.0
            for (j, (t, w)) in pairs.enumerated() {
                terms[range.lowerBound + j] = t
                sortedWdfs[range.lowerBound + j] = w
                let x = tfWeights[Int(w)] * idf[Int(t)]
                sum += x * x
            }
            norms[d] = Float(sum.squareRoot())
        }
        return SimilarityStore(uuid: uuid, revision: revision, documentCount: count, hashes: hashes, offsets: offsets,
                               terms: terms, wdfs: sortedWdfs, norms: norms, lengths: lengths)
    }

    // MARK: The file

    /// Loads the store kept at `url` (nil when there is none or it is unreadable).
    static func read(_ url: URL) -> SimilarityStore? {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped), data.count >= 40 else { return nil }
        return data.withUnsafeBytes { raw -> SimilarityStore? in
            var at = 0
            func word<T: FixedWidthInteger>(_: T.Type) -> T? {
                guard at + MemoryLayout<T>.size <= raw.count else { return nil }
                defer { at += MemoryLayout<T>.size }
                return T(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: T.self))
            }
            func array<T>(_: T.Type, _ n: Int) -> [T]? {
                let bytes = n * MemoryLayout<T>.stride
                guard n >= 0, at + bytes <= raw.count else { return nil }
                defer { at += bytes }
                return [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(
                        from: UnsafeRawBufferPointer(rebasing: raw[at..<(at + bytes)]))
                    initialized = n
                }
            }
            guard word(UInt32.self) == magic, let _ = word(UInt32.self), let revision = word(UInt64.self),
                  let count = word(UInt64.self), let docs = word(UInt64.self), let vocabulary = word(UInt64.self),
                  let entries = word(UInt64.self), docs >= 1, let uuidLength = word(UInt64.self),
                  let uuidBytes = array(UInt8.self, Int(uuidLength)),
                  let uuid = String(validating: uuidBytes, as: UTF8.self)
            else { return nil }
            at = (at + 7) & ~7
            guard let hashes = array(UInt64.self, Int(vocabulary)), let offsets = array(UInt32.self, Int(docs) + 1),
                  let terms = array(UInt32.self, Int(entries)), let wdfs = array(UInt8.self, Int(entries))
            else { return nil }
            at = (at + 3) & ~3
            guard let norms = array(Float.self, Int(docs)), let lengths = array(UInt32.self, Int(docs)),
                  at == raw.count, offsets.last == UInt32(entries), terms.allSatisfy({ Int($0) < hashes.count })
            else { return nil }
            return SimilarityStore(uuid: uuid, revision: revision, documentCount: Int(count), hashes: hashes, offsets: offsets,
                                   terms: terms, wdfs: wdfs, norms: norms, lengths: lengths)
        }
    }

    /// Writes the store to `url` (aside, then renamed, so a concurrent reader sees one whole file); silently does
    /// nothing where the directory is read-only.
    func write(_ url: URL) {
        var data = Data()
        data.reserveCapacity(48 + hashes.count * 8 + offsets.count * 4 + terms.count * 5 + norms.count * 8)
        func word<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        word(Self.magic)
        word(UInt32(0))
        word(revision)
        word(UInt64(documentCount))
        word(UInt64(norms.count))
        word(UInt64(hashes.count))
        word(UInt64(terms.count))
        word(UInt64(uuid.utf8.count))
        data.append(contentsOf: Array(uuid.utf8))
        while data.count % 8 != 0 { data.append(0) }
        hashes.withUnsafeBytes { data.append(contentsOf: $0) }
        offsets.withUnsafeBytes { data.append(contentsOf: $0) }
        terms.withUnsafeBytes { data.append(contentsOf: $0) }
        wdfs.withUnsafeBytes { data.append(contentsOf: $0) }
        while data.count % 4 != 0 { data.append(0) }
        norms.withUnsafeBytes { data.append(contentsOf: $0) }
        lengths.withUnsafeBytes { data.append(contentsOf: $0) }
        let tmp = url.appendingPathExtension("tmp-\(getpid())")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 { try? FileManager.default.removeItem(at: tmp) }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
        }
    }

    // MARK: Sharing

    private static let lock = NSLock()
    nonisolated(unsafe) private static var shared: [String: SimilarityStore] = [:]

    /// The store for the index at `directory` as `database` sees it: the one this process already holds, else the
    /// one in the directory's file, else built (and written there). Rebuilt when the index has drifted too far from
    /// it. `directory` nil: built for this caller alone, never written.
    static func store(for database: Database, directory: String?) throws -> SimilarityStore {
        guard let directory else { return try build(database: database) }
        let key = URL(fileURLWithPath: directory).standardizedFileURL.path
        let url = URL(fileURLWithPath: key).appendingPathComponent(fileName)
        lock.lock()
        defer { lock.unlock() }
        let count = try database.documentCount()
        let uuid = (try? database.uuid()) ?? ""
        if let s = shared[key], s.uuid == uuid, s.fits(count: count) { return s }
        if let s = read(url), s.uuid == uuid, s.fits(count: count) {
            shared[key] = s
            return s
        }
        let s = try build(database: database)
        s.write(url)
        shared[key] = s
        return s
    }

    /// Whether its idf basis is still close enough to an index of `count` documents.
    func fits(count: Int) -> Bool {
        abs(Double(count - documentCount)) <= Self.maxDrift * Double(max(documentCount, 1))
    }

    /// Forgets every store this process holds (searchers holding one keep it).
    static func forgetAll() {
        lock.lock()
        shared.removeAll()
        lock.unlock()
    }

    /// Forgets the store held for `directory` and deletes its file, so the next `store(for:directory:)` rebuilds
    /// it — unless the store held is no longer `stale` (another searcher has already replaced it).
    static func discard(directory: String, ifHolding stale: SimilarityStore) {
        let key = URL(fileURLWithPath: directory).standardizedFileURL.path
        lock.lock()
        defer { lock.unlock() }
        if let held = shared[key], held !== stale { return }
        shared[key] = nil
        try? FileManager.default.removeItem(at: URL(fileURLWithPath: key).appendingPathComponent(fileName))
    }
}

/// What changed since the store was built, as one searcher's database sees it: documents added, replaced or
/// deleted since are masked out of the store and (unless deleted) held here with their current vectors. Each has
/// a slot after the store's last docid, so the fast path's accumulators treat both alike.
struct SimilarityOverlay {
    /// Store docids not to use (deleted or replaced since).
    var masked: [UInt32] = []
    /// By overlay position: the docid, its vector (term hash, wdf) and its norm.
    var docids: [UInt32] = []
    var vectors: [[(UInt64, UInt8)]] = []
    var norms: [Float] = []
    /// Docid to overlay position.
    var position: [UInt32: Int] = [:]
    /// By term hash: (overlay position, wdf).
    var postings: [UInt64: [(Int, UInt8)]] = [:]
    /// The last docid it is up to date with, and the revision it was last brought up to.
    var lastDocID: UInt32 = 0
    var revision: UInt64 = 0

    /// Whether the store alone describes the index as of `revision`: nothing added, replaced or deleted since.
    func isFresh(_ store: SimilarityStore) -> Bool {
        docids.isEmpty && masked.isEmpty && revision != 0 && revision == store.revision
    }

    var isEmpty: Bool { docids.isEmpty }

    /// Brings the overlay up to `database`'s current state: documents past the last one seen are read; with
    /// `checkLengths`, every store document's length is compared with the index's (replaced or deleted documents
    /// are found that way; O(documents) look-ups, so done when a searcher first meets the store, not on every reopen).
    mutating func update(store: SimilarityStore, database: Database, checkLengths: Bool,
                         idf: (String) throws -> Double) throws
    {
        let revision = (try? database.revision()) ?? 0
        let last = try database.lastDocID()
        let weighting = try database.termWeighting()
        if lastDocID == 0 { lastDocID = store.lastDocID }
        if checkLengths && (revision == 0 || revision != store.revision) && store.lastDocID > 0 {
            for docid in UInt32(1)...min(store.lastDocID, max(last, 1)) {
                let expected = store.lengths[Int(docid)]
                let actual: UInt32
                do { actual = UInt32(truncatingIfNeeded: try database.documentLength(docid)) } catch let e
                    as XapianError where e.type == "DocNotFoundError"
                {
                    if store.norms[Int(docid)] != 0 || expected != 0 { masked.append(docid) }
                    continue
                }
                if actual != expected {
                    masked.append(docid)
                    try add(docid, database: database, weighting: weighting, idf: idf)
                }
            }
            if last < store.lastDocID { masked += (last + 1)...store.lastDocID }
        }
        if last > lastDocID {
            for docid in (lastDocID + 1)...last { try add(docid, database: database, weighting: weighting, idf: idf) }
            lastDocID = last
        }
        self.revision = revision
    }

    private mutating func add(_ docid: UInt32, database: Database, weighting: TermWeighting?,
                              idf: (String) throws -> Double) throws {
        guard position[docid] == nil else { return }
        let list: [(term: String, wdf: UInt32)]
        do { list = try database.termCounts(docid, weighting) } catch let e as XapianError where e.type == "DocNotFoundError" {
            return
        }
        let at = docids.count
        var terms: [(UInt64, UInt8)] = []
        var sum = 0.0
        for (t, wdf) in list where SimilarTerms.kind(of: t) != nil {
            let w = UInt8(min(wdf, 255))
            let x = tfWeights[Int(w)] * (try idf(t))
            sum += x * x
            let h = similarityHash(t)
            terms.append((h, w))
            postings[h, default: []].append((at, w))
        }
        docids.append(docid)
        vectors.append(terms)
        norms.append(Float(sum.squareRoot()))
        position[docid] = at
    }

    /// How many documents it holds or masks, against the store's size: past `SimilarityStore.maxDrift`, rebuild.
    func drift(of store: SimilarityStore) -> Double {
        Double(docids.count + masked.count) / Double(max(store.documentCount, 1))
    }
}
