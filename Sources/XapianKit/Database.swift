// Database.swift: read access to a Xapian database: a local glass directory, a remote xapian-tcpsrv shard,
// or several of those combined.
import CXapian

/// A read-only Xapian database, possibly made of several shards (``add(_:)``).
///
/// ``WritableDatabase`` is a subclass, so everything here also works on the writer's own view.
/// Not thread-safe: use one thread at a time (open one `Database` per reader).
public class Database: @unchecked Sendable {
    let handle: OpaquePointer
    /// The directory the database was opened from; nil for remote, combined or empty databases.
    public internal(set) var path: String?
    /// How many shards (local or remote databases) this one searches: 1 for one database, 0 for ``empty()``, the
    /// sum of theirs for shards combined with ``add(_:)``.
    public private(set) var shardCount = 1

    /// Wraps a handle returned by the shim; the new object frees it.
    init(owning handle: OpaquePointer) {
        self.handle = handle
    }

    /// Opens the database at `path` for reading.
    ///
    /// - Throws: `DatabaseNotFoundError` when there is none, `DatabaseOpeningError` when it cannot be read.
    public convenience init(path: String) throws {
        let handle = try withUTF8Bytes(path) { pointer, length in
            try call { xc_database_open(pointer, length, $0) }
        }
        self.init(owning: handle!)
        self.path = path
    }

    /// A database with no shards; combine shards into it with ``add(_:)``.
    public static func empty() throws -> Database {
        let database = Database(owning: try call { xc_database_new_empty($0) }!)
        database.shardCount = 0
        return database
    }

    /// Opens a database served by `xapian-tcpsrv` on `host:port`.
    ///
    /// - Parameter timeout: seconds to wait for the connection and for each reply.
    /// - Throws: `NetworkError` / `NetworkTimeoutError` when the server cannot be reached.
    public static func remote(host: String, port: UInt16, timeout: Double = 10) throws -> Database {
        let milliseconds = UInt32(clamping: Int((max(0, timeout) * 1000).rounded()))
        let handle = try withUTF8Bytes(host) { pointer, length in
            try call { xc_database_open_remote(pointer, length, port, milliseconds, milliseconds, $0) }
        }
        return Database(owning: handle!)
    }

    /// A database searching all of `shards` together.
    public static func combining(_ shards: [Database]) throws -> Database {
        let combined = try Database.empty()
        for shard in shards { try combined.add(shard) }
        return combined
    }

    deinit { xc_database_free(handle) }

    /// Adds `shard` to this database, so both are searched as one (Xapian's `add_database`).
    /// Docids interleave: docid `d` of shard `i` of `n` becomes `(d - 1) * n + i + 1`.
    public func add(_ shard: Database) throws {
        try call { xc_database_add(handle, shard.handle, $0) }
        shardCount += shard.shardCount
    }

    /// Moves to the latest committed revision. Returns `true` if the database might have changed.
    @discardableResult
    public func reopen() throws -> Bool {
        try call { xc_database_reopen(handle, $0) }
    }

    /// Writes a compacted copy of this database to the directory `path` (which must not hold a database).
    /// A compacted glass database is typically 40% smaller and a little faster to search.
    public func compact(to path: String) throws {
        try withUTF8Bytes(path) { pointer, length in
            try call { xc_database_compact(handle, pointer, length, $0) }
        }
    }

    /// Number of documents.
    public func documentCount() throws -> Int {
        Int(try call { xc_database_doccount(handle, $0) })
    }

    /// The highest docid in use (0 when empty).
    public func lastDocID() throws -> UInt32 {
        try call { xc_database_lastdocid(handle, $0) }
    }

    /// The revision the handle reads (changes with every commit); throws `InvalidOperationError` for a database
    /// combined from shards or remote ones, which have no single revision.
    public func revision() throws -> UInt64 {
        try call { xc_database_revision(handle, $0) }
    }

    /// The database's UUID: new each time a database is created, so it tells a rebuilt index from the old one
    /// (empty when the backend has none, e.g. a combination of shards).
    public func uuid() throws -> String {
        try callReturningBuffer({ xc_database_uuid(handle, $0, $1) }, decodeString)
    }

    /// Average document length (sum of wdf).
    public func averageLength() throws -> Double {
        try call { xc_database_avlength(handle, $0) }
    }

    /// Length (sum of wdf) of document `docid`; throws `DocNotFoundError` when there is none.
    public func documentLength(_ docid: UInt32) throws -> Int {
        Int(try call { xc_database_doclength(handle, docid, $0) })
    }

    /// Number of documents indexed by `term`.
    public func termFrequency(_ term: String) throws -> Int {
        Int(try withUTF8Bytes(term) { pointer, length in
            try call { xc_database_termfreq(handle, pointer, length, $0) }
        })
    }

    /// Total wdf of `term` over all documents.
    public func collectionFrequency(_ term: String) throws -> Int {
        Int(try withUTF8Bytes(term) { pointer, length in
            try call { xc_database_collfreq(handle, pointer, length, $0) }
        })
    }

    /// Whether any document is indexed by `term`.
    public func termExists(_ term: String) throws -> Bool {
        try withUTF8Bytes(term) { pointer, length in
            try call { xc_database_term_exists(handle, pointer, length, $0) }
        }
    }

    /// Document `docid`, with its data and values already read. Throws `DocNotFoundError` when there is none.
    public func document(_ docid: UInt32) throws -> Document {
        Document(owning: try call { xc_database_get_document(handle, docid, $0) }!)
    }

    /// Value slot `slot` of document `docid`, read without the document's data (empty when unset).
    public func value(_ docid: UInt32, slot: UInt32) throws -> [UInt8] {
        try callReturningBuffer({ xc_database_get_value(handle, docid, slot, $0, $1) }, copyBytes)
    }

    /// Docids of the documents indexed by `term`, ascending.
    ///
    /// - Complexity: O(n) for n postings; everything is copied out in one call.
    public func postings(_ term: String) throws -> [UInt32] {
        try withUTF8Bytes(term) { pointer, length in
            try callReturningTable({ xc_database_postings(handle, pointer, length, $0) }) { table in
                (0..<table.rows).map { UInt32(truncatingIfNeeded: table.int($0, 0)) }
            }
        }
    }

    /// Terms of document `docid` in byte order, with their wdf.
    public func termList(_ docid: UInt32) throws -> [(term: String, wdf: UInt32)] {
        try callReturningTable({ xc_database_termlist(handle, docid, $0) }) { table in
            (0..<table.rows).map { (table.string($0, 0), UInt32(truncatingIfNeeded: table.int($0, 0))) }
        }
    }

    /// All terms starting with `prefix` (all terms for `""`), in byte order, with their document frequency.
    ///
    /// - Complexity: O(k) for k matching terms, all copied out in one call.
    public func allTerms(prefix: String = "") throws -> [(term: String, frequency: Int)] {
        try withUTF8Bytes(prefix) { pointer, length in
            try callReturningTable({ xc_database_allterms(handle, pointer, length, $0) }) { table in
                (0..<table.rows).map { (table.string($0, 0), Int(table.int($0, 0))) }
            }
        }
    }

    /// The user metadata stored under `key`; empty when unset.
    public func metadata(_ key: String) throws -> String {
        try withUTF8Bytes(key) { pointer, length in
            try callReturningBuffer({ xc_database_get_metadata(handle, pointer, length, $0, $1) }, decodeString)
        }
    }

    /// Closes the database: later calls throw `DatabaseClosedError`. A writer commits pending changes first.
    public func close() throws {
        try call { xc_database_close(handle, $0) }
    }
}
