// The `starling` command: one executable, a subcommand per job (DESIGN.md, "The starling command").
import ArgumentParser
import Foundation
import StarlingModel

@main
struct Starling: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "starling",
        abstract: "Search and index social posts: hashtags, mentions, emoji and links understood.",
        discussion: """
            Start with `starling index FILE` (native NDJSON, Twitter v1.1/v2 JSON, Mastodon JSON, CSV/TSV, Orange .tab),
            then `starling search 'QUERY'`. The index lives in indexes/default unless --index or $STARLING_INDEX says
            otherwise. Every command takes --json for machine-readable output.
            """,
        subcommands: [IndexCommand.self, SearchCommand.self, AnalyzeCommand.self, StatsCommand.self, CompactCommand.self, RebuildCommand.self, SimilarCommand.self, DuplicatesCommand.self, ServeCommand.self, EntitiesCommand.self, UnshortenCommand.self]
    )
}

/// `--index DIR`, shared by every command that opens an index.
struct IndexPathOption: ParsableArguments {
    @Option(name: .customLong("index"), help: ArgumentHelp(
        "The index directory (default: $STARLING_INDEX or indexes/default).", valueName: "DIR"))
    var path: String?

    var resolved: String {
        if let path { return path }
        return ProcessInfo.processInfo.environment["STARLING_INDEX"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "indexes/default"
    }
}

/// Writes to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Whether standard error is a terminal (progress bars only there).
var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

/// Prints a line to standard output without Foundation's buffering surprises.
func emit(_ line: String) {
    var l = line
    l += "\n"
    FileHandle.standardOutput.write(Data(l.utf8))
}

/// The start of a hit's line in human output: `N. [id] @author time`.
func hitHead(rank: Int, id: String, post: Post?) -> String {
    var head = "\(rank). [\(id)]"
    if let a = post?.author { head += " @\(a)" }
    if let t = post?.createdAt { head += " \(PostTime.iso8601(t))" }
    return head
}

/// A post's text on one indented line, cut at 280 characters.
func emitPostText(_ text: String?) {
    let line = (text ?? "").replacingOccurrences(of: "\n", with: " ")
    emit("   " + (line.count > 280 ? String(line.prefix(277)) + "…" : line))
}

/// A failure that should end the command with a message and a non-zero status, not a stack of Swift errors.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    var code: Int32 = 1
    var description: String { message }
}

/// Runs `body`, turning known errors into a clear message and exit status.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as CommandFailure {
        printError("error: \(e.message)")
        throw ExitCode(e.code)
    } catch let e as ExitCode {
        throw e
    } catch {
        printError("error: \(error)")
        throw ExitCode(1)
    }
}
