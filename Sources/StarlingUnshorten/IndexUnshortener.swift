// The index side of unshortening: find indexed posts whose links are on shortener domains and not yet resolved,
// resolve them (cache first, network second, no index lock held meanwhile), then add the targets' URL and domain
// terms to those documents in place, in batches, under the single-writer lock. Indexing never waits for any of
// this: a post is searchable as soon as it is indexed, and its targets' terms arrive when unshorten runs.
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import XapianKit

/// Terms the unshortener adds besides the ordinary `XU`/`XD` link terms.
public enum UnshortenTerms {
    /// `XS` + a short link's canonical URL: the link was resolved and its target's terms are in the document.
    /// A post re-imported later loses it (the document is rebuilt) and is caught up from the cache on the next run.
    public static let resolvedPrefix = TermPrefix.unshortened
    /// The stored post's field listing what its short links led to: `[{"url": short, "resolved": target}]`.
    public static let storedField = "unshortened"
}

extension UnshortenTerms {
    /// Adds to `document` where its short links lead: each target's canonical `url:` term and `domain:` terms,
    /// the `XS` marker of the short link, and the target in the stored post's `unshortened` list. The one place
    /// these terms are built, for `starling unshorten` and for the service's background unshortener alike.
    /// - Parameter targets: (short link as in its `XU` term, absolute target URL) pairs.
    /// - Returns: the pairs added (a target that does not canonicalize is skipped); empty when `document` is unchanged.
    @discardableResult
    public static func addTargets(_ targets: [(link: String, final: String)], to document: Document,
                                  urls: URLCanonicalizer) -> [(link: String, final: String)] {
        var added: [(link: String, final: String)] = []
        for (link, final) in targets {
            guard let c = urls.canonicalize(final) else { continue }
            document.addBooleanTerm(DocumentBuilder.clip(TermPrefix.url + c.canonical))
            for d in c.domains { document.addBooleanTerm(DocumentBuilder.clip(TermPrefix.domain + d)) }
            document.addBooleanTerm(DocumentBuilder.clip(resolvedPrefix + link))
            added.append((link, final))
        }
        if !added.isEmpty { document.dataBytes = IndexUnshortener.storedData(document.dataBytes, adding: added) }
        return added
    }

    /// Gives `document` the targets of those of its unmarked short links whose resolution `known` has (failed
    /// resolutions add nothing). `terms` is the document's term list as stored.
    /// - Returns: whether the document changed.
    public static func addKnownTargets(to document: Document, terms: [(term: String, wdf: UInt32)],
                                       shorteners: ShortenerList, urls: URLCanonicalizer,
                                       known: (String) -> Resolution?) -> Bool {
        guard let pending = IndexUnshortener.pendingLinks(docid: 0, terms: terms, shorteners: shorteners) else {
            return false
        }
        let targets = pending.links.compactMap { link in known(link)?.final.map { (link: link, final: $0) } }
        return !targets.isEmpty && !addTargets(targets, to: document, urls: urls).isEmpty
    }

    /// The short links of `terms` (a document's term list) not yet marked resolved, canonical as in `XU` terms.
    public static func unresolvedShortLinks(in terms: [(term: String, wdf: UInt32)], shorteners: ShortenerList)
        -> [String]
    {
        IndexUnshortener.pendingLinks(docid: 0, terms: terms, shorteners: shorteners)?.links ?? []
    }
}

/// A post with short links still to resolve.
public struct PendingPost: Sendable, Equatable {
    /// Its document id when found.
    public var docid: UInt32
    /// The post id (from its `Q` term).
    public var id: String
    /// Canonical short links (as in its `XU` terms) without an `XS` marker.
    public var links: [String]
}

/// Settings of an unshorten run.
public struct UnshortenOptions: Sendable {
    /// The resolver's limits and SSRF policy.
    public var resolver = ResolverConfiguration()
    /// Posts updated per commit.
    public var commitEvery = 1_000
    /// Ask the network again for links whose cached resolution failed.
    public var retryFailed = false
    /// Find and resolve, but change nothing in the index.
    public var dryRun = false

