// Reader sessions for concurrent requests. A Xapian database handle, an analyser and the searchers built on them
// are not thread-safe, so each request checks a session out, uses it alone, and gives it back. Sessions
// reopen when the writer has committed since they last looked, so acknowledged posts are always visible.
// The work runs on the pool's own threads (one per session): Xapian's blocking calls never hold Swift's few
// cooperative threads, and a search never queues behind ingest analysis in Dispatch's per-core worker pool
// (on a 2-core machine that queueing cost freshly acknowledged posts a few hundred milliseconds).
import Dispatch
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingSimilar
import XapianKit

/// What reader sessions open: the index folder the writer writes, or shards searched as one (read-only).
public enum ReaderSource: Sendable {
    case index(String)
    case shards([ShardAddress], timeout: Double)

    /// How often a session over shards reopens them to see what was written there since (nothing here tells).
    static let shardRefreshSeconds = 2.0

    var isShards: Bool {
        if case .shards = self { return true } else { return false }
    }

    /// 503: a shard does not answer; the service stays up and tries again at the next request.
    static func unavailable(_ detail: String) -> APIError {
        APIError(.serviceUnavailable, "shard-unavailable", "a shard does not answer (\(detail)); the next request "
                 + "tries again")
    }
}

/// One reader: a database handle, an analyser and the searchers over them. Used by one request at a time.
public final class ReaderSession: @unchecked Sendable {
    /// The index as of `generation`.
    public let database: Database
    /// The analyser queries go through.
    public let analyzer: Analyzer
    /// Full-text search.
    public let searcher: Searcher
    /// The writer generation the database was last reopened at.
    public private(set) var generation: UInt64
    private var similarSearcher: SimilarSearcher?
    private var shardedDuplicates: ShardedDuplicateSearcher?
    private let source: ReaderSource
    private var reopened = Date()

    init(source: ReaderSource, generation: UInt64) throws {
        self.source = source
        switch source {
        case .index(let path): database = try IndexLocation.openReader(path)
        case .shards(let shards, let timeout): database = try IndexLocation.openShards(shards, timeout: timeout)
        }
        analyzer = try Analyzer()
        searcher = Searcher(database: database, analyzer: analyzer)
        self.generation = generation
    }

    /// Near-duplicate queries with the settings the index was built with (read from its metadata each time, so a
    /// session opened before the first ingest still gets them); `threshold` overrides the Jaccard threshold.
    /// Over shards, every shard is asked (`ShardedDuplicateSearcher`, its own handles, kept while the session
    /// lives for the index's threshold).
    public func duplicates(threshold: Double? = nil) throws -> any NearDuplicateQueries {
        guard case .shards(let shards, let timeout) = source else {
            return try DuplicateSearcher(database: database, threshold: threshold)
        }
        if threshold == nil, let kept = shardedDuplicates { return kept }
        let searcher = try ShardedDuplicateSearcher(shards: shards, threshold: threshold, timeout: timeout,
                                                    analyzer: analyzer)
        if threshold == nil { shardedDuplicates = searcher }
        return searcher
    }

    /// Similar-posts search, made on first use (it caches statistics until the next reopen).
    public func similar() throws -> SimilarSearcher {
        if let s = similarSearcher { return s }
        let s: SimilarSearcher
        switch source {
        case .index(let path):
            // Sessions of one index share the documents' vectors (kept in the index directory between runs).
            s = try SimilarSearcher(database: database, analyzer: analyzer, directory: path)
        case .shards(let shards, let timeout):
            // Each shard also on its own: the matcher path reads them side by side.
            s = try SimilarSearcher(database: database, analyzer: analyzer,
                                    shards: try IndexLocation.openEachShard(shards, timeout: timeout).map(\.database))
        }
        similarSearcher = s
        return s
    }

    /// Runs a similar-posts request. Over shards the candidates come from Xapian's matcher on each shard (the
    /// fast path and brute force would read every post's vector through the network, again after each refresh);
    /// `exact` is refused there.
    public func similar(_ request: SimilarRequest) throws -> SimilarResult {
        var request = request
        if source.isShards {
            if request.mode == .exact {
                throw APIError(.conflict, "not-over-shards", "mode=exact scores every post and is not offered over "
                               + "shards (it would read each one through the network): use mode=matcher, the default "
                               + "here, or ask a service running on one shard's own index")
            }
            request.mode = .matcher
        }
        return try similar().similar(request)
    }

    /// Moves to the latest commit if the writer committed since `generation`.
    func refresh(to latest: UInt64, force: Bool = false) throws {
        if case .shards = source {
            // Shards are written elsewhere: look again every few seconds.
            guard force || Date().timeIntervalSince(reopened) >= ReaderSource.shardRefreshSeconds else { return }
            try database.reopen()
            try shardedDuplicates?.reopen()
            try similarSearcher?.databaseReopened()
            reopened = Date()
            return
        }
        guard force || latest != generation else { return }
        try database.reopen()
        try similarSearcher?.databaseReopened()
        generation = latest
    }
}

