// Relabelling an index's entities with corpus-learnt profiles. At ingest each post is decided alone (catalogue
// only: the stage cannot see the posts still to come); once a corpus is indexed, `starling entities --index DIR`
// reads every stored post back, decides them all together as `starling entities` does on stdin (CorpusLinker),
// and rewrites the `XE` terms that changed, so `entity:ID` searches and the entity facet follow the better
// decisions. Only the boolean entity terms of the catalogue's entities are touched: words, weights, values and
// stored posts stay as they are, and entities of other catalogues keep their terms.
import Foundation
import StarlingAnalysis
import StarlingEntities
import StarlingModel
import XapianKit

/// What a relabelling did.
public struct EntityRelabelSummary: Sendable {
    /// Stored posts read back, and those that could not be (reported through `onIssue`, left as they were).
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
}

extension IndexMaintenance {
    /// Decides every post stored in the index at `path` with `linker` in corpus mode and rewrites the posts' entity
    /// terms (`XE` + id, for the entities of `linker`'s catalogue) to match, committing every `commitEvery`
    /// changed posts. Holds the write lock throughout (searches go on; a running `starling serve` on the same
    /// index must be stopped first). An interruption leaves each post with either its old or its new terms.
    ///
    /// - Complexity: one pass over the stored posts (analysis, as at ingest, without the writing), the corpus
    ///   linker's O(iterations · feature occurrences of the posts naming an entity), and one replace per changed post.
    public static func relabelEntities(path: String, linker: EntityLinker, commitEvery: Int = 10_000,
                                       onIssue: (String) -> Void = { _ in }) throws -> EntityRelabelSummary {
        let start = Date()
        var summary = EntityRelabelSummary()
        let database = try IndexLocation.openWriter(path, create: false)
        defer { try? database.close() }
        let analyzer = try Analyzer()
        let corpus = CorpusLinker(linker: linker)
        var docids: [UInt32] = []
        let last = try database.lastDocID()
        if last > 0 {
            for docid in 1...last {
                let data: [UInt8]
                do {
                    data = try database.document(docid).dataBytes
                } catch let e as XapianError where e.type == "DocNotFoundError" {
                    continue
                }
                summary.posts += 1
                guard let post = StoredPost.post(data) else {
                    summary.unreadable += 1
                    onIssue("\(path): document \(docid): the stored post does not read back; its entities are left as they are")
                    continue
                }
                corpus.add(id: post.id, analysis: analyzer.analyze(post.text, links: post.urls))
                docids.append(docid)
            }
        }
        let decided = corpus.finish()
        summary.entities = corpus.summaries

        // The entity terms the posts hold now, for this catalogue's entities only.
        let ids = linker.matcher.entities.map(\.entity.id)
        var current: [UInt32: Set<String>] = [:]
        for id in ids {
            let holders = try database.postings(TermPrefix.entity + id)
            if !holders.isEmpty { summary.before[id] = holders.count }
            for docid in holders { current[docid, default: []].insert(id) }
        }
        var pending = 0
        for (k, labelled) in decided.enumerated() {
            let docid = docids[k]
            let wanted = Set(labelled.mentions.map(\.entityID))
            let held = current[docid] ?? []
            guard wanted != held else { continue }
            let document = try database.document(docid)
            for id in held.subtracting(wanted).sorted() { document.removeTerm(TermPrefix.entity + id) }
            for id in wanted.subtracting(held).sorted() { document.addBooleanTerm(TermPrefix.entity + id) }
            try database.replaceDocument(docid, document)
            summary.removed += held.subtracting(wanted).count
            summary.added += wanted.subtracting(held).count
            summary.changedPosts += 1
            pending += 1
            if pending >= max(1, commitEvery) {
                try database.commit()
                pending = 0
            }
        }
        try database.commit()
        for id in ids {
            let holders = try database.termFrequency(TermPrefix.entity + id)
            if holders > 0 { summary.after[id] = holders }
        }
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}
