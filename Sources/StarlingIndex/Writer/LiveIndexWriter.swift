// The live index writer: the one writer of an index that a long-running process (the HTTP service) feeds.
//
//   callers (any task) --prepare: analysis + DocumentBuilder + stage.prepare, on an analysis pool-->
//       --enqueue--> writer thread: drains everything queued, applies it in arrival order
//                    (stage.beforeWrite / beforeDelete, replace / delete), ONE commit, stage.afterCommit
//       --resume--> every caller of the group, only after the commit returned
//
// Group commit: requests that arrive while a commit runs share the next one, so the commit rate adapts to
// load without a timer. A request is acknowledged only after the commit that holds it, so nothing acknowledged
// is lost if the process is killed (Xapian commits are atomic and fsynced). Readers compare their revision
// with `generation` and reopen, so an acknowledged post is visible to the next search.
import Dispatch
import Foundation
import StarlingAnalysis
import StarlingModel
import XapianKit

/// Settings of a live writer.
public struct LiveWriterOptions: Sendable {
    /// Threads analysing one batch of posts (analysis runs before the writer thread sees the posts).
    public var analysisWorkers: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// How long the writer waits after the first queued request for others to join its commit. 0 relies on
    /// natural grouping alone (requests queued while a commit runs join the next one).
    public var gatherDelay: Double = 0
    /// Creates the default settings.
    public init() {}
}

/// What happened to one post of an upsert.
public enum UpsertStatus: String, Sendable {
    /// The id was new to the index.
    case added
    /// A post with this id was replaced.
    case updated
    /// The same post was already stored byte for byte; nothing was written (ingest is idempotent by id).
    case unchanged
}

/// The outcome of one post of an upsert: a status, or the reason it was not written.
public struct UpsertOutcome: Sendable {
    /// The post id.
    public var id: String
    /// What was done, when it succeeded.
    public var status: UpsertStatus?
    /// Why the post was not written (a stage or Xapian refused it); the other posts are unaffected.
    public var error: String?
}

/// Counters of a live writer, for metrics.
public struct LiveWriterStatistics: Sendable {
    /// Commits done.
    public var commits: Int = 0
    /// Posts written (added or updated).
    public var postsWritten: Int = 0
    /// Posts deleted.
    public var postsDeleted: Int = 0
    /// Requests acknowledged.
    public var requests: Int = 0
    /// Requests waiting for the writer now.
    public var queued: Int = 0
    /// Duration of the last group (writes + commit), in seconds.
    public var lastGroupSeconds: Double = 0
    /// Requests in the last group.
    public var lastGroupRequests: Int = 0
}

/// Errors of the live writer.
public enum LiveWriterError: Error, CustomStringConvertible, Sendable {
    /// The writer was closed; nothing more is accepted.
    case closed

    public var description: String {
        switch self {
        case .closed: return "the index writer is closed (the service is shutting down)"
        }
    }
}

/// Changes one stored post's document in place for ``LiveIndexWriter/modify(ids:_:)``: given the post id, its
/// document (read back from the index) and its term list, returns whether it changed the document.
public typealias DocumentModifier =
    @Sendable (_ id: String, _ document: Document, _ terms: [(term: String, wdf: UInt32)]) throws -> Bool

/// A post analysed and turned into its document, ready for the writer thread.
public struct PreparedPost: @unchecked Sendable {
    /// The post id.
    public let id: String
    /// The document (owned by the writer once handed over; not touched by the caller afterwards).
    public let document: Document
    /// The document's stored data, kept to tell an identical re-upload (idempotence) without re-reading it.
    public let data: [UInt8]

    /// A prepared post from its parts; `data` must be `document.dataBytes` (for a document changed after `prepare`).
    public init(id: String, document: Document, data: [UInt8]) {
        self.id = id
        self.document = document
        self.data = data
    }
}

/// The single writer of one index for a long-running process. Thread-safe: call from any thread or task;
/// Xapian is only touched on the writer's own thread.
public final class LiveIndexWriter: @unchecked Sendable {
    /// The index directory.
    public let path: String
    private let options: LiveWriterOptions
    private let database: WritableDatabase
    private let stages: [any IngestStage]
    private let builder = DocumentBuilder()
    private let configuration: AnalyzerConfiguration
    private let analysisQueue = DispatchQueue(label: "starling.live.analysis", attributes: .concurrent)

