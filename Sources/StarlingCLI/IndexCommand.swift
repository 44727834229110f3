// `starling index`: ingest posts from files or standard input into an index.
import ArgumentParser
import Dispatch
import Foundation
import StarlingImport
import StarlingIndex
import StarlingModel

struct IndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Add posts to an index (re-importing a post updates it in place).",
        discussion: """
            Formats: native (Starling NDJSON), twitter (API v1.1 objects or arrays, API v2 pages), mastodon (status
            JSON), csv, tsv, orange (.tab), lines (one text a line). `auto` detects the format from the file.
            Bad records are reported as FILE:LINE: REASON on standard error and skipped; everything else is indexed.
            Exit status: 0 when every record was indexed, 3 when some were rejected, 1 on failure.
            Ctrl-C stops cleanly: what was read is committed and the index stays consistent.
            """
    )

    @OptionGroup var index: IndexPathOption

    @Option(help: "Input format: \(ImportFormat.allCases.map(\.rawValue).joined(separator: "|")).")
    var format: String = "auto"

    @Option(help: ArgumentHelp("Column map for CSV/TSV: field=column,... (a column name or 1-based number), e.g. id=tweet_id,text=text,author=name,created_at=tweet_created.", valueName: "MAP"))
    var map: String?

    @Flag(inversion: .prefixedNo, help: "Whether a CSV/TSV file starts with a header row (default: guessed).")
    var header: Bool? = nil

    @Option(help: "Text encoding of the input: utf8 or latin1.")
    var encoding: String = "utf8"

    @Option(help: ArgumentHelp("Id prefix for inputs without ids (lines, Orange .tab, CSV without an id column).", valueName: "PREFIX"))
    var idPrefix: String?

    @Option(help: "Platform name to record for posts whose format does not say (e.g. twitter).")
    var platform: String?

    @Option(help: "Largest record accepted, in bytes.")
    var maxRecordBytes: Int = 1 << 20

    @Option(help: "Posts per commit.")
    var commitEvery: Int = 20_000

    @Option(help: ArgumentHelp(
        "Analysis threads (default: one per core but one, left to the index writer; every core with --dry-run)."))
    var workers: Int?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp(
        "Compact the index when the import is done (default: after a bulk import, one that wrote at least 10,000 posts and at least half of the index).",
        discussion: "A compacted index is about half the size on disk; compaction takes seconds (about 2 s for 211k posts)."))
    var compact: Bool? = nil

    @Flag(help: "Read, validate and analyse, but write nothing to the index.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "Index only partition K of N (0-based), by a hash of each post's id: run once per partition, each into its own index, to make N shards that hold every post once (see `starling search --shard`).",
        valueName: "K/N"))
    var partition: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "No progress bar.")
    var quiet = false

    @Argument(help: ArgumentHelp("Files to index; '-' reads standard input.", valueName: "FILE"))
    var files: [String] = []

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one FILE to index ('-' for standard input)") }
        if ImportFormat(rawValue: format) == nil {
            throw ValidationError("unknown format '\(format)': use one of \(ImportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if TextEncoding(rawValue: encoding) == nil { throw ValidationError("unknown encoding '\(encoding)': use utf8 or latin1") }
        if let map {
            for pair in map.split(separator: ",") where !pair.contains("=") {
                throw ValidationError("--map: '\(pair)' is not field=column")
            }
        }
        if commitEvery < 1 { throw ValidationError("--commit-every must be at least 1") }
        if maxRecordBytes < 64 { throw ValidationError("--max-record-bytes must be at least 64") }
        if let partition, Partition(partition) == nil {
            throw ValidationError("--partition must be K/N with 0 <= K < N, e.g. 0/4 (the first of four); got '\(partition)'")
        }
    }

    func run() throws {
        // Ctrl-C and SIGTERM stop reading; the batches already read are written and committed. Watched from the
        // start, so a signal during start-up (loading the models) is not lost either.
        let stop = StopFlag()
        let interrupts = InterruptWatch(stop: stop)
        defer { interrupts.cancel() }
        try reportingErrors {
            var importOptions = ImportOptions(format: ImportFormat(rawValue: format) ?? .auto)
            importOptions.encoding = TextEncoding(rawValue: encoding) ?? .utf8
            importOptions.maxRecordBytes = maxRecordBytes
            importOptions.idPrefix = idPrefix
            importOptions.platform = platform
            importOptions.hasHeader = header
            if let map {
                do { importOptions.columnMap = try ImportOptions.parseColumnMap(map) } catch {
                    throw CommandFailure(message: "\(error)")
                }
            }
            var options = IngestOptions()
            options.commitEvery = commitEvery
            options.dryRun = dryRun
            options.partition = partition.flatMap(Partition.init)
            if let workers {
                options.workers = max(1, workers)
            } else if dryRun {
                options.workers = IngestOptions.analysisThreads(writing: false)
            }
            let ingestor = try Ingestor(path: index.resolved, options: options)


            let showProgress = stderrIsTerminal && !quiet
            let bar = ProgressBar()
            let issueCount = IssueCounter()
            let summary = try ingestor.ingest(
                paths: files, importOptions: importOptions, stop: stop,
                onIssue: { issue in
                    if issueCount.increment() <= 1000 {
                        if showProgress { bar.clear() }
                        printError("\(issue)")
                    }
                },
                onFileError: { path, error in printError("error: \(path): \(error)") },
                onProgress: { p in if showProgress { bar.draw(p) } })
            if showProgress { bar.clear() }
            try ingestor.close()
            var compacted: (before: Int64, after: Int64)?
            if compact ?? IndexMaintenance.isBulkImport(written: summary.indexed, documents: summary.documentsAfter),
               !dryRun, !summary.interrupted {
                if showProgress { printError("compacting…") }
                compacted = try IndexMaintenance.compact(path: index.resolved)
            }
            let extra = issueCount.value - 1000
            if extra > 0 { printError("… and \(extra) more rejected records") }

            if json {
                let obj: JSONValue = .object([
                    ("index", .string(index.resolved)), ("files", .int(Int64(summary.files))),
                    ("indexed", .int(Int64(summary.indexed))), ("added", .int(Int64(summary.added))),
                    ("updated", .int(Int64(summary.updated))), ("rejected", .int(Int64(summary.rejected))),
                    ("documents", .int(Int64(summary.documentsAfter))), ("seconds", .double(summary.seconds)),
                    ("posts_per_second", .double(summary.postsPerSecond.rounded())),
                    ("interrupted", .bool(summary.interrupted)),
                    ("other_partitions", .int(Int64(summary.otherPartitions))),
                    ("bytes_on_disk", .int(compacted?.after ?? IndexStats.directorySize(index.resolved))),
                ])
                emit(obj.jsonText)
            } else {
                let rate = Int(summary.postsPerSecond.rounded())
                func posts(_ n: Int) -> String { n == 1 ? "1 post" : "\(n) posts" }
                func files(_ n: Int) -> String { n == 1 ? "1 file" : "\(n) files" }
                if dryRun {
                    printError("checked \(posts(summary.indexed)) from \(files(summary.files)) in "
                        + "\(String(format: "%.1f", summary.seconds)) s (\(rate) posts/s); rejected \(summary.rejected); "
                        + "nothing written (dry run)")
                } else {
                printError(
                    "indexed \(posts(summary.indexed)) (\(summary.added) new, \(summary.updated) updated) from "
                        + "\(files(summary.files)) in \(String(format: "%.1f", summary.seconds)) s (\(rate) posts/s); "
                        + "rejected \(summary.rejected); "
                        + (options.partition.map { "\(summary.otherPartitions) left to partitions other than \($0); " } ?? "")
                        + "the index at \(index.resolved) holds "
                        + posts(summary.documentsAfter)
                        + (summary.interrupted ? " (interrupted)" : "")
                        + (compacted.map { "; compacted \($0.before / 1_048_576) MiB -> \($0.after / 1_048_576) MiB" } ?? ""))
                }
            }
            if summary.files < files.count && summary.indexed == 0 { throw ExitCode(1) }
            if summary.rejected > 0 || summary.files < files.count { throw ExitCode(3) }
        }
    }
}

