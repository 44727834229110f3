// The write routes: bulk ingest of NDJSON (per-item results, idempotent by id), deleting a post, and deleting
// every post of an author (data-subject requests). Each answers only after the writer's commit. An ingest then
// hands its posts' short links to the background unshortener and returns without waiting for it.
import Foundation
import Hummingbird
import StarlingIndex
import StarlingModel
import StarlingUnshorten

extension StarlingServer {
    /// Longest post id accepted: the id term (`Q` + id) must fit Xapian's term limit unclipped, or two long ids
    /// sharing a prefix would overwrite each other.
    static let maxIDBytes = DocumentBuilder.maxTermBytes - TermPrefix.id.utf8.count

    /// One NDJSON line: a post, or why it was refused.
    enum IngestLine {
        case post(line: Int, Post)
        case rejected(line: Int, id: String?, code: String, message: String)
    }

    /// Splits an NDJSON body into lines and decodes each as a native post. Blank lines are skipped.
    ///
    /// - Complexity: O(body bytes).
    static func decodeNDJSON(_ bytes: [UInt8]) -> [IngestLine] {
        var out: [IngestLine] = []
        var lineNumber = 0
        var start = 0
        func take(_ end: Int) {
            lineNumber += 1
            var e = end
            if e > start && bytes[e - 1] == 13 { e -= 1 }  // CRLF
            var s = start
            while s < e && (bytes[s] == 32 || bytes[s] == 9) { s += 1 }
            guard s < e else { return }
            let value: JSONValue
            do {
                value = try JSONParser.parse(Array(bytes[s..<e]))
            } catch {
                out.append(.rejected(line: lineNumber, id: nil, code: "bad-json", message: error.description))
                return
            }
            do {
                let post = try Post.fromNative(value)
                guard post.id.utf8.count <= maxIDBytes else {
                    out.append(.rejected(line: lineNumber, id: post.id, code: "bad-post",
                                         message: "id: longer than \(maxIDBytes) bytes"))
                    return
                }
                out.append(.post(line: lineNumber, post))
            } catch {
                out.append(.rejected(line: lineNumber, id: value["id"]?.stringValue, code: "bad-post",
                                     message: error.description))
            }
        }
        for (i, b) in bytes.enumerated() where b == 10 {
            take(i)
            start = i + 1
        }
        if start < bytes.count { take(bytes.count) }
        return out
    }

