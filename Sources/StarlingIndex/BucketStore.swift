// The near-duplicate LSH buckets of an index, kept in a file beside Xapian's tables instead of as terms.
//
// As `XNB` terms the buckets were nearly unique terms (one post each): ~30 bytes a post in each of the posting and
// term lists, and the slowest part of every Xapian commit. Here an entry is 8 bytes in `starling-dup-buckets`
// (a header, then one little-endian UInt64 an entry: (30-bit bucket key + 1) << 32 | docid), appended in the
// order the posts were written, and the writer holds all of them in an open-addressing table.
//
// Kept in step with Xapian: entries written since the last commit are appended and fsynced by a commit hook just
// before Xapian commits, and the hook records in the index's metadata (committed with it) how many bytes of the
// file are committed and the last docid they cover. Readers scan only that many bytes, so they see the entries of
// their own revision. A writer that opens the index re-checks what a crash could have left out of step: bytes
// past the recorded length (entries whose posts may never have been committed) are kept only if the post is there
// and its shingles still give that key, and posts past the recorded docid (written by one of Xapian's automatic
// commits, which run no hook) get their entries again. A missing or damaged file is rebuilt from the posts.
//
// Entries are never removed: a deleted post's entries point at a missing document and a replaced post's at other
// shingles; every candidate is verified against the stored shingles anyway, so they only cost a lookup.
import Foundation
import StarlingDuplicates
import XapianKit

/// A multimap from 30-bit bucket keys to docids: open addressing with linear probing, 8 bytes a slot.
struct BucketTable {
    private(set) var slots: [UInt64]
    private(set) var count = 0
    private var shift: UInt64
    private var mask: Int