/// Counts rejected records across threads.
final class IssueCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// A one-line progress bar on standard error: percent, posts, posts/s, ETA.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var drawn = false

    func draw(_ p: IngestProgress) {
        lock.lock()
        defer { lock.unlock() }
        let rate = p.elapsed > 0 ? Double(p.indexed) / p.elapsed : 0
        var line = "\(URL(fileURLWithPath: p.file).lastPathComponent)  \(p.indexed) posts  \(Int(rate)) posts/s"
        if let total = p.totalBytes, total > 0 {
            let frac = min(1, Double(p.bytesRead) / Double(total))
            let width = 24
            let filled = Int(frac * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let bytesPerSec = p.elapsed > 0 ? Double(p.bytesRead) / p.elapsed : 0
            let eta = bytesPerSec > 0 ? Double(total - p.bytesRead) / bytesPerSec : 0
            line = "[\(bar)] \(Int(frac * 100))%  " + line + "  ETA \(Int(eta.rounded())) s"
        }
        if p.rejected > 0 { line += "  rejected \(p.rejected)" }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    func clear() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }
}

/// Set by the signal handler (async-signal-safe: a plain store), read by `InterruptWatch`.
nonisolated(unsafe) private var interruptSignal: sig_atomic_t = 0

/// Turns SIGINT and SIGTERM into a stop request for an import. A plain C handler records the signal (a dispatch
/// signal source misses signals whose disposition a parent set to "ignore", as shells do for background jobs) and
/// a watcher thread polls it. Installed before anything slow, so a signal during start-up is not lost.
final class InterruptWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    init(stop: StopFlag) {
        interruptSignal = 0
        for number in [SIGINT, SIGTERM] { signal(number) { _ in interruptSignal = 1 } }
        // A parent may hand down a mask that blocks them (test runners do); a blocked signal would wait forever.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, SIGINT)
        sigaddset(&mask, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        let thread = Thread { [self] in
            while !isDone {
                if interruptSignal != 0 {
                    stop.stop()
                    printError("\ninterrupted: committing what was read…")
                    return
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        thread.start()
    }

    private var isDone: Bool { lock.lock(); defer { lock.unlock() }; return done }

    /// Stops watching; signals get their default action again.
    func cancel() {
        lock.lock(); done = true; lock.unlock()
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }
}
