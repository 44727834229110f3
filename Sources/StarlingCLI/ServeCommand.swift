// `starling serve`: the HTTP service (StarlingService) over one index: ingest, search, facets, histograms,
// similar posts, near-duplicates, deletions, stats and metrics, under /v1 (openapi/starling.yaml).
import ArgumentParser
import Foundation
import StarlingIndex
import StarlingService
import StarlingUnshorten

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve an index over HTTP: a JSON API under /v1 (see openapi/starling.yaml).",
        discussion: """
            One writer ingests continuously (POST /v1/posts, NDJSON); an acknowledged post is committed and \
            searchable at once. Without --keys the service only listens on loopback. The key file holds one key a \
            line: `ROLE KEY [NAME]`, ROLE read, write or admin, KEY at least 16 characters of [A-Za-z0-9._-]; \
            clients send `Authorization: Bearer KEY`. SIGTERM or Ctrl-C stops accepting, finishes the requests in \
            flight and commits. Prints `listening on http://HOST:PORT` once ready (--port 0 picks a free port).

            Short links (analyzers/url/shorteners.txt) of ingested posts are resolved in the background, as \
            `starling unshorten` does (same cache, SSRF rules and limits), and their targets' url: and domain: terms \
            are added to the posts when they arrive; ingest never waits for it. At start, posts already indexed with \
            unresolved short links are caught up. --no-unshorten turns this off.

            With an entity catalogue (analyzers/entities/*.yaml), ingest decides each post's entities alone; every \
            --relabel-interval seconds (default 900) the service decides all stored posts together, as \
            `starling entities --index` does, and rewrites the entity terms that change, if posts were written or \
            deleted since the last time (always the first time after start). POST /v1/entities/relabel does it at \
            once; --relabel-interval 0 turns the background relabelling off.

            With --shard (repeated: HOST:PORT of a `xapian-tcpsrv`, or an index folder) the service is a read-only \
            front over those shards, searched as one index: search, facets, histograms, posts, analyze, stats, \
            health, near-duplicates and clusters answer as usual; ingest, deletes and relabelling answer 409 \
            `read-only`, similar posts 409 `not-over-shards`, and there is no unshortening or relabelling in the \
            background.

            Example: starling serve --index indexes/default --port 8080
            """
    )

    @OptionGroup var index: IndexPathOption

    @OptionGroup var shards: ShardOptions

    @Option(help: "Address to listen on (non-loopback addresses need --keys).")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(help: ArgumentHelp("API key file (ROLE KEY [NAME] per line).", valueName: "FILE"))
    var keys: String?

    @Option(name: .customLong("max-body"), help: "Largest request body in bytes.")
    var maxBody: Int = 16 << 20

    @Flag(inversion: .prefixedNo, help: "Resolve ingested posts' short links in the background.")
    var unshorten = true

    @Option(name: .customLong("unshorten-concurrency"), help: "Links resolved at the same time.")
    var unshortenConcurrency: Int = 8

    @Option(name: .customLong("unshorten-timeout"), help: ArgumentHelp("Seconds each request may take.", valueName: "S"))
    var unshortenTimeout: Double = 5

    @Option(name: .customLong("unshorten-max-hops"), help: "Most redirects followed for one link.")
    var unshortenMaxHops: Int = 10

    @Option(name: .customLong("unshorten-queue"),
            help: "Most links waiting to be resolved; more are dropped (counted, and caught up at the next start).")
    var unshortenQueue: Int = 10_000

    @Flag(name: .customLong("unshorten-allow-private"),
          help: "Allow loopback, private, link-local and CGNAT addresses (never cloud metadata).")
    var unshortenAllowPrivate = false

    @Option(name: .customLong("unshorten-shorteners"),
            help: ArgumentHelp("Shortener domain list (default: analyzers/url/shorteners.txt).", valueName: "FILE"))
    var unshortenShorteners: String?

    @Option(name: .customLong("relabel-interval"),
            help: ArgumentHelp("Seconds between background relabellings of the entities (0: never).", valueName: "S"))
    var relabelInterval: Double = 900

    func validate() throws {
        if !(relabelInterval >= 0) || !relabelInterval.isFinite {
            throw ValidationError("--relabel-interval must be a number of seconds, 0 or more")
        }
        try ResolverLimits.validate(concurrency: unshortenConcurrency, timeout: unshortenTimeout,
                                    maxHops: unshortenMaxHops, prefix: "unshorten-")
        if unshortenQueue < 0 { throw ValidationError("--unshorten-queue must be at least 0") }
        try shards.validate(with: index)
    }

    func run() throws {
        try reportingErrors {
            var config = ServiceConfiguration(indexPath: index.resolved, host: host, port: port)
            config.limits.maxBodyBytes = maxBody
            config.relabelInterval = relabelInterval > 0 ? relabelInterval : nil
            if !shards.addresses.isEmpty {
                // A read-only front: what runs in the background belongs to each shard's own index.
                config.shards = shards.parsed
                config.shardTimeout = shards.shardTimeout
                config.relabelInterval = nil
            } else if unshorten {
                var u = BackgroundUnshortenOptions()
                u.resolver = ResolverLimits.configuration(
                    concurrency: unshortenConcurrency, timeout: unshortenTimeout, maxHops: unshortenMaxHops,
                    allowPrivate: unshortenAllowPrivate)
                u.queueCapacity = unshortenQueue
                u.shorteners = try ResolverLimits.shorteners(unshortenShorteners)
                config.unshorten = u
            }
            if let keys {
                do { config.keys = try APIKeys.load(path: keys) } catch {
                    throw CommandFailure(message: "\(error)", code: 2)
                }
            }
            let server: StarlingServer
            do {
                server = try StarlingServer(configuration: config)
            } catch let e as ConfigurationError {
                throw CommandFailure(message: e.message, code: 2)
            }
            let host = self.host
            let outcome = ServeOutcome()
            let done = DispatchSemaphore(value: 0)
            // The root command is synchronous, so the async server runs in a task while this thread waits.
            Task {
                do {
                    try await server.run(onListening: { port in
                        emit("listening on http://\(host.contains(":") ? "[\(host)]" : host):\(port)")
                    })
                } catch {
                    outcome.set(error)
                }
                done.signal()
            }
            done.wait()
            if let e = outcome.error { throw e }
            printError(shards.addresses.isEmpty ? "stopped; index committed" : "stopped")
        }
    }
}

/// The error the server task ended with, handed back to the waiting thread.
private final class ServeOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    func set(_ e: Error) { lock.lock(); stored = e; lock.unlock() }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
}
