// `starling rebuild`: index every stored post again in the current format (the upgrade path after a format change).
import ArgumentParser
import Foundation
import StarlingIndex
import StarlingModel

struct RebuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Index every post an index stores again, in the current format, and swap the result in.",
        discussion: """
            For indexes written by an older Starling, which can still be searched but refuse new posts ("rebuild \
            it"). Takes about as long as the original import; needs room for a second copy meanwhile. Searches \
            keep working on the old index until the new one replaces it; an interruption leaves the old one as it \
            was. Link targets found by unshortening stay in the stored posts and the cache; run `starling \
            unshorten` afterwards to index them again (cached links need no network).
            """
    )

    @OptionGroup var index: IndexPathOption

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let summary = try IndexMaintenance.rebuild(path: index.resolved, onIssue: { printError("\($0)") })
            if json {
                emit(JSONValue.object([
                    ("index", .string(index.resolved)), ("posts", .int(Int64(summary.posts))),
                    ("documents", .int(Int64(summary.documents))), ("rejected", .int(Int64(summary.rejected))),
                    ("seconds", .double(summary.seconds)), ("bytes_before", .int(summary.bytesBefore)),
                    ("bytes_after", .int(summary.bytesAfter)),
                ]).jsonText)
            } else {
                printError("rebuilt \(index.resolved): \(summary.posts) stored posts indexed again in "
                    + "\(String(format: "%.1f", summary.seconds)) s; it holds \(summary.documents) posts; "
                    + "\(summary.bytesBefore / 1_048_576) MiB -> \(summary.bytesAfter / 1_048_576) MiB"
                    + (summary.rejected > 0 ? "; \(summary.rejected) stored posts rejected (above)" : ""))
            }
            if summary.rejected > 0 { throw ExitCode(3) }
        }
    }
}
