// Standing searches: a listener's named queries kept with an index ("my brand", "competitor launch"), each with a
// mark — the last post it has been read up to — so "what is new for it since I last looked" is one call. They live
// in `starling-searches.json` in the index folder (written whole and atomically; a damaged file is an error naming
// it, never silently emptied). "New" follows ingestion: Xapian gives each new post the next docid and an updated
// post keeps its own, so the posts a search has not seen are its matches above the mark (an edit of a post already
// seen is not new).
import Foundation
import StarlingModel
import XapianKit

/// One standing search.
public struct StandingSearch: Sendable, Equatable {
    /// Its name: 1 to 64 of `A-Z a-z 0-9 _ . -`, starting with a letter or digit.
    public var name: String
    /// The query, in the query language of `starling search`.
    public var query: String
    /// When it was saved.
    public var created: Date
    /// The index's last docid when it was last marked read (at first: when it was saved).
    public var mark: UInt32
    /// When it was last marked read.
    public var marked: Date

    /// As the CLI's and the service's JSON show it.
    public var json: JSONValue {
        .object([("name", .string(name)), ("query", .string(query)), ("created", .string(PostTime.iso8601(created))),
                 ("mark", .int(Int64(mark))), ("marked", .string(PostTime.iso8601(marked)))])
    }
}

/// Errors of the standing searches.
public enum StandingSearchError: Error, CustomStringConvertible, Sendable, Equatable {
    case badName(String)
    case unknown(String)
    case damaged(path: String, detail: String)

    public var description: String {
        switch self {
        case .badName(let name):
            return "'\(name)' is not a standing search name: use 1 to 64 letters, digits, '_', '.' or '-', starting "
                + "with a letter or digit"
        case .unknown(let name): return "no standing search named '\(name)'"
        case .damaged(let path, let detail):
            return "the standing searches file '\(path)' cannot be read (\(detail)); fix or remove it"
        }
    }
}

/// The standing searches of one index folder. Each call reads the file afresh and every change rewrites it whole
/// (atomically), so a CLI and a service on the same index see each other's changes. Not synchronised: one writer at
/// a time (the service serialises its own calls).
public struct StandingSearchStore: Sendable {
    /// The file's name in the index folder.
    public static let fileName = "starling-searches.json"
    /// The file.
    public let path: String

    /// The store of the index in `folder`.
    public init(folder: String) {
        path = (folder as NSString).appendingPathComponent(Self.fileName)
    }

