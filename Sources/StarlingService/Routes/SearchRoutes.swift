// Standing searches over HTTP (StandingSearches.swift): a listener saves a query under a name, polls what is new
// for it, and marks it read up to what it has seen.
//
//   GET    /v1/searches                     every search with its matches and how many are new      (read)
//   GET    /v1/searches/{name}/new?limit=   the new posts, the last indexed first, and the mark to set (read)
//   PUT    /v1/searches/{name}              {"query": "..."}: save (201 when new, 200 when replaced)  (write)
//   POST   /v1/searches/{name}/mark?through=N   mark read up to N (default: everything indexed now)  (write)
//   DELETE /v1/searches/{name}                                                                        (write)
//
// Reading and marking are two calls so nothing indexed between them is skipped: `new` answers `mark`, the index's
// last docid when it read, and `mark?through=` takes it back. The file lives in the index folder, so a read-only
// front over shards has none (409 `not-over-shards`).
import Foundation
import Hummingbird
import StarlingIndex
import StarlingModel

/// Serialises the service's changes to the standing searches file.
final class StandingSearchLock: @unchecked Sendable {
    private let lock = NSLock()
    func run<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

extension StarlingServer {
    /// The store of the served index; 409 over shards.
    func standingSearches() throws -> StandingSearchStore {
        guard !configuration.isReadOnly else {
            throw APIError(.conflict, "not-over-shards", "standing searches are kept in an index's folder, not over "
                           + "shards: keep them on a service running on an index")
        }
        return StandingSearchStore(folder: configuration.indexPath)
    }

    static func apiError(_ e: StandingSearchError) -> APIError {
        switch e {
        case .badName: return APIError(.badRequest, "bad-parameter", e.description, details: [("parameter", .string("name"))])
        case .unknown(let name):
            return APIError(.notFound, "search-not-found", e.description, details: [("name", .string(name))])
        case .damaged: return APIError(.internalServerError, "internal", e.description)
        }
    }

    /// Runs `body` on a reader session with the store, its errors as API errors.
    func withStandingSearches<T: Sendable>(query: String = "",
                                           _ body: @escaping @Sendable (StandingSearchStore, ReaderSession) throws -> T)
        async throws -> T {
        let store = try standingSearches()
        let lock = standingSearchLock
        do {
            return try await read(query: query) { s in try lock.run { try body(store, s) } }
        } catch let e as StandingSearchError {
            throw Self.apiError(e)
        }
    }

    /// `GET /v1/searches`: `{"searches": [{"name", "query", "created", "mark", "marked", "matches", "new"}]}`.
    @Sendable func listSearches(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let json = try await withStandingSearches { store, s in
            JSONValue.object([("searches", .array(try store.list().map(s.searcher.statusJSON)))])
        }
        return JSONResponse.make(json)
    }

    /// `GET /v1/searches/{name}/new?limit=`: `{"name", "query", "new": N, "hits": [...], "mark": M}`; mark read
    /// with `POST .../mark?through=M`.
    @Sendable func newForSearch(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let name = try Self.pathParameter("name", context)
        let limit = try Parameters(request).int("limit", default: 20, in: 0...configuration.limits.maxLimit)
        let json = try await withStandingSearches { store, s in
            let search = try store.get(name)
            let fresh = try s.searcher.newMatches(of: search.query, after: search.mark, limit: limit)
            return JSONValue.object([("name", .string(search.name)), ("query", .string(search.query)),
                                     ("new", .int(Int64(fresh.count))),
                                     ("hits", .array(fresh.hits.map { h in
                                         var o: [(String, JSONValue)] = [("id", .string(h.id))]
                                         if let p = h.post { o.append(("post", p.nativeJSON)) }
                                         return .object(o)
                                     })),
                                     ("since", .string(PostTime.iso8601(search.marked))),
                                     ("mark", .int(Int64(fresh.lastDocID)))])
        }
        return JSONResponse.make(json)
    }

    /// `PUT /v1/searches/{name}` with `{"query": "..."}`: the search (201 when it is new).
    @Sendable func saveSearch(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let name = try Self.pathParameter("name", context)
        _ = try writer
        let body = try await collectBody(request)
        guard case .object(let fields)? = try? JSONParser.parse(String(buffer: body)),
              let query = fields.first(where: { $0.0 == "query" }).flatMap({ f -> String? in
                  if case .string(let q) = f.1 { return q } else { return nil }
              }) else {
            throw APIError(.badRequest, "bad-parameter", "the body must be a JSON object with a \"query\" string",
                           details: [("parameter", .string("query"))])
        }
        let (search, created) = try await withStandingSearches(query: query) { store, s in
            try store.save(name: name, query: query, on: s.searcher)  // a bad query: 400 bad-query with its position
        }
        return JSONResponse.make(search.json, status: created ? .created : .ok)
    }

    /// `POST /v1/searches/{name}/mark?through=N`: marks the search read up to docid N (default: all indexed now).
    @Sendable func markSearch(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let name = try Self.pathParameter("name", context)
        _ = try writer
        let through = try Parameters(request).string("through").map { raw -> UInt32 in
            guard let n = UInt32(raw) else { throw APIError.badParameter("through", "a docid (the `mark` of .../new)") }
            return n
        }
        let search = try await withStandingSearches { store, s in
            try store.mark(name, at: min(through ?? UInt32.max, try s.database.lastDocID()))
        }
        return JSONResponse.make(search.json)
    }

    /// `DELETE /v1/searches/{name}`: `{"deleted": "name"}`.
    @Sendable func deleteSearch(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let name = try Self.pathParameter("name", context)
        _ = try writer
        try await withStandingSearches { store, _ in try store.remove(name) }
        return JSONResponse.make(.object([("deleted", .string(name))]))
    }
}