    /// `POST /v1/posts`: NDJSON of native posts. Answers `{"indexed", "added", "updated", "unchanged",
    /// "rejected", "items": [{"line", "id", "status"} | {"line", "id"?, "error": {"code", "message"}}]}` after the
    /// commit. Bad lines are reported and the good ones kept; the status is 200 whenever the batch was processed.
    @Sendable func ingest(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try writer  // 409 read-only over shards, before reading the body
        let body = try await collectBody(request)
        // Decoding a large batch is CPU work: done off Swift's cooperative threads, which serve every request.
        let bytes = Array(body.readableBytesView)
        let lines = await withCheckedContinuation { (c: CheckedContinuation<[IngestLine], Never>) in
            DispatchQueue.global(qos: .utility).async { c.resume(returning: Self.decodeNDJSON(bytes)) }
        }
        let limit = configuration.limits.maxBatchPosts
        guard lines.count <= limit else {
            throw APIError(.contentTooLarge, "too-many-posts", "a batch holds at most \(limit) posts; split it",
                           details: [("limit", .int(Int64(limit)))])
        }
        var posts: [Post] = []
        var postLines: [Int] = []
        for case .post(let line, let post) in lines {
            posts.append(post)
            postLines.append(line)
        }
        let outcomes: [UpsertOutcome]
        var shortLinks: [(id: String, links: [String])] = []
        do {
            var prepared = try await writer.prepareAsync(posts)
            // Before the documents are handed to the writer, which owns them from then on: targets already in
            // the unshorten cache go in now; the links still unknown are offered once committed.
            if let unshortener {
                for (i, p) in prepared.enumerated() {
                    let (changed, unknown) = unshortener.prepare(p.document)
                    if changed {
                        prepared[i] = PreparedPost(id: p.id, document: p.document, data: p.document.dataBytes)
                    }
                    shortLinks.append((p.id, unknown))
                }
            }
            outcomes = try await writer.upsert(prepared: prepared)
        } catch let e as LiveWriterError {
            throw APIError(.serviceUnavailable, "shutting-down", e.description)
        }
        if let unshortener {
            // Committed posts only (an unchanged one may still wait for its links: offering it again is harmless).
            let offered = zip(shortLinks, outcomes).compactMap { $1.status == nil || $0.links.isEmpty ? nil : $0 }
            if !offered.isEmpty { unshortener.offer(offered) }
        }
        var items: [(Int, JSONValue)] = []
        var counts: [UpsertStatus: Int] = [:]
        var rejected = 0
        for (line, o) in zip(postLines, outcomes) {
            if let status = o.status {
                counts[status, default: 0] += 1
                items.append((line, .object([("line", .int(Int64(line))), ("id", .string(o.id)),
                                             ("status", .string(status.rawValue))])))
            } else {
                rejected += 1
                items.append((line, Self.itemError(line: line, id: o.id, code: "write-failed", message: o.error ?? "")))
            }
        }
        for case .rejected(let line, let id, let code, let message) in lines {
            rejected += 1
            items.append((line, Self.itemError(line: line, id: id, code: code, message: message)))
        }
        items.sort { $0.0 < $1.0 }
        let accepted = outcomes.count - (outcomes.count { $0.status == nil })
        metrics.recordIngest(accepted: accepted, rejected: rejected,
                             seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        return JSONResponse.make(.object([
            ("indexed", .int(Int64(accepted))),
            ("added", .int(Int64(counts[.added] ?? 0))),
            ("updated", .int(Int64(counts[.updated] ?? 0))),
            ("unchanged", .int(Int64(counts[.unchanged] ?? 0))),
            ("rejected", .int(Int64(rejected))),
            ("generation", .int(Int64(try writer.generation))),
            ("items", .array(items.map(\.1))),
        ]))
    }

    static func itemError(line: Int, id: String?, code: String, message: String) -> JSONValue {
        var o: [(String, JSONValue)] = [("line", .int(Int64(line)))]
        if let id { o.append(("id", .string(id))) }
        o.append(("error", .object([("code", .string(code)), ("message", .string(message))])))
        return .object(o)
    }

    /// `DELETE /v1/posts/{id}`: `{"deleted": 1}` after the commit, or 404.
    @Sendable func deletePost(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try Self.pathParameter("id", context)
        _ = try writer
        let found: Bool
        do {
            found = try await writer.delete(id: id)
        } catch let e as LiveWriterError {
            throw APIError(.serviceUnavailable, "shutting-down", e.description)
        }
        guard found else { throw APIError.postNotFound(id) }
        return JSONResponse.make(.object([("deleted", .int(1)), ("ids", .array([.string(id)]))]))
    }

    /// `DELETE /v1/authors/{author}/posts`: every post of the author (case-folded, as `from:`), after the commit.
    /// `{"author", "deleted": N, "ids": [...]}`; 0 is not an error (the request is idempotent).
    @Sendable func deleteAuthor(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var author = try Self.pathParameter("author", context)
        _ = try writer
        if author.hasPrefix("@") { author.removeFirst() }
        guard !author.isEmpty else { throw APIError.missingParameter("author") }
        let ids: [String]
        do {
            ids = try await writer.deleteAll(byAuthor: author)
        } catch let e as LiveWriterError {
            throw APIError(.serviceUnavailable, "shutting-down", e.description)
        }
        return JSONResponse.make(.object([("author", .string(author)), ("deleted", .int(Int64(ids.count))),
                                          ("ids", .array(ids.map { .string($0) }))]))
    }
}
