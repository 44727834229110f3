// The read routes: search, facets, histogram, get a post, similar, duplicates, clusters, analyze, stats, health,
// metrics and the OpenAPI document. Each runs on a reader session at the writer's latest commit.
import Foundation
import Hummingbird
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingSimilar
import XapianKit

extension StarlingServer {
    /// Runs `body` on a reader session, turning query errors into 400 answers.
    func read<T: Sendable>(query: String = "", _ body: @escaping @Sendable (ReaderSession) throws -> T) async throws -> T {
        do {
            return try await readers.withSession(body)
        } catch {
            if let e = APIError.badQuery(error, query: query) { throw e }
            throw error
        }
    }

    /// The compiled query, match-all for an empty one.
    static func compile(_ q: String, _ session: ReaderSession) throws -> Query {
        q.trimmingCharacters(in: .whitespaces).isEmpty ? .matchAll : try session.searcher.compile(q)
    }

    /// `GET /v1/search?q=&limit=&offset=&sort=&collapse=`: the same JSON as `starling search --json`.
    @Sendable func search(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let p = Parameters(request)
        let limits = configuration.limits
        let q = try p.query(limits: limits, required: true)
        let searchRequest = SearchRequest(
            query: q, limit: try p.int("limit", default: 10, in: 0...limits.maxLimit),
            offset: try p.int("offset", default: 0, in: 0...limits.maxOffset),
            sort: try p.choice("sort", default: SearchSort.relevance), collapse: try p.bool("collapse"))
        let json = try await read(query: q) { s in
            ResultJSON.search(try s.searcher.search(searchRequest), collapse: searchRequest.collapse)
        }
        return JSONResponse.make(json)
    }

