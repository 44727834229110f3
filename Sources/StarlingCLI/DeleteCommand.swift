// `starling delete`: take posts out of an index on this machine — by id, or every post of an author (a takedown, an
// account gone) — as the service's DELETE routes do, through the same writer (near-duplicate clusters and the
// bucket file are kept in step; one commit at the end).
import ArgumentParser
import Dispatch
import Foundation
import StarlingIndex
import StarlingModel

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete posts from the index by id, or every post of an author.",
        discussion: """
            Examples: starling delete 500311153583853570 500311153583853571
                      starling delete --author somebody
            Ids not in the index are listed as missing (exit status 0: the request is idempotent). A running \
            `starling serve` holds the index: use its DELETE /v1/posts/ID or /v1/authors/NAME/posts instead.
            """
    )

    @OptionGroup var index: IndexPathOption

    @Option(help: ArgumentHelp("Delete every post by this author (case-folded, as from: matches).", valueName: "NAME"))
    var author: String?

    @Flag(help: "JSON output: {\"deleted\": N, \"ids\": [...], \"missing\": [...]}.")
    var json = false

    @Argument(help: "Ids of posts to delete.")
    var ids: [String] = []

    func validate() throws {
        if ids.isEmpty == (author == nil) { throw ValidationError("give post ids or --author NAME (one of the two)") }
        if let author, author.trimmingCharacters(in: CharacterSet(charactersIn: "@ ")).isEmpty {
            throw ValidationError("--author needs a name")
        }
    }

    func run() throws {
        try reportingErrors {
            let path = index.resolved
            try IndexLocation.openReader(path).close()  // an absent index is an error, not a new empty one
            let writer = try LiveIndexWriter(path: path)
            let ids = self.ids
            var author = self.author
            if author?.hasPrefix("@") == true { author?.removeFirst() }
            let outcome = DeleteOutcome()
            let done = DispatchSemaphore(value: 0)
            // The root command is synchronous: the writer's async calls run in a task while this thread waits.
            Task { [author] in
                do {
                    if let author {
                        outcome.deleted = try await writer.deleteAll(byAuthor: author)
                    } else {
                        for id in ids {
                            if try await writer.delete(id: id) { outcome.deleted.append(id) } else { outcome.missing.append(id) }
                        }
                    }
                } catch {
                    outcome.error = error
                }
                done.signal()
            }
            done.wait()
            try writer.closeBlocking()
            if let e = outcome.error { throw e }
            if json {
                emit(JSONValue.object([("deleted", .int(Int64(outcome.deleted.count))),
                                       ("ids", .array(outcome.deleted.map { .string($0) })),
                                       ("missing", .array(outcome.missing.map { .string($0) }))]).jsonText)
            } else {
                emit("deleted \(outcome.deleted.count) post\(outcome.deleted.count == 1 ? "" : "s")"
                     + (author.map { " by @\($0)" } ?? "")
                     + (outcome.missing.isEmpty ? "" : "; not in the index: " + outcome.missing.joined(separator: ", ")))
            }
        }
    }
}

/// What the delete task did, handed back to the waiting thread (it writes, then signals; the thread reads after).
private final class DeleteOutcome: @unchecked Sendable {
    var deleted: [String] = []
    var missing: [String] = []
    var error: Error?
}
