// `starling unshorten`: follow the redirects of indexed short links (bit.ly, t.co, ...) and add where they lead
// to the posts in place, so `domain:nytimes.com` finds a post that only carried a bit.ly link.
import ArgumentParser
import Dispatch
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingUnshorten

struct UnshortenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unshorten",
        abstract: "Resolve indexed short links (bit.ly, t.co, ...) and index where they lead.",
        discussion: """
            Finds posts whose links are on a shortener domain (analyzers/url/shorteners.txt) and not yet resolved, \
            follows each link's redirects (HEAD, GET when HEAD is refused), and adds the target's url: and domain: \
            terms to those posts. Every result, failures included, is kept in unshorten-cache.jsonl inside the \
            index folder, so a link is asked about once, also across runs (--retry-failed asks again for failures). \
            No lock is held while links resolve; the index's write lock is taken only to write the terms.

            SSRF rules: a hop whose host is, or resolves to, a loopback, private (RFC 1918, fc00::/7), link-local, \
            CGNAT, unspecified, reserved or cloud-metadata address is refused before connecting. --allow-private \
            allows all of these but metadata and reserved ones (for shorteners inside a private network).
            """
    )

    @OptionGroup var index: IndexPathOption

    @Option(help: "Links resolved at the same time.")
    var concurrency: Int = 8

    @Option(help: ArgumentHelp("Seconds each request may take.", valueName: "S"))
    var timeout: Double = 5

    @Option(help: "Most redirects followed for one link.")
    var maxHops: Int = 10

    @Flag(help: "Allow loopback, private, link-local and CGNAT addresses (never cloud metadata).")
    var allowPrivate = false

    @Flag(help: "Ask the network again for links whose cached resolution failed.")
    var retryFailed = false

    @Option(help: ArgumentHelp("Shortener domain list (default: analyzers/url/shorteners.txt).", valueName: "FILE"))
    var shorteners: String?

    @Option(help: "Posts updated per commit.")
    var commitEvery: Int = 1_000

    @Flag(help: "Resolve (and cache) but do not change the index.")
    var dryRun = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        try ResolverLimits.validate(concurrency: concurrency, timeout: timeout, maxHops: maxHops)
        if commitEvery < 1 { throw ValidationError("--commit-every must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let list = try ResolverLimits.shorteners(shorteners)
            let urls = try AnalyzerConfiguration.shared.get().urls
            var options = UnshortenOptions()
            options.resolver = ResolverLimits.configuration(concurrency: concurrency, timeout: timeout, maxHops: maxHops,
                                                            allowPrivate: allowPrivate)
            options.retryFailed = retryFailed
            options.commitEvery = commitEvery
            options.dryRun = dryRun
            let showProgress = stderrIsTerminal && !quiet
            let path = index.resolved

            // The root command is synchronous, so the async run happens in a task while this thread waits.
            let outcome = RunOutcome()
            let done = DispatchSemaphore(value: 0)
            Task {
                do {
                    outcome.summary = try await IndexUnshortener.run(
                        indexPath: path, options: options, shorteners: list, urls: urls,
                        progress: { n, total in
                            if showProgress {
                                FileHandle.standardError.write(Data("\r\u{1B}[Kresolving links: \(n)/\(total)".utf8))
                            }
                        })
                } catch {
                    outcome.error = error
                }
                done.signal()
            }
            done.wait()
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if let e = outcome.error {
                if case IndexError.locked = e {
                    throw CommandFailure(message: "\(e); the links resolved so far are cached, run again later to write them")
                }
                throw e
            }
            guard let s = outcome.summary else { return }
            if json {
                emit(JSONValue.object([
                    ("index", .string(path)), ("posts", .int(Int64(s.posts))), ("links", .int(Int64(s.links))),
                    ("resolved", .int(Int64(s.resolved))), ("resolved_cached", .int(Int64(s.resolvedFromCache))),
                    ("failed", .int(Int64(s.failedTotal))), ("failed_cached", .int(Int64(s.failedFromCache))),
                    ("failed_by_reason", .object(s.failed.sorted { $0.key < $1.key }.map { ($0.key, .int(Int64($0.value))) })),
                    ("requested", .int(Int64(s.looked))), ("updated", .int(Int64(s.updated))),
                    ("dry_run", .bool(dryRun)), ("seconds", .double((s.seconds * 1000).rounded() / 1000)),
                ]).jsonText)
            } else {
                let reasons = s.failed.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                    .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                emit("\(s.posts) posts with unresolved short links (\(s.links) distinct links, \(s.looked) asked over the network)")
                emit("resolved: \(s.resolved) (\(s.resolvedFromCache) from the cache)")
                emit("failed:   \(s.failedTotal) (\(s.failedFromCache) from the cache)" + (reasons.isEmpty ? "" : ": " + reasons))
                emit(dryRun ? "updated:  nothing (dry run)" : "updated:  \(s.updated) posts in \(String(format: "%.1f", s.seconds)) s")
            }
            if s.unreadableCacheLines > 0 {
                printError("warning: \(s.unreadableCacheLines) unreadable line(s) in the unshorten cache were ignored")
            }
        }
    }
}

/// The resolver options `unshorten` and `serve` share: the same limits, checked the same way (`serve` spells
/// them with an `unshorten-` prefix).
enum ResolverLimits {
    static func validate(concurrency: Int, timeout: Double, maxHops: Int, prefix: String = "") throws {
        if concurrency < 1 || concurrency > 256 { throw ValidationError("--\(prefix)concurrency must be between 1 and 256") }
        if !(timeout > 0 && timeout <= 300) { throw ValidationError("--\(prefix)timeout must be between 0 and 300 seconds") }
        if maxHops < 0 || maxHops > 50 { throw ValidationError("--\(prefix)max-hops must be between 0 and 50") }
    }

    static func configuration(concurrency: Int, timeout: Double, maxHops: Int, allowPrivate: Bool) -> ResolverConfiguration {
        var c = ResolverConfiguration()
        c.concurrency = concurrency
        c.timeout = timeout
        c.maxHops = maxHops
        c.addressPolicy = allowPrivate ? .allowingPrivate : .publicOnly
        return c
    }

    /// The shortener list of `--shorteners FILE`, else analyzers/url/shorteners.txt.
    static func shorteners(_ file: String?) throws -> ShortenerList {
        do {
            return try file.map { try ShortenerList(contentsOf: URL(fileURLWithPath: $0)) } ?? ShortenerList.standard()
        } catch {
            throw CommandFailure(message: "\(error)")
        }
    }
}

/// The run's result, handed from the task to the waiting thread.
private final class RunOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var _summary: UnshortenSummary?
    private var _error: Error?
    var summary: UnshortenSummary? {
        get { lock.lock(); defer { lock.unlock() }; return _summary }
        set { lock.lock(); _summary = newValue; lock.unlock() }
    }
    var error: Error? {
        get { lock.lock(); defer { lock.unlock() }; return _error }
        set { lock.lock(); _error = newValue; lock.unlock() }
    }
}
