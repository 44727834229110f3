// WritableDatabase.swift: the single writer of an on-disk Xapian database: add, replace and delete documents,
// transactions, metadata, explicit commits.
import CXapian

/// How ``WritableDatabase`` opens its directory.
public enum DatabaseOpenMode: Sendable {
    /// Open an existing database, or create one.
    case createOrOpen
    /// Create a new database, replacing any existing one.
    case createOrOverwrite
    /// Create a new database; fail with `DatabaseCreateError` (or `DatabaseLockError`) if one exists.
    case create
    /// Open an existing database; fail with `DatabaseNotFoundError` if there is none.
    case open

    var cValue: xc_open_mode {
        switch self {
        case .createOrOpen: XC_DB_CREATE_OR_OPEN
        case .createOrOverwrite: XC_DB_CREATE_OR_OVERWRITE
        case .create: XC_DB_CREATE
        case .open: XC_DB_OPEN
        }
    }
}

/// A Xapian database opened for writing (glass backend). Only one writer may hold a database at a time;
/// a second one gets `DatabaseLockError`.
///
/// Changes become visible to readers at ``commit()``. Commit explicitly: the implicit commit when the
/// writer is released swallows errors.
public final class WritableDatabase: Database, @unchecked Sendable {
    /// Opens (or creates, per `mode`) the database at `path` for writing.
    ///
    /// - Throws: `DatabaseLockError` when another writer holds it, `DatabaseNotFoundError` for `.open` on a
    ///   missing database, `DatabaseCreateError` when the directory cannot be created.
    public init(path: String, mode: DatabaseOpenMode = .createOrOpen) throws {
        let handle = try withUTF8Bytes(path) { pointer, length in
            try call { xc_database_open_writable(pointer, length, mode.cValue, $0) }
        }
        super.init(owning: handle!)
        self.path = path
    }

    /// Work that must be done just before every explicit commit (and before ``close()``, which commits).
    private var commitHooks: [(WritableDatabase) throws -> Void] = []

    /// Runs `hook` with this database at the start of every ``commit()`` and ``close()``, before Xapian
    /// commits: files kept beside the index write what belongs to the commit, and may set metadata that then
    /// commits with it. An error from a hook aborts that commit. Xapian's own automatic commits (every
    /// `XAPIAN_FLUSH_THRESHOLD` changed documents) do not run hooks.
    public func addCommitHook(_ hook: @escaping (WritableDatabase) throws -> Void) {
        commitHooks.append(hook)
    }

    /// Stores `document` as a new document and returns its docid.
    ///
    /// - Throws: the document's ``Document/pendingError``, or Xapian's error (e.g. a term over 245 bytes).
    /// - Complexity: amortised O(t log t) for t terms; Xapian batches the writes until commit.
    @discardableResult
    public func addDocument(_ document: Document) throws -> UInt32 {
        try document.checkValid()
        return try call { xc_database_add_document(handle, document.handle, $0) }
    }

    /// Replaces the document indexed by `uniqueTerm` (or adds it when there is none) and returns its docid.
    /// The document should itself carry `uniqueTerm`, or a later replace will not find it.
    @discardableResult
    public func replaceDocument(uniqueTerm: String, _ document: Document) throws -> UInt32 {
        try document.checkValid()
        return try withUTF8Bytes(uniqueTerm) { pointer, length in
            try call { xc_database_replace_document_by_term(handle, pointer, length, document.handle, $0) }
        }
    }

    /// Replaces document `docid` (or stores the document under that docid when there is none).
    public func replaceDocument(_ docid: UInt32, _ document: Document) throws {
        try document.checkValid()
        try call { xc_database_replace_document(handle, docid, document.handle, $0) }
    }

    /// Deletes every document indexed by `uniqueTerm` (nothing when there is none).
    public func deleteDocument(uniqueTerm: String) throws {
        try withUTF8Bytes(uniqueTerm) { pointer, length in
            try call { xc_database_delete_document_by_term(handle, pointer, length, $0) }
        }
    }

    /// Deletes document `docid`; throws `DocNotFoundError` when there is none.
    public func deleteDocument(_ docid: UInt32) throws {
        try call { xc_database_delete_document(handle, docid, $0) }
    }

    /// Makes all changes so far durable and visible to readers (after they ``Database/reopen()``).
    public func commit() throws {
        for hook in commitHooks { try hook(self) }
        try call { xc_database_commit(handle, $0) }
    }

    /// Commits (running the commit hooks) and releases the database and its lock; later calls fail.
    public override func close() throws {
        let hooks = commitHooks
        commitHooks = []
        for hook in hooks { try hook(self) }
        try super.close()
    }

    /// Starts a transaction: its changes are applied all together at ``commitTransaction()`` or not at all.
    /// - Parameter flushed: when `true`, committing the transaction also commits to disk.
    public func beginTransaction(flushed: Bool = true) throws {
        try call { xc_database_begin_transaction(handle, flushed, $0) }
    }

    /// Ends the current transaction, applying its changes.
    public func commitTransaction() throws {
        try call { xc_database_commit_transaction(handle, $0) }
    }

    /// Ends the current transaction, discarding its changes.
    public func cancelTransaction() throws {
        try call { xc_database_cancel_transaction(handle, $0) }
    }

    /// Stores `value` as user metadata under `key` (an empty value deletes the key).
    public func setMetadata(_ key: String, _ value: String) throws {
        try withUTF8Bytes(key) { keyPointer, keyLength in
            try withUTF8Bytes(value) { valuePointer, valueLength in
                try call { xc_database_set_metadata(handle, keyPointer, keyLength, valuePointer, valueLength, $0) }
            }
        }
    }
}
