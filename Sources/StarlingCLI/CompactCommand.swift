// `starling compact`: rewrite an index compacted, in place.
import ArgumentParser
import Foundation
import StarlingIndex
import StarlingModel

struct CompactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Rewrite an index compacted (smaller on disk, a little faster to search).",
        discussion: "Takes the write lock while it works; searches keep working. Run it after a large import."
    )

    @OptionGroup var index: IndexPathOption

    @Flag(help: "Print the sizes as JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let (before, after) = try IndexMaintenance.compact(path: index.resolved)
            if json {
                emit(JSONValue.object([("index", .string(index.resolved)), ("bytes_before", .int(before)),
                                       ("bytes_after", .int(after))]).jsonText)
            } else {
                printError("compacted \(index.resolved): \(before / 1_048_576) MiB -> \(after / 1_048_576) MiB")
            }
        }
    }
}
