// `POST /v1/entities/relabel` (admin): the service's form of `starling entities --index`. Every stored post is read
// back on a thread of its own and decided together with the others (corpus-learnt profiles), then the posts whose
// entity terms should change go through the live writer's queue (`modify`), in chunks, beside ordinary ingest:
// searches and writes go on meanwhile. A post written again meanwhile is decided by its own catalogue-only stage
// and then set to the corpus decision made from its earlier text; the next relabelling catches up with it.
// With `ServiceConfiguration.relabelInterval` the service also does this by itself: every interval, when posts
// were written or deleted since the last relabelling began, so an index fed continuously keeps its `entity:` terms
// and facet in corpus mode without anyone calling the endpoint.
import Foundation
import Hummingbird
import StarlingEntities
import StarlingIndex
import StarlingModel
import XapianKit

/// At most one relabelling at a time, the terms it changed, and what the background relabelling has done.
final class RelabelState: @unchecked Sendable {
    private let lock = NSLock()
    private var running = false
    private var added = 0, removed = 0, changed = 0
    private var runs = 0, automaticRuns = 0, errors = 0
    private var lastError: String?
    private var last: (finished: Date, changedPosts: Int, posts: Int, seconds: Double, automatic: Bool)?
    /// The suggestions of the last relabelling that finished.
    private var lastSuggestions: [EntitySuggestions] = []
    /// The writer's posts written + deleted when the last relabelling began (nil: none yet).
    private var contentSeen: Int?

    /// Whether this caller may start one (false: one is running). `content` is the writer's posts written +
    /// deleted now: what the relabelling will see.
    func begin(content: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if running { return false }
        running = true
        (added, removed, changed) = (0, 0, 0)
        contentSeen = content
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

    /// A relabelling that began did not finish: the next check runs one whatever was written meanwhile.
    func forgetContent() {
        lock.lock()
        contentSeen = nil
        lock.unlock()
    }

    /// Whether posts were written or deleted since the last relabelling began (true before the first).
    func isStale(content: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return contentSeen != content
    }

    func finished(_ summary: EntityRelabelSummary, automatic: Bool) {
        lock.lock()
        runs += 1
        if automatic { automaticRuns += 1 }
        last = (Date(), summary.changedPosts, summary.posts, summary.seconds, automatic)
        lastSuggestions = summary.suggestions
        lock.unlock()
    }

    /// `GET /v1/entities/suggestions`: the last finished relabelling's suggestions, nil before the first.
    var suggestionsJSON: JSONValue? {
        lock.lock()
        defer { lock.unlock() }
        guard let last else { return nil }
        return .object([
            ("relabelled", .string(ISO8601DateFormatter().string(from: last.finished))),
            ("automatic", .bool(last.automatic)), ("posts", .int(Int64(last.posts))),
            ("entities", .array(lastSuggestions.map(\.json))),
        ])
    }

    func failed(_ error: Error) {
        lock.lock()
        errors += 1
        lastError = "\(error)"
        lock.unlock()
    }

    /// The figures /metrics exports.
    var counters: EntityRelabelCounters {
        lock.lock()
        defer { lock.unlock() }
        var c = EntityRelabelCounters()
        (c.runs, c.errors, c.running) = (runs, errors, running)
        if let last { (c.lastChangedPosts, c.lastSeconds) = (last.changedPosts, last.seconds) }
        return c
    }

    /// The `entities_relabel` object of /v1/stats.
    func json(interval: Double?) -> JSONValue {
        lock.lock()
        defer { lock.unlock() }
        var o: [(String, JSONValue)] = [
            ("automatic", .bool(interval != nil)),
            ("interval_seconds", interval.map { .double($0) } ?? .null),
            ("running", .bool(running)), ("runs", .int(Int64(runs))), ("automatic_runs", .int(Int64(automaticRuns))),
            ("errors", .int(Int64(errors))),
        ]
        if let lastError { o.append(("last_error", .string(lastError))) }
        if let last {
            o.append(("last", .object([
                ("finished", .string(ISO8601DateFormatter().string(from: last.finished))),
                ("automatic", .bool(last.automatic)), ("posts", .int(Int64(last.posts))),
                ("changed_posts", .int(Int64(last.changedPosts))), ("seconds", .double(last.seconds)),
            ])))
        }
        return .object(o)
    }
}

extension StarlingServer {
    /// Posts handed to the writer per `modify` request: other writes interleave between chunks.
    static let relabelChunk = 1_000

    /// `POST /v1/entities/relabel`: the summary of `starling entities --index --json` once every change is
    /// committed. 409 when no catalogue is installed or a relabelling is already running.
    @Sendable func relabelEntities(_ request: Request, context: BasicRequestContext) async throws -> Response {
        _ = try writer
        guard let summary = try await relabel(automatic: false) else {
            throw APIError(.conflict, "relabel-running", "a relabelling of this index is already running")
        }
        return JSONResponse.make(summary.json)
    }

    /// `GET /v1/entities/suggestions`: what `starling entities --suggest --index` prints, from the last relabelling
    /// that finished (explicit or background), so asking costs nothing. 409 without a catalogue or before the first.
    @Sendable func entitySuggestions(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard capabilities.entityLinker != nil else {
            throw APIError(.conflict, "no-catalogue", "no entity catalogue is installed (analyzers/entities/*.yaml)")
        }
        guard let json = relabelState.suggestionsJSON else {
            throw APIError(.conflict, "not-relabelled", "no relabelling has finished yet: POST /v1/entities/relabel "
                           + "(admin), or wait for the background one (starling serve --relabel-interval)")
        }
        return JSONResponse.make(json)
    }

    /// Decides every stored post together and rewrites the entity terms that change, through the live writer.
    /// Nil when a relabelling is already running. Throws 409 without a catalogue, 503 once the writer is closing.
    func relabel(automatic: Bool) async throws -> EntityRelabelSummary? {
        guard let linker = capabilities.entityLinker else {
            throw APIError(.conflict, "no-catalogue", "no entity catalogue is installed (analyzers/entities/*.yaml)")
        }
        let w = try writer.statistics
        guard relabelState.begin(content: w.postsWritten + w.postsDeleted) else { return nil }
        var done = false
        defer {
            if !done { relabelState.forgetContent() }
            relabelState.end()
        }
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
        relabelState.finished(summary, automatic: automatic)
        done = true
        return summary
    }

    /// The background relabelling: every `interval` seconds, when a catalogue is installed and posts were written
    /// or deleted since the last relabelling began, relabel the index (skipped while one is running). Ends when
    /// the task is cancelled (at `close`).
    func relabelLoop(interval: Double) async {
        let nanoseconds = UInt64(max(0.05, interval) * 1e9)
        while !Task.isCancelled {
            do { try await Task.sleep(nanoseconds: nanoseconds) } catch { return }
            guard capabilities.entityLinker != nil else { continue }
            guard let w = liveWriter?.statistics else { return }
            guard relabelState.isStale(content: w.postsWritten + w.postsDeleted) else { continue }
            do {
                _ = try await relabel(automatic: true)
            } catch let e as APIError where e.status == .serviceUnavailable {
                return  // the writer is closing
            } catch {
                relabelState.failed(error)
            }
        }
    }
}