    /// Whether `name` can name a standing search.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64 else { return false }
        func allowed(_ u: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(u) || ("A"..."Z").contains(u) || ("0"..."9").contains(u) || u == "_" || u == "." || u == "-"
        }
        return name.unicodeScalars.allSatisfy(allowed) && first != "_" && first != "." && first != "-"
    }

    /// Every standing search, by name.
    public func list() throws -> [StandingSearch] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw StandingSearchError.damaged(path: path, detail: error.localizedDescription)
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let items = root["searches"] as? [[String: Any]] else {
            throw StandingSearchError.damaged(path: path, detail: "not a JSON object with a \"searches\" array")
        }
        return try items.enumerated().map { k, o in
            guard let name = o["name"] as? String, let query = o["query"] as? String,
                  let created = (o["created"] as? String).flatMap(PostTime.parse),
                  let mark = (o["mark"] as? NSNumber)?.uint32Value,
                  let marked = (o["marked"] as? String).flatMap(PostTime.parse) else {
                throw StandingSearchError.damaged(path: path, detail: "search \(k + 1) lacks name, query, created, "
                                                  + "mark or marked")
            }
            return StandingSearch(name: name, query: query, created: created, mark: mark, marked: marked)
        }.sorted { $0.name < $1.name }
    }

    /// The standing search `name`.
    public func get(_ name: String) throws -> StandingSearch {
        guard let s = try list().first(where: { $0.name == name }) else { throw StandingSearchError.unknown(name) }
        return s
    }

    /// Saves `query` as `name` (replacing the query of a search of that name, whose mark it keeps; a new one is
    /// marked at the index's last docid, so only posts indexed from now on are new to it). The name must be valid,
    /// and `searcher`'s index must be able to run the query: its parse or compile error is thrown as it is (with
    /// the position), so it is refused now, not at the first read. Returns the search and whether it is new.
    @discardableResult
    public func save(name: String, query: String, on searcher: Searcher, now: Date = Date())
        throws -> (search: StandingSearch, created: Bool) {
        guard Self.isValidName(name) else { throw StandingSearchError.badName(name) }
        _ = try searcher.compile(query)
        var all = try list()
        let saved: StandingSearch, created: Bool
        if let k = all.firstIndex(where: { $0.name == name }) {
            all[k].query = query
            (saved, created) = (all[k], false)
        } else {
            saved = StandingSearch(name: name, query: query, created: now, mark: try searcher.database.lastDocID(),
                                   marked: now)
            all.append(saved)
            created = true
        }
        try write(all)
        return (saved, created)
    }

    /// Marks `name` read up to `docid` (the index's last docid when its new posts were fetched).
    @discardableResult
    public func mark(_ name: String, at docid: UInt32, now: Date = Date()) throws -> StandingSearch {
        var all = try list()
        guard let k = all.firstIndex(where: { $0.name == name }) else { throw StandingSearchError.unknown(name) }
        all[k].mark = max(all[k].mark, docid)
        all[k].marked = now
        try write(all)
        return all[k]
    }

    /// Moves every search's mark through `transform` (after a rebuild numbered the posts afresh).
    public func remapMarks(_ transform: (UInt32) throws -> UInt32) throws {
        var all = try list()
        guard !all.isEmpty else { return }
        for k in all.indices { all[k].mark = try transform(all[k].mark) }
        try write(all)
    }

    /// Removes `name`.
    public func remove(_ name: String) throws {
        var all = try list()
        guard let k = all.firstIndex(where: { $0.name == name }) else { throw StandingSearchError.unknown(name) }
        all.remove(at: k)
        try write(all)
    }

    private func write(_ all: [StandingSearch]) throws {
        let text = JSONValue.object([("searches", .array(all.sorted { $0.name < $1.name }.map(\.json)))]).jsonText
        try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// The posts a standing search has not seen: its matches indexed after its mark.
public struct NewMatches: Sendable {
    /// How many there are.
    public var count: Int
    /// The last ingested first, at most the limit asked for.
    public var hits: [SearchHit]
    /// The index's last docid when they were read: the mark to set once they have been looked at.
    public var lastDocID: UInt32
}

extension Searcher {
    /// `search` as JSON with how many posts match its query now (an exact count) and how many of those are new.
    public func statusJSON(of search: StandingSearch) throws -> JSONValue {
        let matches = try self.search(SearchRequest(query: search.query, limit: 0,
                                                    checkAtLeast: try database.documentCount())).total
        let fresh = try newMatches(of: search.query, after: search.mark, limit: 0).count
        guard case .object(let fields) = search.json else { return search.json }
        return .object(fields + [("matches", .int(Int64(matches))), ("new", .int(Int64(fresh)))])
    }

    /// The matches of `query` indexed after docid `mark`, the last ingested first: a scan down the docids of the
    /// matches that stops at the mark, so it costs what is new, not what matches.
    ///
    /// - Complexity: O(n) for n new matches (pages of 1,000 in docid order).
    public func newMatches(of query: String, after mark: UInt32, limit: Int) throws -> NewMatches {
        let last = try database.lastDocID()
        let compiled = try compile(query)
        let enquire = Enquire(database)
        try enquire.setQuery(compiled)
        enquire.setWeighting(.bool)
        enquire.setDocidOrder(.descending)
        var count = 0
        var hits: [SearchHit] = []
        var first = 0
        let page = 1_000
        scan: while true {
            let mset = try enquire.mset(first: first, max: page, fetchData: hits.count < limit)
            for item in mset.items {
                guard item.docid > mark else { break scan }
                if hits.count < limit {
                    let post = StoredPost.post(item.dataBytes)
                    hits.append(SearchHit(id: post?.id ?? "", score: 0, rank: hits.count, collapsed: 0, post: post))
                }
                count += 1
            }
            if mset.items.count < page { break }
            first += page
        }
        return NewMatches(count: count, hits: hits, lastDocID: last)
    }
}
