// Relabelling an index's entities with corpus-learnt profiles. At ingest each post is decided alone (catalogue
// only: the stage cannot see the posts still to come); once a corpus is indexed, `starling entities --index DIR`
// (or `POST /v1/entities/relabel` on a running service) reads every stored post back, decides them all together as
// `starling entities` does on stdin (CorpusLinker), and rewrites the `XE` terms that changed, so `entity:ID`
// searches and the entity facet follow the better decisions. Only the boolean entity terms of the catalogue's
// entities are touched: words, weights, values and stored posts stay as they are, and entities of other
// catalogues keep their terms.
import Foundation
import StarlingAnalysis
import StarlingEntities
import StarlingModel
import XapianKit

/// Corpus-mode decisions for every post an index stores.
public struct EntityDecisions: Sendable {
    /// One stored post: its document id, post id, the catalogue's entities it is about, and those whose terms
    /// it held when it was read.
    public struct Decision: Sendable {
        public var docid: UInt32
        public var id: String
        public var entities: Set<String>
        public var held: Set<String>
    }
    /// Stored posts read back, and those that could not be (reported through `onIssue`, left as they were).
    public var posts = 0
    public var unreadable = 0
    /// The decisions, in document id order.
    public var decisions: [Decision] = []
    /// The catalogue's entity ids: the only `XE` terms a relabelling touches.
    public var catalogue: Set<String> = []
    /// Per entity some post named: what corpus mode decided.
    public var entities: [CorpusEntitySummary] = []
    /// Per entity some post named: the catalogue edits the decisions suggest (CorpusLinker.suggestions).
    public var suggestions: [EntitySuggestions] = []
    /// Posts holding each entity's term when the posts were read, by entity id (entities with any).
    public var before: [String: Int] = [:]
}

/// What a relabelling did.
public struct EntityRelabelSummary: Sendable {
    /// Stored posts read back, and those that could not be (left as they were).
    public var posts = 0
    public var unreadable = 0
    /// Entity terms added and removed, and the posts whose entity terms changed.
    public var added = 0
    public var removed = 0
    public var changedPosts = 0
    /// Per entity some post named: what corpus mode decided (CorpusLinker.summaries).
    public var entities: [CorpusEntitySummary] = []
    /// Posts holding each catalogued entity's term before and after, by entity id (entities with any).
    public var before: [String: Int] = [:]
    public var after: [String: Int] = [:]
    /// Seconds from the first read to the last commit.
    public var seconds = 0.0
    /// The catalogue edits the decisions suggest (not part of `json`).
    public var suggestions: [EntitySuggestions] = []

    /// Nothing done yet.
    public init() {}

    /// Summary JSON, as `starling entities --index --json` and `POST /v1/entities/relabel` print it.
    public var json: JSONValue {
        let ids = Set(before.keys).union(after.keys).sorted()
        let counts = JSONValue.array(ids.map { id in
            .object([("id", .string(id)), ("before", .int(Int64(before[id] ?? 0))), ("after", .int(Int64(after[id] ?? 0)))])
        })
        return .object([
            ("posts", .int(Int64(posts))), ("unreadable", .int(Int64(unreadable))),
            ("changed_posts", .int(Int64(changedPosts))), ("terms_added", .int(Int64(added))),
            ("terms_removed", .int(Int64(removed))), ("entities", counts), ("seconds", .double(seconds)),
        ])
    }
}

extension EntityRelabelSummary {
    /// The summary of `decided` before anything is written.
    public init(_ decided: EntityDecisions) {
        self.init()
        posts = decided.posts
        unreadable = decided.unreadable
        entities = decided.entities
        before = decided.before
        suggestions = decided.suggestions
    }
}

extension IndexMaintenance {
    /// Reads every post stored in `database` and decides them all together with `linker` in corpus mode. Posts are
    /// read on this thread and analysed in batches on `workers` threads; the corpus linker takes them in docid
    /// order, so the decisions do not depend on the number of workers.
    ///
    /// - Complexity: one pass over the stored posts (analysis as at ingest, without the writing) plus the corpus
    ///   linker's O(iterations · feature occurrences of the posts naming an entity).
    /// `onProgress(read, last)` is called every 10,000 documents (document ids read so far, and the last one).
    public static func decideEntities(_ database: Database, linker: EntityLinker, workers: Int = 1,
                                      onIssue: (String) -> Void = { _ in },
                                      onProgress: (UInt32, UInt32) -> Void = { _, _ in }) throws -> EntityDecisions {
        var out = EntityDecisions()
        let workers = max(1, workers)
        let corpus = CorpusLinker(linker: linker, analyzers: try (0..<workers).map { _ in try Analyzer() })
        var stored: [(docid: UInt32, id: String)] = []
        let last = try database.lastDocID()
        if last > 0 {
            for docid in 1...last {
                if docid % 10_000 == 0 { onProgress(docid, last) }
                guard let data = try storedData(database, docid) else { continue }
                out.posts += 1
                guard let post = StoredPost.post(data) else {
                    out.unreadable += 1
                    onIssue("document \(docid): the stored post does not read back; its entities are left as they are")
                    continue
                }
                corpus.add(id: post.id, text: post.text, links: post.urls)
                stored.append((docid, post.id))
            }
        }
        let decided = corpus.finish()
        out.entities = corpus.summaries
        out.suggestions = corpus.suggestions
        out.catalogue = Set(linker.matcher.entities.map(\.entity.id))
        var held: [UInt32: Set<String>] = [:]
        for id in out.catalogue {
            let holders = try retryingModified(database) { try database.postings(TermPrefix.entity + id) }
            if !holders.isEmpty { out.before[id] = holders.count }
            for docid in holders { held[docid, default: []].insert(id) }
        }
        out.decisions = zip(stored, decided).map { s, labelled in
            EntityDecisions.Decision(docid: s.docid, id: s.id, entities: Set(labelled.mentions.map(\.entityID)),
                                     held: held[s.docid] ?? [])
        }
        return out
    }