    /// Guards everything below.
    private let condition = NSCondition()
    private var queue: [Operation] = []
    private var stopping = false
    private var stopped = false
    private var committedGeneration: UInt64 = 0
    private var stats = LiveWriterStatistics()
    private var analyzers: [Analyzer] = []
    private var thread: Thread?
    private var finished: [CheckedContinuation<Void, Never>] = []
    private var finalError: Error?

    /// One queued request and how to answer it.
    private enum Operation {
        case upsert([PreparedPost], CheckedContinuation<[UpsertOutcome], Error>)
        case delete(String, CheckedContinuation<Bool, Error>)
        case deleteAuthor(String, CheckedContinuation<[String], Error>)
        case commit(CheckedContinuation<Void, Error>)
        case modify([String], DocumentModifier, CheckedContinuation<[String], Error>)
    }

    /// Opens (or creates) the index at `path` for writing and starts the writer thread.
    /// - Parameter stages: the ingest stages; nil means `StandardStages`.
    /// - Throws: `IndexError.locked` when another process writes the index.
    public init(path: String, options: LiveWriterOptions = LiveWriterOptions(), stages: [any IngestStage]? = nil) throws {
        self.path = path
        self.options = options
        database = try IndexLocation.openWriter(path, create: true)
        // Readers opening the index right away need a first revision on disk.
        try database.commit()
        configuration = try AnalyzerConfiguration.shared.get()
        self.stages = try stages ?? StandardStages.make(configuration: configuration)
        // The thread holds the writer until `close`: an unclosed writer stays alive rather than losing writes.
        let thread = Thread { self.run() }
        thread.name = "starling.writer"
        self.thread = thread
        thread.start()
    }