    /// `GET /v1/facets?q=&facets=hashtags,authors&size=&sample=`.
    @Sendable func facets(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let p = Parameters(request)
        let limits = configuration.limits
        let q = try p.query(limits: limits, required: false)
        var wanted = Facet.allCases
        if let list = p.string("facets"), !list.isEmpty {
            wanted = try list.split(separator: ",").map { name in
                guard let f = Facet(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw APIError.badParameter("facets", "unknown facet '\(name)'; known: "
                                                + Facet.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return f
            }
        }
        let size = try p.int("size", default: 10, in: 1...1000)
        let sample = try p.int("sample", default: 1000, in: 1...limits.maxFacetSample)
        let facets = wanted
        let json = try await read(query: q) { s in
            try Analytics.facets(database: s.database, query: Self.compile(q, s), facets: facets, size: size, sample: sample)
        }
        return JSONResponse.make(json)
    }

    /// `GET /v1/histogram?q=&interval=hour|day|week`.
    @Sendable func histogram(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let p = Parameters(request)
        let q = try p.query(limits: configuration.limits, required: false)
        let interval = try p.choice("interval", default: HistogramInterval.day)
        let maxBuckets = configuration.limits.maxHistogramBuckets
        let json = try await read(query: q) { s in
            try Analytics.histogram(database: s.database, query: Self.compile(q, s), interval: interval,
                                    maxBuckets: maxBuckets)
        }
        return JSONResponse.make(json)
    }

    /// `GET /v1/posts/{id}`: `{"id", "cluster", "post"}`.
    @Sendable func getPost(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try Self.pathParameter("id", context)
        let json: JSONValue? = try await read { s in
            guard let docid = try s.database.postings(DocumentBuilder.clip(TermPrefix.id + id)).first else { return nil }
            let doc = try s.database.document(docid)
            let post = (try? StoredPost.decode(doc.dataBytes)) ?? .null
            return .object([("id", .string(id)), ("cluster", .string(doc.stringValue(ValueSlot.cluster))),
                            ("post", post)])
        }
        guard let json else { throw APIError.postNotFound(id) }
        return JSONResponse.make(json)
    }

    /// `GET /v1/similar?id=|text=&limit=&filter=&min_score=&include_cluster=&include_author=&mode=&posting_budget=&candidates=`.
    @Sendable func similar(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let p = Parameters(request)
        let source: SimilarSource
        if let id = p.string("id"), !id.isEmpty {
            source = .post(id: id)
        } else if let text = p.string("text"), !text.isEmpty {
            source = .text(text)
        } else {
            throw APIError(.badRequest, "missing-parameter", "give id (an indexed post) or text")
        }
        var r = SimilarRequest(source: source, limit: try p.int("limit", default: 10, in: 0...configuration.limits.maxLimit))
        r.filter = p.string("filter").flatMap { $0.isEmpty ? nil : $0 }
        r.minScore = try p.double("min_score", default: 0, in: 0...1)
        r.includeCluster = try p.bool("include_cluster")
        r.includeAuthor = try p.bool("include_author")
        r.mode = try p.choice("mode", default: SimilarMode.fast)
        r.postingBudget = try p.int("posting_budget", default: SimilarRequest.defaultPostingBudget,
                                    in: 0...Int(Int32.max))
        r.candidates = try p.int("candidates", default: 0, in: 0...100_000)
        let similarRequest = r
        do {
            let json = try await read(query: r.filter ?? "") { s in
                JSONValue.object(try s.similar(similarRequest).jsonValue(includePosts: true))
            }
            return JSONResponse.make(json)
        } catch let e as SimilarError {
            switch e {
            case .unknownPost(let id): throw APIError.postNotFound(id)
            case .badFilter(let m): throw APIError(.badRequest, "bad-query", m)
            case .badRules(let m): throw APIError(.badRequest, "bad-parameter", m)
            }
        }
    }

    /// `GET /v1/duplicates?id=|text=&limit=&threshold=`.
    @Sendable func duplicates(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let p = Parameters(request)
        let limit = try p.int("limit", default: 10, in: 0...configuration.limits.maxLimit)
        let id = p.string("id").flatMap { $0.isEmpty ? nil : $0 }
        let text = p.string("text").flatMap { $0.isEmpty ? nil : $0 }
        let threshold: Double? = p.string("threshold") == nil ? nil : try p.double("threshold", default: 0.7, in: 0.01...1)
        guard id != nil || text != nil else {
            throw APIError(.badRequest, "missing-parameter", "give id (an indexed post) or text")
        }
        do {
            let json = try await read { s in
                let searcher = try s.duplicates(threshold: threshold)
                let r = try id.map { try searcher.duplicates(ofPost: $0, limit: limit) }
                    ?? searcher.duplicates(ofText: text ?? "", limit: limit)
                return ResultJSON.duplicates(r)
            }
            return JSONResponse.make(json)
        } catch let e as DuplicateQueryError {
            switch e {
            case .postNotFound(let id): throw APIError.postNotFound(id)
            }
        }
    }

    /// `GET /v1/clusters?limit=`: the largest near-duplicate clusters.
    @Sendable func clusters(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let limit = try Parameters(request).int("limit", default: 10, in: 1...configuration.limits.maxLimit)
        let json = try await read { s in ResultJSON.clusters(try s.duplicates().largestClusters(limit: limit, topAuthors: 3)) }
        return JSONResponse.make(json)
    }

    /// `GET /v1/analyze?text=` or `POST /v1/analyze` with the text as the body.
    @Sendable func analyze(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var text = Parameters(request).string("text")
        if request.method == .post {
            let body = try await collectBody(request)
            text = String(decoding: body.readableBytesView, as: UTF8.self)
        }
        guard let text else { throw APIError.missingParameter("text") }
        let capabilities = self.capabilities
        let json = try await read { s in capabilities.analysisJSON(s.analyzer.analyze(text)) }
        return JSONResponse.make(json)
    }

    /// `GET /v1/stats`: `starling stats --json`, plus the writer's, the background unshortener's and the entity
    /// relabelling's counters.
    @Sendable func stats(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let path = configuration.indexPath
        let shards = configuration.shards
        let w = liveWriter?.statistics
        let unshortenJSON = Self.unshortenJSON(unshortener?.statistics)
        let relabelJSON = relabelState.json(interval: configuration.relabelInterval)
        let json = try await read { s -> JSONValue in
            if !shards.isEmpty {
                // A read-only front over shards: their documents and terms; no writer of its own.
                var o = try IndexStats.collect(s.database, onDisk: shards.compactMap(\.folder)).json.objectValue ?? []
                o.append(("shards", .array(shards.map { .string($0.description) })))
                o.append(("read_only", .bool(true)))
                return .object(o)
            }
            var o = try IndexStats.collect(s.database, path: path).json.objectValue ?? []
            if let w {
                o.append(("writer", .object([
                    ("commits", .int(Int64(w.commits))), ("posts_written", .int(Int64(w.postsWritten))),
                    ("posts_deleted", .int(Int64(w.postsDeleted))), ("queued_requests", .int(Int64(w.queued))),
                    ("last_group_seconds", .double(w.lastGroupSeconds)),
                ])))
            }
            o.append(("unshorten", unshortenJSON))
            o.append(("entities_relabel", relabelJSON))
            return .object(o)
        }
        return JSONResponse.make(json)
    }

    /// `GET /v1/health`: `{"status": "ok", "documents", "generation"}`; no key needed.
    @Sendable func health(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let generation = liveWriter?.generation ?? 0
        let docs = try await read { s in try s.database.documentCount() }
        return JSONResponse.make(.object([("status", .string("ok")), ("documents", .int(Int64(docs))),
                                          ("generation", .int(Int64(generation)))]))
    }

    /// `GET /metrics`: Prometheus text format.
    @Sendable func prometheus(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let docs = try await read { s in try s.database.documentCount() }
        let text = metrics.exposition(writer: liveWriter?.statistics, documents: docs, readers: readers.openSessions,
                                      relabel: relabelState.counters)
        return JSONResponse.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    /// `GET /v1/openapi.yaml`; no key needed.
    @Sendable func openAPI(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let doc = openAPIDocument else {
            throw APIError(.notFound, "openapi-missing",
                           "openapi/starling.yaml was not found beside the executable (set STARLING_OPENAPI)")
        }
        return JSONResponse.text(doc, contentType: "application/yaml; charset=utf-8")
    }

    /// A path parameter, percent-decoded (Hummingbird hands them over as they were sent).
    static func pathParameter(_ name: String, _ context: BasicRequestContext) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// The whole body, refused with 413 past the limit.
    func collectBody(_ request: Request) async throws -> ByteBuffer {
        let limit = configuration.limits.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            throw APIError.bodyTooLarge(limit)
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch let e as HTTPResponseError where e.status == .contentTooLarge {
            throw APIError.bodyTooLarge(limit)
        }
    }
}
