// Ingest: read records on one thread, decode + analyse + build documents on every core, write on one thread.
//
//   reader (this thread) --batches--> workers (concurrentPerform, one Analyzer each) --documents--> writer (serial)
//
// Xapian allows one writer; everything before it runs in parallel. A commit closes each batch of `commitEvery`
// posts, so an interrupted import leaves whole batches committed and the index consistent.
import Dispatch
import Foundation
import StarlingAnalysis
import StarlingImport
import StarlingModel
import XapianKit

/// Settings of an ingest run.
public struct IngestOptions: Sendable {
    /// Posts per commit.
    public var commitEvery: Int = 20_000
    /// Records handed to the workers at a time.
    public var batchRecords: Int = 4_096
    /// Analysis threads: by default one per core but one, which is left to the writer thread. The writer is the
    /// slower stage, and it ran 13-20 % slower when analysis took every core (2 cores: 4,437 / 4,521 posts/s with
    /// one analysis thread against 3,988 / 3,631 with two, alternating runs on 400,000 posts of the 1M corpus;
    /// 5,134 / 5,105 against 4,461 / 4,519 on the 211k real corpus).
    public var workers: Int = IngestOptions.analysisThreads(writing: true)
    /// The default analysis threads: every core for a dry run (nothing is written), else every core but one.
    public static func analysisThreads(writing: Bool) -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return max(1, writing ? cores - 1 : cores)
    }
    /// Read, validate and analyse everything, but write nothing (checks a file; measures the analysis alone).
    public var dryRun: Bool = false
    /// Index only the posts of this partition (one shard of several); nil: every post.
    public var partition: Partition?
    public init() {}
}

/// Partition `index` of `count`: the posts whose id hashes there (64-bit FNV-1a of the id's UTF-8 bytes, modulo
/// `count`). Indexing the same input once per partition gives shards that hold every post exactly once, and a post
/// imported again (an update) always lands in the same shard.
public struct Partition: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Partition `index` of `count`; nil unless 0 ≤ index < count.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// `K/N`, e.g. `0/4` (the first of four).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: k, count: n)
    }

    /// Whether the post with `id` belongs to this partition.
    public func holds(id: String) -> Bool {
        Int(Self.hash(id) % UInt64(count)) == index
    }

    /// 64-bit FNV-1a of `id`'s UTF-8 bytes: fixed across runs, machines and versions (Swift's own hash is not).
    public static func hash(_ id: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in id.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    public var description: String { "\(index)/\(count)" }
}

/// Progress, reported about every 0.2 s.
public struct IngestProgress: Sendable {
    public var file: String
    public var bytesRead: Int64
    public var totalBytes: Int64?
    public var indexed: Int
    public var rejected: Int
    public var elapsed: Double
}

/// What an ingest run did.
public struct IngestSummary: Sendable {
    public var files: Int = 0
    public var indexed: Int = 0
    public var rejected: Int = 0
    /// Posts left out for belonging to another partition (`IngestOptions.partition`).
    public var otherPartitions: Int = 0
    public var added: Int = 0
    public var updated: Int = 0
    public var documentsBefore: Int = 0
    public var documentsAfter: Int = 0
    public var seconds: Double = 0
    public var interrupted: Bool = false
    public var postsPerSecond: Double { seconds > 0 ? Double(indexed) / seconds : 0 }
}

/// A thread-safe flag set from a signal handler.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    public init() {}
    public func stop() { lock.lock(); stopped = true; lock.unlock() }
    public var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}

/// Ingests files into one index.
public final class Ingestor {
    private let path: String
    private let options: IngestOptions
    private let database: WritableDatabase
    private let analyzers: [Analyzer]
    private let builder = DocumentBuilder()
    private let stages: [any IngestStage]

    /// Opens (or creates) the index at `path` for writing.
    /// - Parameter stages: the ingest stages; nil means `StandardStages`.
    public init(path: String, options: IngestOptions = IngestOptions(), stages: [any IngestStage]? = nil) throws {
        self.path = path
        self.options = options
        // Xapian commits on its own every 10,000 changed documents (XAPIAN_FLUSH_THRESHOLD), read when a writer
        // opens. Left alone it commits twice per batch of 20,000: each commit rewrites every B-tree block the
        // batch touched (posts' random bucket and id terms touch most of them), so twice the writes and more
        // half-empty blocks on disk. Ingest commits itself, so Xapian's own threshold is put past the batch,
        // unless the user set it.
        if getenv("XAPIAN_FLUSH_THRESHOLD") == nil {
            setenv("XAPIAN_FLUSH_THRESHOLD", String(max(10_000, options.commitEvery * 2)), 0)
        }
        database = try IndexLocation.openWriter(path, create: true)
        let config = try AnalyzerConfiguration.shared.get()
        analyzers = try (0..<options.workers).map { _ in try Analyzer(configuration: config) }
        self.stages = try stages ?? StandardStages.make(configuration: config)
    }

    /// Closes the index (releasing the write lock). The ingestor cannot be used afterwards.
    public func close() throws {
        try database.close()
    }

    /// One worker's output for one record.
    private enum Built {
        case document(id: String, Document)
        case rejected(ImportIssue)
        case otherPartition
    }

