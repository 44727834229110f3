// The near-duplicate ingest stage: shingles on the worker threads, cluster assignment and LSH bucket terms on
// the writer thread (DuplicateClusterWriter), pending cluster merges applied after each commit.
import StarlingAnalysis
import StarlingDuplicates
import StarlingModel
import XapianKit

/// Adds near-duplicate data to every post: its shingle set (ValueSlot.shingles), then either its LSH bucket entries
/// (the first post of a text; filed once the post has its docid) or its exact-copy term (later copies), and its cluster (ValueSlot.cluster,
/// overriding DocumentBuilder's reshare-only stop-gap).
///
/// One instance serves one ingest run. `prepare` is thread-safe (it only reads immutable settings); the other
/// hooks run on the single writer thread, as IngestStage promises, and share the cluster writer's state.
public final class DuplicateStage: IngestStage, @unchecked Sendable {
    /// `duplicates`.
    public let name = "duplicates"
    /// The settings.
    public let parameters: DuplicateParameters
    private let shingler: Shingler
    /// The writer-thread state; exposed so the index writer can call `repairBeforeRemoval` for deletions.
    public let clusters: DuplicateClusterWriter

    /// A stage with `parameters` (the index must always be built and queried with the same ones).
    public init(parameters: DuplicateParameters = .standard) {
        self.parameters = parameters
        shingler = parameters.shingler
        clusters = DuplicateClusterWriter(parameters: parameters)
    }

    /// - Complexity: O(t + s log s) for t tokens and s shingles.
    public func prepare(_ post: Post, analysis: Analysis, document: Document) {
        let shingles = shingler.shingles(analysis)
        guard !shingles.isEmpty else { return }
        document.setValue(ValueSlot.shingles, ShingleCoding.encode(shingles))
    }

    public func beforeWrite(id: String, document: Document, database: WritableDatabase) throws {
        try clusters.assign(id: id, document: document, database: database)
    }

    public func afterWrite(id: String, docid: UInt32, database: WritableDatabase) throws {
        clusters.written(docid: docid)
    }

    public func beforeDelete(id: String, docid: UInt32, database: WritableDatabase) throws {
        try clusters.repairBeforeRemoval(docid: docid, database: database)
    }

    public func afterCommit(database: WritableDatabase) throws {
        // Merges found in the batch are committed right after it, so readers see stale ids for one commit at most.
        if try clusters.flush(database: database) { try database.commit() }
    }
}