    /// Bumped after every commit; a reader opened before a change to it must reopen to see acknowledged posts.
    public var generation: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return committedGeneration
    }

    /// The counters so far.
    public var statistics: LiveWriterStatistics {
        condition.lock()
        defer { condition.unlock() }
        var s = stats
        s.queued = queue.count
        return s
    }

    // MARK: - Preparing

    private func checkOutAnalyzer() throws -> Analyzer {
        condition.lock()
        if let a = analyzers.popLast() { condition.unlock(); return a }
        condition.unlock()
        return try Analyzer(configuration: configuration)
    }

    private func checkIn(_ a: Analyzer) {
        condition.lock()
        analyzers.append(a)
        condition.unlock()
    }

    /// Analyses `posts` and builds their documents with every stage's `prepare`, on up to
    /// `analysisWorkers` threads. Order is kept.
    ///
    /// - Complexity: O(total text length), spread over the workers.
    public func prepare(_ posts: [Post]) throws -> [PreparedPost] {
        guard !posts.isEmpty else { return [] }
        let workers = min(options.analysisWorkers, max(1, posts.count / 32))
        let chunk = (posts.count + workers - 1) / workers
        let analyzers = try (0..<workers).map { _ in try checkOutAnalyzer() }
        defer { for a in analyzers { checkIn(a) } }
        let out = WorkerSlots<PreparedPost>(count: posts.count)
        let builder = self.builder
        let stages = self.stages
        let box = AnalyzerBox(analyzers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let analyzer = box.analyzers[w]
            let lo = w * chunk
            let hi = min(posts.count, lo + chunk)
            guard lo < hi else { return }
            for i in lo..<hi {
                let post = posts[i]
                let analysis = analyzer.analyze(post.text, links: post.urls)
                let doc = builder.build(post, analysis: analysis)
                for stage in stages { stage.prepare(post, analysis: analysis, document: doc) }
                out.set(i, PreparedPost(id: post.id, document: doc, data: doc.dataBytes))
            }
        }
        return out.values
    }

    /// `prepare` on the analysis queue, so a caller on Swift's cooperative pool does not hold its thread.
    public func prepareAsync(_ posts: [Post]) async throws -> [PreparedPost] {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<[PreparedPost], Error>) in
            analysisQueue.async {
                c.resume(with: Result { try self.prepare(posts) })
            }
        }
    }

    // MARK: - Requests

    private func enqueue(_ op: Operation) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if stopping { return false }
        queue.append(op)
        condition.signal()
        return true
    }

    /// Writes `posts` (replacing any post with the same id) and returns once they are committed.
    /// Posts are analysed first, off the writer thread.
    public func upsert(_ posts: [Post]) async throws -> [UpsertOutcome] {
        let prepared = try await prepareAsync(posts)
        return try await upsert(prepared: prepared)
    }

    /// Writes already prepared posts and returns once they are committed.
    public func upsert(prepared: [PreparedPost]) async throws -> [UpsertOutcome] {
        try await withCheckedThrowingContinuation { c in
            if !enqueue(.upsert(prepared, c)) { c.resume(throwing: LiveWriterError.closed) }
        }
    }

    /// Deletes the post `id`; returns whether it was in the index. Returns after the commit.
    public func delete(id: String) async throws -> Bool {
        try await withCheckedThrowingContinuation { c in
            if !enqueue(.delete(id, c)) { c.resume(throwing: LiveWriterError.closed) }
        }
    }

    /// Deletes every post by `author` (compared case-folded, as `from:` does); returns the ids deleted.
    /// Returns after the commit.
    public func deleteAll(byAuthor author: String) async throws -> [String] {
        try await withCheckedThrowingContinuation { c in
            if !enqueue(.deleteAuthor(author, c)) { c.resume(throwing: LiveWriterError.closed) }
        }
    }

    /// Changes stored posts in place, through the same queue and group commit as every other write: on the writer
    /// thread, each post of `ids` still in the index has its document read back and handed to `body` with its
    /// term list; when `body` returns true the document is written back under the same document id. No stage
    /// runs (the post itself is unchanged: this is for terms derived later, such as where its short links lead).
    /// Ids no longer in the index are skipped. Returns the ids changed, after the commit.
    ///
    /// `body` runs on the writer thread while every other write waits: it must be quick and must not call the
    /// writer. An error (from `body` or Xapian) fails this request; documents it had already changed stay
    /// changed and are committed with the group.
    public func modify(ids: [String], _ body: @escaping DocumentModifier) async throws -> [String] {
        guard !ids.isEmpty else { return [] }
        return try await withCheckedThrowingContinuation { c in
            if !enqueue(.modify(ids, body, c)) { c.resume(throwing: LiveWriterError.closed) }
        }
    }

    /// Returns after a commit that follows everything queued before the call.
    public func commit() async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, Error>) in
            if !enqueue(.commit(c)) { c.resume(throwing: LiveWriterError.closed) }
        }
    }

    /// Stops accepting requests, finishes and commits what is queued, and closes the index (releasing the lock).
    /// Safe to call more than once.
    public func close() async throws {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            condition.lock()
            if stopped {
                condition.unlock()
                c.resume()
                return
            }
            stopping = true
            finished.append(c)
            condition.signal()
            condition.unlock()
        }
        if let e = closeError { throw e }
    }

    /// The error closing the index ran into, if any.
    private var closeError: Error? {
        condition.lock()
        defer { condition.unlock() }
        return finalError
    }

    /// Like `close`, for code that is not async (a signal handler's thread, a deinit path). Blocks until done.
    public func closeBlocking() throws {
        condition.lock()
        stopping = true
        condition.signal()
        while !stopped { condition.wait() }
        let e = finalError
        condition.unlock()
        if let e { throw e }
    }

    // MARK: - The writer thread

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                condition.unlock()
                break
            }
            condition.unlock()
            if options.gatherDelay > 0 { Thread.sleep(forTimeInterval: options.gatherDelay) }
            condition.lock()
            let group = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            process(group)
        }
        var closeError: Error?
        do {
            try database.commit()
            for stage in stages { try stage.afterCommit(database: database) }
            try database.close()
        } catch {
            closeError = error
        }
        condition.lock()
        stopped = true
        finalError = closeError
        let waiting = finished
        finished.removeAll()
        condition.broadcast()
        condition.unlock()
        for c in waiting { c.resume() }
    }

    /// The answer of one operation, held until the group's commit succeeds.
    private enum Answer {
        case upsert([UpsertOutcome])
        case delete(Bool)
        case deleteAuthor([String])
        case commit
        case modify([String])
        case failed(Error)
    }

    /// Applies a group of operations in arrival order, commits once, then answers them all.
    private func process(_ group: [Operation]) {
        let start = DispatchTime.now().uptimeNanoseconds
        var answers: [Answer] = []
        answers.reserveCapacity(group.count)
        var written = 0
        var deleted = 0
        for op in group {
            do {
                switch op {
                case .upsert(let posts, _):
                    let outcomes = write(posts)
                    written += outcomes.count { $0.status == .added || $0.status == .updated }
                    answers.append(.upsert(outcomes))
                case .delete(let id, _):
                    let found = try remove(id: id)
                    if found { deleted += 1 }
                    answers.append(.delete(found))
                case .deleteAuthor(let author, _):
                    let ids = try removeAll(author: author)
                    deleted += ids.count
                    answers.append(.deleteAuthor(ids))
                case .commit:
                    answers.append(.commit)
                case .modify(let ids, let body, _):
                    answers.append(.modify(try modify(ids: ids, body)))
                }
            } catch {
                answers.append(.failed(error))
            }
        }
        var commitError: Error?
        do {
            try database.commit()
            for stage in stages { try stage.afterCommit(database: database) }
        } catch {
            commitError = error
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        condition.lock()
        if commitError == nil {
            committedGeneration += 1
            stats.commits += 1
            stats.postsWritten += written
            stats.postsDeleted += deleted
        }
        stats.requests += group.count
        stats.lastGroupSeconds = seconds
        stats.lastGroupRequests = group.count
        condition.unlock()
        for (op, answer) in zip(group, answers) { resume(op, answer, commitError) }
    }

    /// Answers one operation: its result if the commit went through, else the commit's error.
    private func resume(_ op: Operation, _ answer: Answer, _ commitError: Error?) {
        func fail(_ e: Error) {
            switch op {
            case .upsert(_, let c): c.resume(throwing: e)
            case .delete(_, let c): c.resume(throwing: e)
            case .deleteAuthor(_, let c): c.resume(throwing: e)
            case .commit(let c): c.resume(throwing: e)
            case .modify(_, _, let c): c.resume(throwing: e)
            }
        }
        if let commitError { return fail(commitError) }
        switch (op, answer) {
        case (_, .failed(let e)): fail(e)
        case (.upsert(_, let c), .upsert(let r)): c.resume(returning: r)
        case (.delete(_, let c), .delete(let r)): c.resume(returning: r)
        case (.deleteAuthor(_, let c), .deleteAuthor(let r)): c.resume(returning: r)
        case (.commit(let c), .commit): c.resume()
        case (.modify(_, _, let c), .modify(let r)): c.resume(returning: r)
        default: fail(LiveWriterError.closed)  // unreachable: answers are built per operation kind
        }
    }

    /// Writes prepared posts; a post a stage or Xapian refuses gets an error, the others go on.
    private func write(_ posts: [PreparedPost]) -> [UpsertOutcome] {
        var out: [UpsertOutcome] = []
        out.reserveCapacity(posts.count)
        for p in posts {
            let idTerm = DocumentBuilder.clip(TermPrefix.id + p.id)
            do {
                let existing = try database.postings(idTerm).first
                if let existing, try database.document(existing).dataBytes == p.data {
                    out.append(UpsertOutcome(id: p.id, status: .unchanged))
                    continue
                }
                for stage in stages { try stage.beforeWrite(id: p.id, document: p.document, database: database) }
                let docid = try database.replaceDocument(uniqueTerm: idTerm, p.document)
                for stage in stages { try stage.afterWrite(id: p.id, docid: docid, database: database) }
                out.append(UpsertOutcome(id: p.id, status: existing == nil ? .added : .updated))
            } catch {
                out.append(UpsertOutcome(id: p.id, error: "\(error)"))
            }
        }
        return out
    }

    /// Hands each post's stored document to `body` and writes back the ones it changed.
    private func modify(ids: [String], _ body: DocumentModifier) throws -> [String] {
        var changed: [String] = []
        for id in ids {
            guard let docid = try database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first else { continue }
            let document = try database.document(docid)
            if try body(id, document, try database.termList(docid)) {
                try database.replaceDocument(docid, document)
                changed.append(id)
            }
        }
        return changed
    }

    /// Deletes the document holding post `id`, letting the stages repair what refers to it first.
    private func remove(id: String) throws -> Bool {
        guard let docid = try database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first else { return false }
        for stage in stages { try stage.beforeDelete(id: id, docid: docid, database: database) }
        try database.deleteDocument(docid)
        return true
    }

    /// Deletes every document whose author term matches `author` case-folded.
    ///
    /// - Complexity: O(p) term-list reads and deletions for the p posts of the author.
    private func removeAll(author: String) throws -> [String] {
        let term = DocumentBuilder.clip(TermPrefix.author + Normalizer.fold(author))
        var ids: [String] = []
        for docid in try database.postings(term) {
            // The id is the document's only `Q` term (unprefixed terms are case-folded, so never start with Q).
            guard let idTerm = try database.termList(docid).first(where: { $0.term.hasPrefix(TermPrefix.id) })?.term
            else { continue }
            let id = String(idTerm.dropFirst(TermPrefix.id.count))
            for stage in stages { try stage.beforeDelete(id: id, docid: docid, database: database) }
            try database.deleteDocument(docid)
            ids.append(id)
        }
        return ids
    }
}
