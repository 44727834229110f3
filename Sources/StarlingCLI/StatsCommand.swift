// `starling stats`: what an index holds.
import ArgumentParser
import Foundation
import StarlingIndex
import StarlingModel
import XapianKit

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what an index holds: posts, size on disk, time span, top languages and platforms."
    )

    @OptionGroup var index: IndexPathOption

    @OptionGroup var shards: ShardOptions

    @Flag(help: "JSON output: {\"documents\": N, ...}.")
    var json = false

    func validate() throws { try shards.validate(with: index) }

    func run() throws {
        try reportingErrors {
            let path = index.resolved
            let db = try shards.open(orIndex: index)
            // Size on disk: the index folder, or the shards that are folders here (remote ones are not counted).
            let folders = shards.addresses.isEmpty ? [path] : shards.parsed.compactMap(\.folder)
            let stats = try IndexStats.collect(db, onDisk: folders)
            if json {
                var fields: [(String, JSONValue)] = []
                if case .object(let o) = stats.json { fields = o }
                if !shards.addresses.isEmpty {
                    fields.append(("shards", .array(shards.parsed.map { .string($0.description) })))
                }
                emit(JSONValue.object(fields).jsonText)
            } else {
                emit(shards.addresses.isEmpty ? "index:      \(path)"
                     : "shards:     " + shards.parsed.map(\.description).joined(separator: ", "))
                emit("documents:  \(stats.documents)")
                if folders.isEmpty {
                    emit("size:       not known here (remote shards)")
                } else if folders.count < shards.addresses.count {
                    emit("size:       \(stats.bytesOnDisk / 1_048_576) MiB in the shards on this machine")
                } else {
                    emit("size:       \(stats.bytesOnDisk / 1_048_576) MiB (\(stats.documents > 0 ? stats.bytesOnDisk / Int64(stats.documents) : 0) bytes/post)")
                }
                if let a = stats.oldest, let b = stats.newest {
                    emit("time span:  \(PostTime.iso8601(a)) … \(PostTime.iso8601(b))")
                }
                emit("terms:      \(String(format: "%.1f", stats.averageLength)) distinct per post on average")
                emit("languages:  " + stats.languages.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
                emit("platforms:  " + stats.platforms.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
                emit("hashtags:   " + stats.topHashtags.map { "#\($0.0) \($0.1)" }.joined(separator: ", "))
                if !stats.topMentions.isEmpty {
                    emit("mentions:   " + stats.topMentions.map { "@\($0.0) \($0.1)" }.joined(separator: ", "))
                }
                if !stats.topDomains.isEmpty {
                    emit("domains:    " + stats.topDomains.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
                }
                if !stats.topEntities.isEmpty {
                    emit("entities:   " + stats.topEntities.map { "\($0.0) \($0.1)" }.joined(separator: ", "))
                }
            }
        }
    }
}