    /// A table that holds `capacity` entries before it grows.
    init(capacity: Int = 0) {
        var size = 1024
        while size * 7 < capacity * 10 { size *= 2 }
        slots = [UInt64](repeating: 0, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
    }

    /// The slot value (and file record) of an entry; never 0, which marks an empty slot.
    @inline(__always)
    static func entry(_ key: UInt32, _ docid: UInt32) -> UInt64 { (UInt64(key) + 1) << 32 | UInt64(docid) }

    @inline(__always)
    private func home(_ key: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(key) &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    /// The docids filed under `key`, in the order they were inserted.
    func docids(_ key: UInt32) -> [UInt32] {
        let tag = (UInt64(key) + 1) << 32
        var out: [UInt32] = []
        var i = home(key)
        while true {
            let s = slots[i]
            if s == 0 { return out }
            if s & 0xFFFF_FFFF_0000_0000 == tag { out.append(UInt32(truncatingIfNeeded: s)) }
            i = (i + 1) & mask
        }
    }

    /// Whether `docid` is filed under `key`.
    func contains(_ key: UInt32, _ docid: UInt32) -> Bool {
        let e = Self.entry(key, docid)
        var i = home(key)
        while true {
            let s = slots[i]
            if s == 0 { return false }
            if s == e { return true }
            i = (i + 1) & mask
        }
    }

    /// Files `docid` under `key`; false when it already was.
    @discardableResult
    mutating func insert(_ key: UInt32, _ docid: UInt32) -> Bool { insert(entry: Self.entry(key, docid)) }

    /// Inserts a slot value (as read from the file); false when it was there already.
    @discardableResult
    mutating func insert(entry e: UInt64) -> Bool {
        if (count + 1) * 10 > slots.count * 7 { grow() }
        var i = home(UInt32(truncatingIfNeeded: (e >> 32) - 1))
        while true {
            let s = slots[i]
            if s == e { return false }
            if s == 0 {
                slots[i] = e
                count += 1
                return true
            }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        self = BucketTable(capacity: old.count)  // twice the slots: old.count entries fit at 70 %
        for s in old where s != 0 { insert(entry: s) }
    }
}

/// Errors of the bucket file.
public enum BucketStoreError: Error, CustomStringConvertible, Sendable {
    /// The file is shorter than the index records or does not start with the format's header.
    case damaged(path: String, detail: String)
    /// The database was not opened from a folder (remote or combined shards): the file cannot be found.
    case noFolder

    public var description: String {
        switch self {
        case .damaged(let path, let detail):
            return "the near-duplicate bucket file '\(path)' is damaged (\(detail)); opening the index for writing "
                + "(`starling index` with any input) rebuilds it from the posts"
        case .noFolder:
            return "near-duplicate lookups need the index folder itself (not remote or combined shards)"
        }
    }
}

/// The writer's side of the bucket file: every entry in memory, new ones appended at each commit.
/// Use from the writer thread only.
final class BucketStore {
    /// The file's name inside the index folder.
    static let fileName = "starling-dup-buckets"
    /// Metadata: how many bytes of the file are committed (header included).
    static let lengthKey = "dup.buckets.bytes"
    /// Metadata: the last docid whose entries are in those bytes.
    static let coveredKey = "dup.buckets.docid"
    static let header = Data("SDBKT001".utf8)

    private let url: URL
    private var table: BucketTable
    /// Entries added since the last commit, in the order they were added.
    private var pending: [UInt64] = []
    /// Bytes of the file that belong to commits (or were written for the next one).
    private var length: Int
    private var covered: UInt32
    /// Whether the metadata must be written at the next commit even with nothing pending.
    private var dirty: Bool

    private init(url: URL, table: BucketTable, length: Int, covered: UInt32, dirty: Bool) {
        self.url = url
        self.table = table
        self.length = length
        self.covered = covered
        self.dirty = dirty
    }

    /// The docids filed under `key` (entries of posts deleted or replaced since included).
    func docids(_ key: UInt32) -> [UInt32] { table.docids(key) }

    /// Whether `docid` is filed under `key`.
    func contains(_ key: UInt32, _ docid: UInt32) -> Bool { table.contains(key, docid) }

    /// Files `docid` under `key`; written to the file at the next commit.
    func add(_ key: UInt32, _ docid: UInt32) {
        if table.insert(key, docid) { pending.append(BucketTable.entry(key, docid)) }
    }

    /// Number of entries held.
    var count: Int { table.count }

    /// Opens the bucket file of the index `database` (opened from `folder`) for writing, bringing it in step with
    /// the committed index first (see the top of this file).
    ///
    /// - Parameter holderKeys: the bucket keys post `docid` holds when it is a bucket holder (the first post of
    ///   its text), or nil (no such post, a later copy, no shingles).
    /// - Parameter keysOf: the bucket keys of post `docid`'s shingles, holder or not (nil: no such post).
    /// - Complexity: O(n) for n entries in the file, plus one document read per entry or post to re-check.
    static func openForWriting(folder: String, database: WritableDatabase,
                               holderKeys: (UInt32) throws -> [UInt32]?,
                               keysOf: (UInt32) throws -> [UInt32]?) throws -> BucketStore {
        let url = URL(fileURLWithPath: folder).appendingPathComponent(fileName)
        let recorded = Int(try database.metadata(lengthKey)) ?? 0
        var covered = UInt32(try database.metadata(coveredKey)) ?? 0
        let last = try database.lastDocID()
        let data = (try? Data(contentsOf: url)) ?? Data()
        let intact = data.count >= max(recorded, header.count) && data.prefix(header.count) == header
        var table = BucketTable(capacity: intact ? (data.count - header.count) / 8 : 0)
        var tail: [UInt64] = []
        if intact {
            let end = max(recorded, header.count)
            data.withUnsafeBytes { raw in
                var o = header.count
                while o + 8 <= end {
                    table.insert(entry: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                    o += 8
                }
                while o + 8 <= data.count {
                    tail.append(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                    o += 8
                }
            }
        } else {
            covered = 0  // nothing on disk can be trusted: every post's entries again
        }
        // The committed part stays; everything else is rewritten through `pending`.
        let keep = intact ? max(recorded, header.count) : header.count
        if intact {
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(keep))
            try handle.close()
        } else {
            try header.write(to: url, options: .atomic)
        }
        let store = BucketStore(url: url, table: table, length: keep, covered: covered,
                                dirty: !intact || recorded == 0 || !tail.isEmpty || last > covered)
        for e in tail {
            let key = UInt32(truncatingIfNeeded: (e >> 32) - 1), docid = UInt32(truncatingIfNeeded: e)
            if let keys = try keysOf(docid), keys.contains(key) { store.add(key, docid) }
        }
        if last > covered {
            for docid in (covered + 1)...last {
                guard let keys = try holderKeys(docid) else { continue }
                for key in keys where store.docids(key).count < DuplicateClusterWriter.maxBucketEntries {
                    store.add(key, docid)
                }
            }
        }
        return store
    }

    /// Appends and fsyncs the entries added since the last commit, and records the committed length and the
    /// last docid in the index's metadata. Runs as a commit hook, just before Xapian commits.
    func persist(_ database: WritableDatabase) throws {
        let last = try database.lastDocID()
        guard !pending.isEmpty || dirty || last != covered else { return }
        if !pending.isEmpty {
            var bytes = Data(count: pending.count * 8)
            bytes.withUnsafeMutableBytes { raw in
                for (i, e) in pending.enumerated() { raw.storeBytes(of: e.littleEndian, toByteOffset: i * 8, as: UInt64.self) }
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            // Anything past `length` is a failed commit's leftovers: overwritten.
            try handle.seek(toOffset: UInt64(length))
            try handle.write(contentsOf: bytes)
            try handle.truncate(atOffset: UInt64(length + bytes.count))
            try handle.synchronize()
            length += bytes.count
            pending.removeAll(keepingCapacity: true)
        }
        try database.setMetadata(Self.lengthKey, String(length))
        try database.setMetadata(Self.coveredKey, String(last))
        covered = last
        dirty = false
    }

    /// The docids filed under each of `keys` in the revision `database` reads (opened from its folder). The
    /// first lookup in a process scans the committed part of the file; later ones use a sorted copy of it that
    /// the process keeps (BucketSnapshots), so a one-off query loads nothing and a service pays the load once.
    ///
    /// - Complexity: first lookup O(n) for n committed entries (about 6 a post; ~10 ms a million posts), the
    ///   second O(n log n) to sort them, then O(k log n) for k keys, plus reading entries committed since.
    static func lookup(_ keys: [UInt32], database: Database) throws -> [UInt32: [UInt32]] {
        guard let folder = database.path else { throw BucketStoreError.noFolder }
        let recorded = Int(try database.metadata(lengthKey)) ?? 0
        guard recorded > header.count, !keys.isEmpty else { return [:] }
        return try BucketSnapshots.shared.lookup(
            keys, path: URL(fileURLWithPath: folder).appendingPathComponent(fileName).path, recorded: recorded)
    }
}

/// The committed entries of bucket files, sorted, shared by every reader in the process (per file path).
final class BucketSnapshots: @unchecked Sendable {
    static let shared = BucketSnapshots()

    private struct Snapshot {
        /// The file's inode: a rebuilt file is a new one.
        var inode: UInt64
        /// Bytes of the file read into `entries` (header included); 0 until a lookup loads them.
        var length: Int
        var entries: [UInt64]
    }

    private let lock = NSLock()
    private var files: [String: Snapshot] = [:]

    func lookup(_ keys: [UInt32], path: String, recorded: Int) throws -> [UInt32: [UInt32]] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw BucketStoreError.damaged(path: path, detail: "missing (\(String(cString: strerror(errno))))")
        }
        guard Int(info.st_size) >= recorded else {
            throw BucketStoreError.damaged(path: path, detail: "\(info.st_size) bytes, the index records \(recorded)")
        }
        let inode = UInt64(info.st_ino)
        lock.lock()
        defer { lock.unlock() }
        guard var snap = files[path], snap.inode == inode else {
            // First use (or a rebuilt file): scan, and remember the file so that a second lookup loads it.
            files[path] = Snapshot(inode: inode, length: 0, entries: [])
            return try scan(keys, path: path, recorded: recorded)
        }
        if snap.length < recorded {
            // Entries committed since (or all of them, on the second lookup): read, sort, merge.
            var added = try read(path: path, from: max(snap.length, BucketStore.header.count), to: recorded,
                                 checkHeader: snap.length == 0)
            added.sort()
            snap.entries = snap.entries.isEmpty ? added : Self.merge(snap.entries, added)
            snap.length = recorded
            files[path] = snap
        }
        // A snapshot ahead of this reader's revision only adds entries of posts it cannot read or has to verify.
        var out: [UInt32: [UInt32]] = [:]
        snap.entries.withUnsafeBufferPointer { entries in
            for key in keys {
                let tag = (UInt64(key) + 1) << 32
                var lo = 0, hi = entries.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if entries[mid] < tag { lo = mid + 1 } else { hi = mid }
                }
                while lo < entries.count, entries[lo] & 0xFFFF_FFFF_0000_0000 == tag {
                    out[key, default: []].append(UInt32(truncatingIfNeeded: entries[lo]))
                    lo += 1
                }
            }
        }
        return out
    }

    /// One pass over the committed entries, keeping those of `keys`.
    private func scan(_ keys: [UInt32], path: String, recorded: Int) throws -> [UInt32: [UInt32]] {
        let data = try mapped(path)
        guard data.count >= recorded, data.prefix(BucketStore.header.count) == BucketStore.header else {
            throw BucketStoreError.damaged(path: path, detail: "\(data.count) bytes, the index records \(recorded)")
        }
        let tags = keys.map { (UInt64($0) + 1) << 32 }
        var out: [UInt32: [UInt32]] = [:]
        data.withUnsafeBytes { raw in
            var o = BucketStore.header.count
            while o + 8 <= recorded {
                let e = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self))
                let tag = e & 0xFFFF_FFFF_0000_0000
                for (i, t) in tags.enumerated() where t == tag {
                    out[keys[i], default: []].append(UInt32(truncatingIfNeeded: e))
                }
                o += 8
            }
        }
        return out
    }

    /// The entries in bytes `from..<to` of the file.
    private func read(path: String, from: Int, to: Int, checkHeader: Bool) throws -> [UInt64] {
        let data = try mapped(path)
        guard data.count >= to, !checkHeader || data.prefix(BucketStore.header.count) == BucketStore.header else {
            throw BucketStoreError.damaged(path: path, detail: "\(data.count) bytes, the index records \(to)")
        }
        return data.withUnsafeBytes { raw in
            stride(from: from, to: to - 7, by: 8).map {
                UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0, as: UInt64.self))
            }
        }
    }

    private func mapped(_ path: String) throws -> Data {
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw BucketStoreError.damaged(path: path, detail: "cannot be read: \(error.localizedDescription)")
        }
    }

    /// Two sorted arrays as one.
    private static func merge(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] <= b[j] { out.append(a[i]); i += 1 } else { out.append(b[j]); j += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }
}
