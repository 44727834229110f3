// Ingest stages: the steps of indexing beyond the core text terms (language, near-duplicates, entities, ...).
// Each stage adds to a post's document on a worker thread, and may look at the index on the writer thread
// just before the document is written (to find the cluster a near-duplicate joins, say).
import StarlingAnalysis
import StarlingModel
import XapianKit

/// A step of indexing. Stages run in the order listed by `StandardStages`.
public protocol IngestStage: Sendable {
    /// A short name for messages.
    var name: String { get }

    /// Adds terms and values for `post` to `document`. Runs on worker threads, concurrently with other posts:
    /// keep shared state thread-safe. The document already holds the core terms of DocumentBuilder.
    func prepare(_ post: Post, analysis: Analysis, document: Document)

    /// Runs on the single writer thread just before `document` (the post `id`) is written, in input order.
    /// May read the index (changes written earlier in this run are visible) and change the document.
    func beforeWrite(id: String, document: Document, database: WritableDatabase) throws

    /// Runs on the writer thread right after the document holding post `id` was written as Xapian `docid`.
    func afterWrite(id: String, docid: UInt32, database: WritableDatabase) throws

    /// Runs on the writer thread before the document holding post `id` (Xapian `docid`) is deleted.
    func beforeDelete(id: String, docid: UInt32, database: WritableDatabase) throws

    /// Runs on the writer thread after each commit.
    func afterCommit(database: WritableDatabase) throws
}

extension IngestStage {
    public func prepare(_ post: Post, analysis: Analysis, document: Document) {}
    public func beforeWrite(id: String, document: Document, database: WritableDatabase) throws {}
    public func afterWrite(id: String, docid: UInt32, database: WritableDatabase) throws {}
    public func beforeDelete(id: String, docid: UInt32, database: WritableDatabase) throws {}
    public func afterCommit(database: WritableDatabase) throws {}
}