/// Hands out reader sessions, at most `capacity` open at once; more requests wait for one.
public final class ReaderPool: @unchecked Sendable {
    private let source: ReaderSource
    private let capacity: Int
    private let generation: @Sendable () -> UInt64
    private let lock = NSLock()
    private var idle: [ReaderSession] = []
    private var open = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private let threads: WorkerThreads

    /// A pool over the index at `path`; `generation` tells the writer's latest commit.
    public convenience init(path: String, capacity: Int, generation: @escaping @Sendable () -> UInt64) {
        self.init(source: .index(path), capacity: capacity, generation: generation)
    }

    /// A pool over `source`; `generation` tells the writer's latest commit (a constant for shards).
    public init(source: ReaderSource, capacity: Int, generation: @escaping @Sendable () -> UInt64) {
        self.source = source
        self.capacity = max(1, capacity)
        self.generation = generation
        threads = WorkerThreads(count: self.capacity, name: "starling.reader")
    }

    /// Ends the threads once the jobs queued so far are done (the service is closing).
    public func close() {
        threads.stop()
    }

    /// Sessions open now (idle or in use).
    public var openSessions: Int {
        lock.lock()
        defer { lock.unlock() }
        return open
    }

    /// Takes an idle session, or reserves the right to open one; nil means wait.
    private func tryTake() -> (ReaderSession?, Bool) {
        lock.lock()
        defer { lock.unlock() }
        if let s = idle.popLast() { return (s, true) }
        if open < capacity {
            open += 1
            return (nil, true)
        }
        return (nil, false)
    }

    private func giveBack(_ s: ReaderSession?) {
        lock.lock()
        if let s { idle.append(s) } else { open -= 1 }
        let next = waiting.isEmpty ? nil : waiting.removeFirst()
        lock.unlock()
        next?.resume()
    }

    private func waitForSession() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            // Re-check under the lock: a session may have come back since tryTake.
            if !idle.isEmpty || open < capacity {
                lock.unlock()
                c.resume()
                return
            }
            waiting.append(c)
            lock.unlock()
        }
    }

    /// Runs `body` with a session at the latest commit, on the readers' queue. A read that races a commit
    /// (Xapian's DatabaseModifiedError) reopens and retries, so searches during ingest do not fail.
    public func withSession<T: Sendable>(_ body: @escaping @Sendable (ReaderSession) throws -> T) async throws -> T {
        var taken: (ReaderSession?, Bool) = tryTake()
        while !taken.1 {
            await waitForSession()
            taken = tryTake()
        }
        let reserved = taken.0
        let source = self.source
        let generation = self.generation
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            threads.submit {
                var session = reserved
                let result: Result<T, Error> = Result {
                    var attempt = 0
                    var reconnected = false
                    while true {
                        do {
                            if session == nil { session = try ReaderSession(source: source, generation: generation()) }
                            let s = session!
                            try s.refresh(to: generation(), force: attempt > 0)
                            return try body(s)
                        } catch let e as XapianError where e.type == "DatabaseModifiedError" && attempt < 5 {
                            attempt += 1
                        } catch let e as XapianError where e.type.hasPrefix("Network") && source.isShards {
                            // A shard went away (or came back on a new connection): this session's connections
                            // are dead, so it is dropped; one try with a new one, then 503.
                            session = nil
                            if reconnected { throw ReaderSource.unavailable("\(e)") }
                            reconnected = true
                        } catch let e as ShardError {
                            session = nil
                            throw ReaderSource.unavailable(e.description)
                        }
                    }
                }
                self.giveBack(session)
                c.resume(with: result)
            }
        }
    }
}

/// A fixed set of threads running submitted jobs in order of arrival. Used instead of a Dispatch queue so
/// reads get their own threads, scheduled by the kernel alongside the writer's, whatever else queues in
/// Dispatch. The threads end at `stop`.
final class WorkerThreads: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    init(count: Int, name: String) {
        for i in 0..<max(1, count) {
            let t = Thread { [condition] in
                while true {
                    condition.lock()
                    while self.jobs.isEmpty && !self.stopping { condition.wait() }
                    if self.jobs.isEmpty {
                        condition.unlock()
                        return
                    }
                    let job = self.jobs.removeFirst()
                    condition.unlock()
                    job()
                }
            }
            t.name = "\(name).\(i)"
            t.start()
        }
    }

    /// Lets the threads finish the queued jobs and end.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Runs `job` on one of the threads.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }
}