    public init() {}
}

/// What a run did.
public struct UnshortenSummary: Sendable, Equatable {
    /// Posts found with short links not yet resolved.
    public var posts = 0
    /// Distinct short links among them.
    public var links = 0
    /// Links that lead somewhere (from the cache and from the network).
    public var resolved = 0
    /// ...of which were answered by the cache.
    public var resolvedFromCache = 0
    /// Links that failed, by reason code (from the cache and from the network).
    public var failed: [String: Int] = [:]
    /// ...of which were answered by the cache.
    public var failedFromCache = 0
    /// Requests' worth of links sent to the network this run.
    public var looked = 0
    /// Posts given their targets' terms.
    public var updated = 0
    /// Lines of the cache file that could not be read.
    public var unreadableCacheLines = 0
    /// Seconds the run took.
    public var seconds = 0.0

    public init() {}

    /// Failed links in total.
    public var failedTotal: Int { failed.values.reduce(0, +) }
}

/// Unshortens the links of an on-disk index.
public enum IndexUnshortener {
    /// Posts of `database` whose shortener links have no `XS` marker.
    ///
    /// - Complexity: O(d + p·t): d domain terms, p candidate posts of t terms each.
    public static func pending(in database: Database, shorteners: ShortenerList) throws -> [PendingPost] {
        var docids = Set<UInt32>()
        for (term, _) in try database.allTerms(prefix: TermPrefix.domain) {
            let domain = String(term.dropFirst(TermPrefix.domain.count))
            guard shorteners.domains.contains(domain) else { continue }
            docids.formUnion(try database.postings(term))
        }
        var out: [PendingPost] = []
        for docid in docids.sorted() {
            if let p = pendingLinks(docid: docid, terms: try database.termList(docid), shorteners: shorteners) {
                out.append(p)
            }
        }
        return out
    }

    /// The document's short links without a marker, or nil when it has none.
    static func pendingLinks(docid: UInt32, terms: [(term: String, wdf: UInt32)], shorteners: ShortenerList)
        -> PendingPost?
    {
        var id = ""
        var links: [String] = []
        var done = Set<String>()
        for (term, _) in terms {
            if term.hasPrefix(TermPrefix.id) {
                id = String(term.dropFirst(TermPrefix.id.count))
            } else if term.hasPrefix(UnshortenTerms.resolvedPrefix) {
                done.insert(String(term.dropFirst(UnshortenTerms.resolvedPrefix.count)))
            } else if term.hasPrefix(TermPrefix.url) {
                let link = String(term.dropFirst(TermPrefix.url.count))
                // A clipped term is not a whole URL any more.
                if link.utf8.count + TermPrefix.url.utf8.count < DocumentBuilder.maxTermBytes,
                   shorteners.contains(url: link)
                {
                    links.append(link)
                }
            }
        }
        links.removeAll { done.contains($0) }
        return links.isEmpty ? nil : PendingPost(docid: docid, id: id, links: links)
    }

