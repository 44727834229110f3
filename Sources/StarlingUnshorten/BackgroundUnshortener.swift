// Unshortening inside a running service. Ingest never waits for it: once posts are committed their unresolved
// short links are offered here, which only looks at the cache and, on a miss, queues the link (a full queue
// drops it and counts the drop). A few workers resolve queued links with the resolver's SSRF policy and limits,
// record every answer in the index's cache (failures too, so a dead network is not asked again and again), and
// give the waiting posts their targets' terms through the service's single writer (`LiveIndexWriter.modify`),
// which re-reads each document at write time, so a post re-ingested or deleted meanwhile is handled as it is now.
//
//   prepare(document), before the write: targets the cache knows are added to the document itself
//   offer(posts), after the commit: --cache hit (resolved meanwhile)--> apply(ids)
//               --miss--> bounded queue --> workers (concurrency) --> resolver --> cache.record --> apply(ids)
//   apply(ids) --> writer.modify: UnshortenTerms.addKnownTargets on the stored document --> group commit
//   start: catch-up finds posts already indexed with unresolved short links (`IndexUnshortener.pending`) and
//          offers them, waiting for room in the queue instead of dropping.
//
// A link dropped from a full queue, or in flight when the service stops, leaves its posts without the marker,
// so the next start's catch-up finds them again.
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import XapianKit

/// Settings of the background unshortener.
public struct BackgroundUnshortenOptions: Sendable {
    /// The resolver's limits (concurrency, timeout, hops) and SSRF policy.
    public var resolver = ResolverConfiguration()
    /// Most links waiting for a resolver; a link offered beyond it is dropped and counted, never waited for.
    public var queueCapacity = 10_000
    /// Shortener domains; nil reads analyzers/url/shorteners.txt.
    public var shorteners: ShortenerList?
    /// Look at start for posts already in the index with unresolved short links.
    public var catchUp = true
    /// Posts changed per writer request when resolutions known from the cache are applied.
    public var applyBatch = 500

    /// The defaults: those of `starling unshorten`, public addresses only, a 10,000-link queue.
    public init() {}
}

/// Counters of the background unshortener since it started.
public struct BackgroundUnshortenStatistics: Sendable, Equatable {
    /// Links resolved over the network.
    public var resolved = 0
    /// Links whose resolution over the network failed (the failure is cached).
    public var failed = 0
    /// Links answered by the cache (resolved or failed before, possibly in an earlier run).
    public var cached = 0
    /// Links waiting for a resolver now.
    public var queued = 0
    /// Links being resolved now.
    public var inFlight = 0
    /// Links not queued because the queue was full (their posts are caught up at the next start).
    public var dropped = 0
    /// Posts given their targets' terms.
    public var postsUpdated = 0
    /// Posts with unresolved short links found by the start-up catch-up.
    public var catchUpPosts = 0
    /// Whether the start-up catch-up has offered everything it found (true when catch-up is off).
    public var catchUpDone = false
    /// Failed writes of terms or of the cache file (the links stay unresolved in the index).
    public var errors = 0

    public init() {}
}

/// Resolves short links of a live index in the background and writes their targets through its writer.
public final class BackgroundUnshortener: @unchecked Sendable {
    /// The shortener domains in force.
    public let shorteners: ShortenerList
    /// The index's cache (`unshorten-cache.jsonl` in the index folder).
    public let cache: UnshortenCache
    private let writer: LiveIndexWriter
    private let urls: URLCanonicalizer
    private let options: BackgroundUnshortenOptions
    private let resolver: RedirectResolver

    /// Guards everything below.
    private let lock = NSLock()
    /// Links waiting for a worker, first in first out (`head` is the next one).
    private var queue: [String] = []
    private var head = 0
    /// The posts waiting for each queued or in-flight link.
    private var waiting: [String: [String]] = [:]
    private var idleWorkers: [CheckedContinuation<String?, Never>] = []
    private var roomWaiters: [CheckedContinuation<Void, Never>] = []
    private var started = false
    private var stopped = false
    private var stats = BackgroundUnshortenStatistics()