    /// Ingests every file in `paths` ("-" is standard input). Per-record problems go to `onIssue` and never stop
    /// the run; a file that cannot be read at all is reported through `onFileError` and the rest go on.
    public func ingest(paths: [String], importOptions: ImportOptions, stop: StopFlag = StopFlag(),
                       onIssue: @escaping @Sendable (ImportIssue) -> Void,
                       onFileError: @escaping (String, Error) -> Void,
                       onProgress: @escaping (IngestProgress) -> Void) throws -> IngestSummary {
        let state = WriterState()
        let start = Date()
        state.summary.documentsBefore = try database.documentCount()
        let writer = DispatchQueue(label: "starling.writer")
        let inflight = DispatchSemaphore(value: 2)
        var lastProgress = Date.distantPast
        let commitEvery = options.commitEvery
        let dryRun = options.dryRun
        let stages = self.stages
        let database = self.database

        for path in paths {
            if stop.isStopped { break }
            let stream: ImportStream
            do {
                stream = try ImportStream(path: path, options: importOptions)
            } catch {
                onFileError(path, error)
                continue
            }
            state.withLock { $0.summary.files += 1 }
            let decoder = stream.decoder
            let fileName = path
            while !stop.isStopped, let batch = stream.nextBatch(maxRecords: options.batchRecords) {
                let built = SendableBox(analyse(batch, decoder: decoder, file: fileName))
                inflight.wait()
                if let e = state.withLock({ $0.writeError }) {
                    // Give the slot back and let the other batch in flight finish first: libdispatch traps when a
                    // semaphore is released below its initial count, which turned a refused write into a crash.
                    inflight.signal()
                    writer.sync {}
                    throw e
                }
                writer.async {
                    defer { inflight.signal() }
                    do {
                        var indexed = 0
                        var rejected = 0
                        var elsewhere = 0
                        for item in built.value {
                            switch item {
                            case .document(let id, let doc):
                                if !dryRun {
                                    for stage in stages { try stage.beforeWrite(id: id, document: doc, database: database) }
                                    let docid = try database.replaceDocument(uniqueTerm: TermPrefix.id + id, doc)
                                    for stage in stages { try stage.afterWrite(id: id, docid: docid, database: database) }
                                }
                                indexed += 1
                            case .rejected(let issue):
                                onIssue(issue)
                                rejected += 1
                            case .otherPartition:
                                elsewhere += 1
                            }
                        }
                        let due = state.withLock { s -> Bool in
                            s.summary.indexed += indexed
                            s.summary.rejected += rejected
                            s.summary.otherPartitions += elsewhere
                            s.sinceCommit += indexed
                            return s.sinceCommit >= commitEvery
                        }
                        if due {
                            try database.commit()
                            for stage in stages { try stage.afterCommit(database: database) }
                            state.withLock { $0.sinceCommit = 0 }
                        }
                    } catch {
                        state.withLock { $0.writeError = error }
                    }
                }
                let now = Date()
                if now.timeIntervalSince(lastProgress) > 0.2 {
                    lastProgress = now
                    let (indexed, rejected) = state.withLock { ($0.summary.indexed, $0.summary.rejected) }
                    onProgress(IngestProgress(file: fileName, bytesRead: stream.bytesRead,
                                              totalBytes: stream.totalBytes, indexed: indexed, rejected: rejected,
                                              elapsed: now.timeIntervalSince(start)))
                }
            }
        }
        writer.sync {}
        if let e = state.withLock({ $0.writeError }) { throw e }
        try database.commit()
        for stage in stages { try stage.afterCommit(database: database) }
        var summary = state.withLock { $0.summary }
        summary.interrupted = stop.isStopped
        summary.documentsAfter = try database.documentCount()
        summary.added = summary.documentsAfter - summary.documentsBefore
        summary.updated = max(0, summary.indexed - summary.added)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Decodes, analyses and builds a batch on all workers; order is kept.
    private func analyse(_ batch: [Result<RawRecord, ImportIssue>], decoder: PostDecoder, file: String) -> [Built] {
        let workers = min(options.workers, max(1, batch.count / 64))
        var outputs = [[Built]](repeating: [], count: workers)
        let chunk = (batch.count + workers - 1) / workers
        let analyzers = SendableBox(self.analyzers)
        let builder = self.builder
        let stages = self.stages
        let partition = options.partition
        outputs.withUnsafeMutableBufferPointer { out in
            let out = UnsafeMutableSendableBuffer(out)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let analyzer = analyzers.value[w]
                var local: [Built] = []
                local.reserveCapacity(chunk)
                let lo = w * chunk
                let hi = min(batch.count, lo + chunk)
                if lo < hi {
                    for r in batch[lo..<hi] {
                        switch r {
                        case .failure(let issue):
                            local.append(.rejected(issue))
                        case .success(let record):
                            for decoded in decoder.decode(record, file: file) {
                                switch decoded {
                                case .failure(let issue):
                                    local.append(.rejected(issue))
                                case .success(let post) where partition.map({ !$0.holds(id: post.id) }) ?? false:
                                    local.append(.otherPartition)
                                case .success(let post):
                                    let analysis = analyzer.analyze(post.text, links: post.urls)
                                    let doc = builder.build(post, analysis: analysis)
                                    for stage in stages { stage.prepare(post, analysis: analysis, document: doc) }
                                    local.append(.document(id: post.id, doc))
                                }
                            }
                        }
                    }
                }
                out.buffer[w] = local
            }
        }
        return outputs.flatMap { $0 }
    }
}

/// Lets concurrentPerform workers write disjoint slots of one buffer.
private struct UnsafeMutableSendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ b: UnsafeMutableBufferPointer<T>) { buffer = b }
}

/// The writer's shared counters, guarded by a lock.
private final class WriterState: @unchecked Sendable {
    private let lock = NSLock()
    var summary = IngestSummary()
    var sinceCommit = 0
    var writeError: Error?

    func withLock<T>(_ body: (WriterState) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(self)
    }
}

/// Hands a value to another queue when the compiler cannot see that only one side touches it.
private struct SendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ v: T) { value = v }
}
