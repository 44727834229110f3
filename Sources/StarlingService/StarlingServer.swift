// The Starling HTTP service: one live writer, a pool of readers, and the /v1 JSON API on Hummingbird 2.
//
//   request -> ErrorMiddleware (JSON errors, metrics) -> router -> AuthMiddleware(role of the route group)
//           -> handler: reads run on a ReaderPool session; writes go to the LiveIndexWriter and return after commit
//
// After an ingest's commit, its posts' short links go to the background unshortener (when enabled), which adds
// where they lead through the same writer; the ingest does not wait for it.
//
// With a relabelling interval, a background task relabels the index's entities in corpus mode now and then
// (Routes/EntityRoutes.swift).
//
// Shutdown: on SIGTERM/SIGINT Hummingbird stops accepting, lets requests in flight finish, the unshortener and the
// background relabelling stop, and then the writer commits what it holds and closes the index.
import Foundation
import Hummingbird
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingUnshorten

/// The service: owns the index writer and the readers, and builds the HTTP application over them.
public final class StarlingServer: Sendable {
    /// The settings.
    public let configuration: ServiceConfiguration
    /// The index's single writer; nil for a read-only service over shards.
    public let liveWriter: LiveIndexWriter?
    /// The writer, or 409 `read-only` for a service over shards.
    public var writer: LiveIndexWriter {
        get throws {
            guard let liveWriter else {
                throw APIError(.conflict, "read-only", "this service searches shards read-only: write to each "
                               + "shard's own index (starling index, or a starling serve on it)")
            }
            return liveWriter
        }
    }
    /// Reader sessions for searches.
    public let readers: ReaderPool
    /// Prometheus metrics.
    public let metrics: ServiceMetrics
    /// The OpenAPI document served at /v1/openapi.yaml (nil when openapi/starling.yaml cannot be found).
    public let openAPIDocument: String?
    /// Language detection and entity linking for /v1/analyze, loaded on first use.
    let capabilities = Capabilities()
    /// At most one `POST /v1/entities/relabel` at a time.
    let relabelState = RelabelState()
    let standingSearchLock = StandingSearchLock()
    /// Resolves committed posts' short links and adds their targets' terms (nil when unshortening is off).
    public let unshortener: BackgroundUnshortener?
    /// The background relabelling's task (when `relabelInterval` is set), cancelled at `close`.
    private let relabelTask = TaskSlot()

    /// Opens (or creates) the index and starts the writer. Refuses unsafe settings (see
    /// `ServiceConfiguration.validate`).
    public init(configuration: ServiceConfiguration, writerOptions: LiveWriterOptions = LiveWriterOptions()) throws {
        try configuration.validate()
        self.configuration = configuration
        if configuration.isReadOnly {
            // Fail now, not at the first request, when a shard cannot be opened.
            _ = try IndexLocation.openShards(configuration.shards, timeout: configuration.shardTimeout)
            liveWriter = nil
            readers = ReaderPool(source: .shards(configuration.shards, timeout: configuration.shardTimeout),
                                 capacity: configuration.maxReaders, generation: { 0 })
        } else {
            let writer = try LiveIndexWriter(path: configuration.indexPath, options: writerOptions)
            liveWriter = writer
            readers = ReaderPool(path: configuration.indexPath, capacity: configuration.maxReaders,
                                 generation: { writer.generation })
        }
        let writer = liveWriter
        var unshortener: BackgroundUnshortener?
        if let options = configuration.unshorten {
            do {
                guard let writer else { throw ConfigurationError(message: "unshortening needs the index's writer") }
                unshortener = try BackgroundUnshortener(writer: writer, options: options,
                                                        urls: AnalyzerConfiguration.shared.get().urls)
            } catch {
                try? writer?.closeBlocking()  // release the index lock: the caller never gets a server to close
                throw error
            }
        }
        self.unshortener = unshortener
        metrics = ServiceMetrics(unshorten: { [unshortener] in unshortener?.statistics })
        openAPIDocument = OpenAPIDocument.load()
        unshortener?.start()
        if let interval = configuration.relabelInterval {
            relabelTask.set(Task { [weak self] in await self?.relabelLoop(interval: interval) })
        }
    }

    /// Stops the unshortener, commits what the writer holds and closes the index. Call once the HTTP server has
    /// stopped.
    public func close() async throws {
        unshortener?.stop()
        relabelTask.cancel()
        readers.close()
        try await liveWriter?.close()
    }