    /// Document `docid`'s stored bytes, nil when there is no such document.
    private static func storedData(_ database: Database, _ docid: UInt32) throws -> [UInt8]? {
        do {
            return try retryingModified(database) { try database.document(docid).dataBytes }
        } catch let e as XapianError where e.type == "DocNotFoundError" {
            return nil
        }
    }

    /// `body`, read again at the latest commit when a writer's commits overtook the reader (Xapian's
    /// DatabaseModifiedError: a long read beside a live writer, as the service's relabelling is).
    private static func retryingModified<T>(_ database: Database, _ body: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try body()
            } catch let e as XapianError where e.type == "DatabaseModifiedError" && attempt < 5 {
                attempt += 1
                _ = try database.reopen()
            }
        }
    }

    /// Rewrites `document`'s entity terms of `catalogue` (its current terms `terms`) to `wanted`. Returns the
    /// terms added and removed (both 0: nothing to write).
    public static func applyEntities(_ wanted: Set<String>, catalogue: Set<String>, to document: Document,
                                     terms: [(term: String, wdf: UInt32)]) -> (added: Int, removed: Int) {
        var held = Set<String>()
        for (term, _) in terms where term.hasPrefix(TermPrefix.entity) {
            let id = String(term.dropFirst(TermPrefix.entity.count))
            if catalogue.contains(id) { held.insert(id) }
        }
        let gone = held.subtracting(wanted), new = wanted.subtracting(held)
        for id in gone.sorted() { document.removeTerm(TermPrefix.entity + id) }
        for id in new.sorted() { document.addBooleanTerm(TermPrefix.entity + id) }
        return (new.count, gone.count)
    }

    /// Decides every post stored in the index at `path` with `linker` in corpus mode and rewrites the posts' entity
    /// terms to match, committing every `commitEvery` changed posts; the posts are analysed on `workers` threads.
    /// Holds the write lock throughout (searches go on; a running `starling serve` on the same index is relabelled
    /// through its API instead, on one thread). An interruption leaves each post with either its old or its new
    /// terms.
    ///
    /// - Complexity: `decideEntities`, plus one read and one replace per changed post.
    public static func relabelEntities(path: String, linker: EntityLinker, commitEvery: Int = 10_000,
                                       workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                       onIssue: (String) -> Void = { _ in },
                                       onProgress: (UInt32, UInt32) -> Void = { _, _ in }) throws -> EntityRelabelSummary {
        let start = Date()
        let database = try IndexLocation.openWriter(path, create: false)
        defer { try? database.close() }
        let decided = try decideEntities(database, linker: linker, workers: workers, onIssue: { onIssue("\(path): \($0)") },
                                         onProgress: onProgress)
        var summary = EntityRelabelSummary(decided)
        var pending = 0
        for d in decided.decisions where d.entities != d.held {
            let document = try database.document(d.docid)
            let (added, removed) = applyEntities(d.entities, catalogue: decided.catalogue, to: document,
                                                 terms: document.terms())
            guard added + removed > 0 else { continue }
            try database.replaceDocument(d.docid, document)
            summary.added += added
            summary.removed += removed
            summary.changedPosts += 1
            pending += 1
            if pending >= max(1, commitEvery) {
                try database.commit()
                pending = 0
            }
        }
        try database.commit()
        summary.after = try entityCounts(database, decided.catalogue)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }

    /// Decides every post stored in the index at `path` in corpus mode, as `relabelEntities` does, without writing
    /// anything (a reader: no lock, a running service may go on writing): for `starling entities --suggest --index`.
    public static func decideEntities(path: String, linker: EntityLinker,
                                      workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                                      onIssue: (String) -> Void = { _ in },
                                      onProgress: (UInt32, UInt32) -> Void = { _, _ in }) throws -> EntityDecisions {
        let database = try IndexLocation.openReader(path)
        return try decideEntities(database, linker: linker, workers: workers, onIssue: { onIssue("\(path): \($0)") },
                                  onProgress: onProgress)
    }

    /// Posts holding each entity's term, for the entities with any.
    public static func entityCounts(_ database: Database, _ ids: Set<String>) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for id in ids {
            let n = try database.termFrequency(TermPrefix.entity + id)
            if n > 0 { out[id] = n }
        }
        return out
    }
}