    /// Runs unshortening over the index at `path`: finds pending posts, resolves their links (cache, then
    /// network), and writes the targets' terms. `progress` is called as links resolve (done, total).
    public static func run(
        indexPath path: String, options: UnshortenOptions, shorteners: ShortenerList, urls: URLCanonicalizer,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> UnshortenSummary {
        let started = Date()
        var summary = UnshortenSummary()
        let reader = try IndexLocation.openReader(path)
        let posts = try pending(in: reader, shorteners: shorteners)
        try reader.close()
        summary.posts = posts.count
        var seen = Set<String>()
        var links: [String] = []
        for p in posts { for l in p.links where seen.insert(l).inserted { links.append(l) } }
        summary.links = links.count

        let cache = try UnshortenCache(indexPath: path)
        summary.unreadableCacheLines = cache.skippedLines
        var results: [String: Resolution] = [:]
        var toAsk: [String] = []
        for l in links {
            if let r = cache.lookup(l), !(options.retryFailed && r.failure != nil) {
                results[l] = r
                if r.failure == nil { summary.resolvedFromCache += 1 } else { summary.failedFromCache += 1 }
            } else {
                toAsk.append(l)
            }
        }
        summary.looked = toAsk.count
        if !toAsk.isEmpty {
            let resolver = RedirectResolver(configuration: options.resolver)
            let counter = Counter()
            let total = toAsk.count
            let cacheErrors = ErrorBox()
            let fresh = await resolver.resolveAll(toAsk) { r in
                do { try cache.record(r) } catch { cacheErrors.set(error) }
                progress(counter.increment(), total)
            }
            resolver.close()
            if let e = cacheErrors.error { throw e }
            for r in fresh { results[r.url] = r }
        }
        for r in results.values {
            if let f = r.failure { summary.failed[f.reason.rawValue, default: 0] += 1 } else { summary.resolved += 1 }
        }
        if !options.dryRun && summary.resolved > 0 {
            summary.updated = try write(path: path, posts: posts, results: results, shorteners: shorteners, urls: urls,
                                        commitEvery: options.commitEvery)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    /// Adds the resolved targets' terms to the pending posts, committing every `commitEvery` updates.
    /// Each document is re-read under the lock, so a post re-imported since it was found is handled as it is now.
    /// - Returns: the posts updated.
    public static func write(path: String, posts: [PendingPost], results: [String: Resolution],
                             shorteners: ShortenerList, urls: URLCanonicalizer, commitEvery: Int) throws -> Int {
        let writer = try IndexLocation.openWriter(path, create: false)
        var updated = 0
        var sinceCommit = 0
        for p in posts {
            let terms: [(term: String, wdf: UInt32)]
            do { terms = try writer.termList(p.docid) } catch let e as XapianError where e.type == "DocNotFoundError" {
                continue  // deleted meanwhile
            }
            guard let now = pendingLinks(docid: p.docid, terms: terms, shorteners: shorteners), now.id == p.id else {
                continue
            }
            let targets = now.links.compactMap { link in results[link].flatMap { r in r.final.map { (link: link, final: $0) } } }
            guard !targets.isEmpty else { continue }
            let doc = try writer.document(p.docid)
            guard !UnshortenTerms.addTargets(targets, to: doc, urls: urls).isEmpty else { continue }
            try writer.replaceDocument(p.docid, doc)
            updated += 1
            sinceCommit += 1
            if sinceCommit >= commitEvery {
                try writer.commit()
                sinceCommit = 0
            }
        }
        try writer.commit()
        try writer.close()
        return updated
    }

    /// The stored post with `unshortened` listing the targets (merged with any earlier list; other fields kept).
    static func storedData(_ data: [UInt8], adding added: [(link: String, final: String)]) -> [UInt8] {
        guard case .object(var fields)? = try? StoredPost.decode(data) else { return data }
        var list: [JSONValue] = []
        if let i = fields.firstIndex(where: { $0.0 == UnshortenTerms.storedField }) {
            list = fields[i].1.arrayValue ?? []
            fields.remove(at: i)
        }
        let known = Set(list.compactMap { $0["url"]?.stringValue })
        for (link, final) in added where !known.contains(link) {
            list.append(.object([("url", .string(link)), ("resolved", .string(final))]))
        }
        fields.append((UnshortenTerms.storedField, .array(list)))
        return StoredPost.encode(JSONValue.object(fields))
    }
}

/// A thread-safe counter.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}

/// The first error seen by concurrent callbacks.
private final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Error?
    func set(_ e: Error) { lock.lock(); if stored == nil { stored = e }; lock.unlock() }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return stored }
}