    /// An unshortener for the index `writer` writes, with the index's cache. Call ``start()`` to begin.
    /// - Throws: ``UnshortenError`` when the shortener list or the cache cannot be read.
    public init(writer: LiveIndexWriter, options: BackgroundUnshortenOptions, urls: URLCanonicalizer) throws {
        precondition(options.queueCapacity >= 0 && options.applyBatch >= 1, "queue and batch sizes must be positive")
        shorteners = try options.shorteners ?? ShortenerList.standard()
        cache = try UnshortenCache(indexPath: writer.path)
        self.writer = writer
        self.urls = urls
        self.options = options
        resolver = RedirectResolver(configuration: options.resolver)
    }

    /// The counters so far.
    public var statistics: BackgroundUnshortenStatistics {
        lock.lock()
        defer { lock.unlock() }
        var s = stats
        s.queued = queue.count - head
        return s
    }

    /// Starts the workers and, when enabled, the catch-up of posts already indexed. Safe to call more than once.
    public func start() {
        lock.lock()
        if started || stopped {
            lock.unlock()
            return
        }
        started = true
        if !options.catchUp { stats.catchUpDone = true }
        lock.unlock()
        for _ in 0..<options.resolver.concurrency {
            Task.detached { await self.work() }
        }
        if options.catchUp {
            Task.detached { await self.catchUp() }
        }
    }

    /// Stops: queued links are forgotten, idle workers end, and nothing more is offered. Links in flight finish
    /// (the HTTP client cannot cancel safely) and are cached; their terms are written if the writer is still open.
    public func stop() {
        lock.lock()
        stopped = true
        let idle = idleWorkers
        let rooms = roomWaiters
        idleWorkers.removeAll()
        roomWaiters.removeAll()
        queue.removeAll()
        head = 0
        lock.unlock()
        for w in idle { w.resume(returning: nil) }
        for r in rooms { r.resume() }
        resolver.close()
    }

    /// Readies a document about to be written: gives it the targets the cache already knows for its short links
    /// (so a post sent again is written with them at once, and an identical re-upload stays `unchanged`), and
    /// returns its short links the cache does not know, to ``offer(_:)`` once the post is committed.
    /// - Returns: whether `document` changed, and the links to offer.
    public func prepare(_ document: Document) -> (changed: Bool, unknown: [String]) {
        let links = UnshortenTerms.unresolvedShortLinks(in: document.terms(), shorteners: shorteners)
        guard !links.isEmpty else { return (false, []) }
        var known: [(link: String, final: String)] = []
        var unknown: [String] = []
        var cached = 0
        for link in links {
            if let r = cache.lookup(link) {
                cached += 1
                if let final = r.final { known.append((link, final)) }
            } else {
                unknown.append(link)
            }
        }
        if cached > 0 { lock.withLock { stats.cached += cached } }
        let changed = !known.isEmpty && !UnshortenTerms.addTargets(known, to: document, urls: urls).isEmpty
        return (changed, unknown)
    }

    /// Hands over committed posts' unresolved short links. Never waits: a cached link is applied in the
    /// background, a new link is queued, and a link that finds the queue full is dropped and counted.
    ///
    /// - Complexity: O(links), under a lock held for dictionary work only.
    public func offer(_ posts: [(id: String, links: [String])]) {
        var ready: [String] = []
        lock.lock()
        if stopped {
            lock.unlock()
            return
        }
        for (id, links) in posts where !links.isEmpty {
            var known = false
            for link in links {
                switch admit(link, for: id) {
                case .known(let resolution): if resolution.final != nil { known = true }
                case .full: stats.dropped += 1
                case .waiting: break
                }
            }
            if known { ready.append(id) }
        }
        lock.unlock()
        if !ready.isEmpty {
            Task.detached { await self.apply(ready) }
        }
    }

    private enum Admission {
        /// The cache knows the link.
        case known(Resolution)
        /// The post waits for the link (queued now or already).
        case waiting
        /// The queue is full.
        case full
    }

