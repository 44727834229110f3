// `POST /v1/entities/relabel` (admin): the service's form of `starling entities --index`. Every stored post is read
// back on a thread of its own and decided together with the others (corpus-learnt profiles), then the posts whose
// entity terms should change go through the live writer's queue (`modify`), in chunks, beside ordinary ingest:
// searches and writes go on meanwhile. A post written again meanwhile is decided by its own catalogue-only stage
// and then set to the corpus decision made from its earlier text; the next relabelling catches up with it.
import Foundation
import Hummingbird
import StarlingEntities
import StarlingIndex
import StarlingModel
import XapianKit

/// At most one relabelling at a time, and the terms it changed.
final class RelabelState: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    private var added = 0, removed = 0, changed = 0

    /// Whether this caller may start one (false: one is running).
    func begin() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if running { return false }
        running = true
        (added, removed, changed) = (0, 0, 0)
        return true
    }

    func end() {
        lock.lock()
        running = false
        lock.unlock()
    }

    func count(added a: Int, removed r: Int) {
        lock.lock()
        added += a
        removed += r
        if a + r > 0 { changed += 1 }
        lock.unlock()
    }

    var counts: (added: Int, removed: Int, changed: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (added, removed, changed)
    }
}

extension StarlingServer {
    /// Posts handed to the writer per `modify` request: other writes interleave between chunks.
    static let relabelChunk = 1_000

    /// `POST /v1/entities/relabel`: the summary of `starling entities --index --json` once every change is
    /// committed. 409 when no catalogue is installed or a relabelling is already running.
    @Sendable func relabelEntities(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let linker = capabilities.entityLinker else {
            throw APIError(.conflict, "no-catalogue", "no entity catalogue is installed (analyzers/entities/*.yaml)")
        }
        guard relabelState.begin() else {
            throw APIError(.conflict, "relabel-running", "a relabelling of this index is already running")
        }
        defer { relabelState.end() }
        let start = Date()
        let path = configuration.indexPath
        do {
            try await writer.commit()  // everything accepted so far is read back
        } catch let e as LiveWriterError {
            throw APIError(.serviceUnavailable, "shutting-down", e.description)
        }
        let decided: EntityDecisions = try await withCheckedThrowingContinuation { c in
            let thread = Thread {
                c.resume(with: Result { try IndexMaintenance.decideEntities(Database(path: path), linker: linker) })
            }
            thread.name = "starling.relabel"
            thread.start()
        }
        let changes = decided.decisions.filter { $0.entities != $0.held }
        var wanted: [String: Set<String>] = [:]
        for d in changes { wanted[d.id] = d.entities }
        let catalogue = decided.catalogue
        let state = relabelState
        let target = wanted
        var offset = 0
        while offset < changes.count {
            let ids = changes[offset..<min(changes.count, offset + Self.relabelChunk)].map(\.id)
            offset += ids.count
            do {
                _ = try await writer.modify(ids: ids) { id, document, terms in
                    guard let entities = target[id] else { return false }
                    let (added, removed) = IndexMaintenance.applyEntities(entities, catalogue: catalogue,
                                                                          to: document, terms: terms)
                    state.count(added: added, removed: removed)
                    return added + removed > 0
                }
            } catch let e as LiveWriterError {
                throw APIError(.serviceUnavailable, "shutting-down", e.description)
            }
        }
        let counts = relabelState.counts
        var summary = EntityRelabelSummary(decided)
        (summary.added, summary.removed, summary.changedPosts) = counts
        summary.after = try IndexMaintenance.entityCounts(Database(path: path), catalogue)
        summary.seconds = Date().timeIntervalSince(start)
        return JSONResponse.make(summary.json)
    }
}