    /// The router with every route of the API.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.middlewares.add(ErrorMiddleware(metrics: metrics))
        let keys = configuration.keys
        let open = router.group("v1")
        open.get("health", use: health)
        open.get("openapi.yaml", use: openAPI)
        let read = router.group("v1").add(middleware: AuthMiddleware(keys: keys, role: .read))
        read.get("search", use: search)
        read.get("facets", use: facets)
        read.get("histogram", use: histogram)
        read.get("posts/{id}", use: getPost)
        read.get("similar", use: similar)
        read.get("duplicates", use: duplicates)
        read.get("clusters", use: clusters)
        read.get("analyze", use: analyze)
        read.post("analyze", use: analyze)
        read.get("stats", use: stats)
        read.get("entities/suggestions", use: entitySuggestions)
        read.get("searches", use: listSearches)
        read.get("searches/{name}/new", use: newForSearch)
        let write = router.group("v1").add(middleware: AuthMiddleware(keys: keys, role: .write))
        write.post("posts", use: ingest)
        write.delete("posts/{id}", use: deletePost)
        write.put("searches/{name}", use: saveSearch)
        write.post("searches/{name}/mark", use: markSearch)
        write.delete("searches/{name}", use: deleteSearch)
        let admin = router.group("v1").add(middleware: AuthMiddleware(keys: keys, role: .admin))
        admin.delete("authors/{author}/posts", use: deleteAuthor)
        admin.post("entities/relabel", use: relabelEntities)
        router.group().add(middleware: AuthMiddleware(keys: keys, role: .read)).get("metrics", use: prometheus)
        return router
    }

    /// The HTTP application on the configured host and port. `onListening` receives the bound port.
    /// Hummingbird logs at the level in $LOG_LEVEL (default `info`: start and stop only).
    public func makeApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "starling"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) })
    }

    /// Serves until SIGTERM or SIGINT, then drains requests, commits and closes the index.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = makeApplication(onListening: onListening)
        var serveError: Error?
        do { try await app.runService() } catch { serveError = error }
        try await close()
        if let serveError { throw serveError }
    }
}

/// Holds one background task so a `Sendable` server can cancel it later.
final class TaskSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func set(_ t: Task<Void, Never>) {
        lock.lock()
        task = t
        lock.unlock()
    }

    func cancel() {
        lock.lock()
        task?.cancel()
        lock.unlock()
    }
}

/// Turns every error into the JSON error form and records each request's metrics under its route template.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var response: Response
        do {
            response = try await next(request, context)
        } catch let e as APIError {
            response = e.response
        } catch let e as HTTPResponseError {
            response = Self.translate(e).response
        } catch {
            response = APIError(.internalServerError, "internal", "\(error)").response
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        metrics.recordRequest(route: context.endpointPath ?? "unmatched", method: request.method.rawValue,
                              status: response.status.code, seconds: seconds)
        return response
    }

    /// Hummingbird's own errors (no route, body too large) in the service's JSON form.
    static func translate(_ e: HTTPResponseError) -> APIError {
        switch e.status {
        case .notFound: return APIError(.notFound, "no-route", "no such route; see /v1/openapi.yaml")
        case .methodNotAllowed: return APIError(.methodNotAllowed, "method-not-allowed", "this route does not take that method")
        case .contentTooLarge: return APIError(.contentTooLarge, "body-too-large", "the request body is too large")
        default:
            return APIError(e.status, "http-\(e.status.code)", e.status.reasonPhrase)
        }
    }
}

/// Lets a request through only with a key of at least `role` (when keys are configured at all).
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: APIKeys
    let role: Role

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard keys.isEnabled else { return try await next(request, context) }
        var presented: String?
        if let auth = request.headers[.authorization] {
            let parts = auth.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { presented = String(parts[1]).trimmingCharacters(in: .whitespaces) }
        }
        if presented == nil, let field = request.headers.first(where: { $0.name.canonicalName == "x-api-key" }) {
            presented = field.value
        }
        guard let presented else {
            throw APIError(.unauthorized, "unauthorized", "this route needs an API key: 'Authorization: Bearer KEY'")
        }
        guard let key = keys.lookup(presented) else {
            throw APIError(.unauthorized, "unauthorized", "unknown API key")
        }
        guard key.role >= role else {
            throw APIError(.forbidden, "forbidden", "this route needs the \(role) role; the key has \(key.role)",
                           details: [("required_role", .string(role.description)), ("key_role", .string(key.role.description))])
        }
        return try await next(request, context)
    }
}

/// Finds openapi/starling.yaml: $STARLING_OPENAPI, else beside or above the executable or the working directory
/// (the same search as the analyzers/ folder).
enum OpenAPIDocument {
    static func load() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["STARLING_OPENAPI"], !env.isEmpty {
            return try? String(contentsOfFile: env, encoding: .utf8)
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        if let link = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.insert(URL(fileURLWithPath: link).deletingLastPathComponent(), at: 0)
        }
        starts.append(URL(fileURLWithPath: #filePath))
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("openapi/starling.yaml")
                if let text = try? String(contentsOf: candidate, encoding: .utf8) { return text }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }
}