    /// Caller holds `lock`. A link already waited for is not queued twice; the cache is asked after `waiting`,
    /// and a worker records in the cache before it removes the link from `waiting`, so no link is resolved twice.
    private func admit(_ link: String, for id: String) -> Admission {
        if waiting[link] != nil {
            waiting[link]!.append(id)
            return .waiting
        }
        if let r = cache.lookup(link) {
            stats.cached += 1
            return .known(r)
        }
        if queue.count - head >= options.queueCapacity && idleWorkers.isEmpty { return .full }
        waiting[link] = [id]
        if let worker = idleWorkers.popLast() {
            stats.inFlight += 1
            worker.resume(returning: link)
        } else {
            queue.append(link)
        }
        return .waiting
    }

    /// The next queued link, waiting for one; nil once stopped.
    private func next() async -> String? {
        await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
            lock.lock()
            if stopped {
                lock.unlock()
                c.resume(returning: nil)
                return
            }
            guard head < queue.count else {
                idleWorkers.append(c)
                lock.unlock()
                return
            }
            let link = queue[head]
            head += 1
            if head >= 1_024 && head * 2 >= queue.count {
                queue.removeFirst(head)
                head = 0
            }
            stats.inFlight += 1
            let room = roomWaiters.isEmpty ? nil : roomWaiters.removeFirst()
            lock.unlock()
            room?.resume()
            c.resume(returning: link)
        }
    }

    /// One worker: resolve, cache, apply, until stopped.
    private func work() async {
        while let link = await next() {
            let r = await resolver.resolve(link)
            var cacheFailed = false
            do { try cache.record(r) } catch { cacheFailed = true }  // kept in memory all the same
            let ids = lock.withLock {
                stats.inFlight -= 1
                if r.failure == nil { stats.resolved += 1 } else { stats.failed += 1 }
                if cacheFailed { stats.errors += 1 }
                return waiting.removeValue(forKey: link) ?? []
            }
            if r.final != nil && !ids.isEmpty { await apply(ids) }
        }
    }

    /// Offers the posts already in the index with unresolved short links, waiting for room in the queue.
    private func catchUp() async {
        defer { lock.withLock { stats.catchUpDone = true } }
        let pending: [PendingPost]
        do {
            let reader = try IndexLocation.openReader(writer.path)
            pending = try IndexUnshortener.pending(in: reader, shorteners: shorteners)
            try reader.close()
        } catch {
            lock.withLock { stats.errors += 1 }
            return
        }
        lock.withLock { stats.catchUpPosts = pending.count }
        var ready: [String] = []
        for post in pending {
            var known = false
            for link in post.links {
                while true {
                    guard let admission = lock.withLock({ stopped ? nil : admit(link, for: post.id) }) else { return }
                    if case .known(let r) = admission, r.final != nil { known = true }
                    if case .full = admission {
                        await waitForRoom()
                        continue
                    }
                    break
                }
            }
            if known { ready.append(post.id) }
            if ready.count >= options.applyBatch {
                await apply(ready)
                ready.removeAll()
            }
        }
        await apply(ready)
    }

    /// Returns once a worker takes a link from the queue (or at once when there is room, or when stopped).
    private func waitForRoom() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if stopped || queue.count - head < options.queueCapacity || !idleWorkers.isEmpty {
                lock.unlock()
                c.resume()
                return
            }
            roomWaiters.append(c)
            lock.unlock()
        }
    }

    /// Gives the posts `ids` the targets the cache knows for their unresolved short links, in one writer request.
    private func apply(_ ids: [String]) async {
        var seen = Set<String>()
        let unique = ids.filter { seen.insert($0).inserted }
        guard !unique.isEmpty else { return }
        let cache = self.cache
        let shorteners = self.shorteners
        let urls = self.urls
        do {
            let changed = try await writer.modify(ids: unique) { _, document, terms in
                UnshortenTerms.addKnownTargets(to: document, terms: terms, shorteners: shorteners, urls: urls,
                                               known: { cache.lookup($0) })
            }
            lock.withLock { stats.postsUpdated += changed.count }
        } catch LiveWriterError.closed {
            // The service is stopping; the next start's catch-up writes these from the cache.
        } catch {
            lock.withLock { stats.errors += 1 }
        }
    }
}
