// `starling searches`: standing searches kept with an index — save a query under a name, then ask what is new for
// it since it was last read (StandingSearches.swift).
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingIndex
import StarlingModel
import StarlingQuery

struct SearchesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "searches",
        abstract: "Standing searches: named queries kept with the index, and what is new for them.",
        discussion: """
            A standing search is a query saved under a name (`starling searches add acme '"acme corp" OR $ACME'`). \
            `starling searches` lists them with their matches and how many are new since each was last read; \
            `starling searches new NAME` shows those new posts (the last indexed first) and, with --mark, marks \
            them read. New means indexed after the mark: a post updated in place is not new again. The searches \
            live in starling-searches.json in the index folder; `starling serve` offers the same under \
            /v1/searches.
            """,
        subcommands: [List.self, Add.self, New.self, Remove.self],
        defaultSubcommand: List.self
    )

    /// The store of the index folder asked for, which must hold an index.
    static func store(_ index: IndexPathOption) throws -> (StandingSearchStore, Searcher) {
        let searcher = try Searcher(path: index.resolved)
        return (StandingSearchStore(folder: index.resolved), searcher)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List the standing searches: query, matches, new since last read.")
        @OptionGroup var index: IndexPathOption
        @Flag(help: "JSON output: {\"searches\": [{\"name\", \"query\", \"matches\", \"new\", ...}]}.")
        var json = false

        func run() throws {
            try reportingErrors {
                let (store, searcher) = try SearchesCommand.store(index)
                var items: [JSONValue] = []
                let all = try store.list()
                if all.isEmpty && !json { emit("no standing searches (add one: starling searches add NAME QUERY)") }
                for s in all {
                    let status = try searcher.statusJSON(of: s)
                    if json {
                        items.append(status)
                    } else if case .int(let fresh)? = status["new"], case .int(let matches)? = status["matches"] {
                        emit("\(s.name): \(fresh) new, \(matches) in all — \(s.query)  (read \(PostTime.iso8601(s.marked)))")
                    }
                }
                if json { emit(JSONValue.object([("searches", .array(items))]).jsonText) }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Save QUERY as the standing search NAME (replacing the query of one of that name).")
        @OptionGroup var index: IndexPathOption
        @Argument(help: "1 to 64 letters, digits, '_', '.' or '-'.") var name: String
        @Argument(help: "A query, as for `starling search`.") var query: String

        func run() throws {
            try reportingErrors {
                let (store, searcher) = try SearchesCommand.store(index)
                do {
                    let s = try store.save(name: name, query: query, on: searcher).search
                    emit("saved '\(s.name)': \(s.query)")
                } catch let e as StandingSearchError {
                    throw CommandFailure(message: e.description, code: 2)
                } catch let e as QuerySyntaxError {
                    throw CommandFailure(message: "the query of standing search '\(name)' is not valid: \(e)", code: 2)
                } catch let e as QueryCompileError {
                    throw CommandFailure(message: "the query of standing search '\(name)' is not valid: \(e)", code: 2)
                }
            }
        }
    }

    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "new", abstract: "Show the posts new for standing search NAME, the last indexed first.")
        @OptionGroup var index: IndexPathOption
        @Argument(help: "The standing search.") var name: String
        @Option(help: "Posts to show.") var limit: Int = 20
        @Flag(help: "Mark them read: the next call shows only posts indexed after this one.") var mark = false
        @Flag(help: "JSON output: {\"name\", \"new\": N, \"hits\": [...], \"mark\"}.") var json = false

        func validate() throws {
            if limit < 0 || limit > 100_000 { throw ValidationError("--limit must be between 0 and 100000") }
        }

        func run() throws {
            try reportingErrors {
                let (store, searcher) = try SearchesCommand.store(index)
                let s: StandingSearch
                do { s = try store.get(name) } catch let e as StandingSearchError {
                    throw CommandFailure(message: e.description)
                }
                let fresh = try searcher.newMatches(of: s.query, after: s.mark, limit: limit)
                var markedAt = s.mark
                if mark { markedAt = try store.mark(name, at: fresh.lastDocID).mark }
                if json {
                    let hits: [JSONValue] = fresh.hits.map { h in
                        var o: [(String, JSONValue)] = [("id", .string(h.id))]
                        if let p = h.post { o += postJSONFields(p) }
                        return .object(o)
                    }
                    emit(JSONValue.object([("name", .string(s.name)), ("query", .string(s.query)),
                                           ("new", .int(Int64(fresh.count))), ("hits", .array(hits)),
                                           ("mark", .int(Int64(markedAt))), ("marked", .bool(mark))]).jsonText)
                    return
                }
                emit("\(s.name): \(fresh.count) new since \(PostTime.iso8601(s.marked))"
                     + (fresh.hits.count < fresh.count ? "; showing \(fresh.hits.count)" : "")
                     + (mark ? " (now marked read)" : ""))
                for (k, h) in fresh.hits.enumerated() {
                    emit(hitHead(rank: k + 1, id: h.id, post: h.post))
                    emitPostText(h.post?.text)
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove standing search NAME.")
        @OptionGroup var index: IndexPathOption
        @Argument(help: "The standing search.") var name: String

        func run() throws {
            try reportingErrors {
                do { try StandingSearchStore(folder: index.resolved).remove(name) } catch let e as StandingSearchError {
                    throw CommandFailure(message: e.description)
                }
                emit("removed '\(name)'")
            }
        }
    }
}
