// The `starling` command: one executable, a subcommand per job (DESIGN.md, "The starling command").
import ArgumentParser
import Foundation
import StarlingIndex
import StarlingModel
import XapianKit

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
        subcommands: [IndexCommand.self, SearchCommand.self, AnalyzeCommand.self, StatsCommand.self, CompactCommand.self, RebuildCommand.self, SimilarCommand.self, DuplicatesCommand.self, ServeCommand.self, EntitiesCommand.self, UnshortenCommand.self, SearchesCommand.self, DeleteCommand.self]
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

/// `--shard ADDRESS` (repeatable) and `--shard-timeout`: search several indexes as one, on this machine or served
/// by `xapian-tcpsrv` elsewhere, instead of `--index`.
struct ShardOptions: ParsableArguments {
    @Option(name: .customLong("shard"), help: ArgumentHelp(
        "Search this shard instead of --index; repeat for each: HOST:PORT of a `xapian-tcpsrv` serving a Starling "
            + "index, or an index folder. All shards are ranked together, as one index.", valueName: "ADDRESS"))
    var addresses: [String] = []

    @Option(help: ArgumentHelp("Seconds to wait for a remote shard to connect and for each of its replies.",
                               valueName: "SECONDS"))
    var shardTimeout: Double = 10

    /// The shards asked for (none: use the index).
    var parsed: [ShardAddress] { addresses.map(ShardAddress.parse) }

    /// Refuses `--index` together with `--shard` (which index would be meant?) and a timeout that is not positive.
    func validate(with index: IndexPathOption) throws {
        if !addresses.isEmpty, let path = index.path {
            throw ValidationError("give --index or --shard, not both (add '\(path)' as one more --shard to search it too)")
        }
        if addresses.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--shard needs HOST:PORT or an index folder")
        }
        if !(shardTimeout > 0) { throw ValidationError("--shard-timeout must be a positive number of seconds") }
    }

    /// The shards combined, or the index at `index` when no shard was given.
    func open(orIndex index: IndexPathOption) throws -> Database {
        addresses.isEmpty ? try IndexLocation.openReader(index.resolved)
            : try IndexLocation.openShards(parsed, timeout: shardTimeout)
    }
}

/// Writes to standard error.
func printError(_ message: String) {
    writeAll(STDERR_FILENO, message + "\n")
}

/// Writes `text` to the descriptor `fd` whole. When the reader has gone (`starling search ... | head`), the command
/// ends as Unix tools do on a closed pipe — killed by SIGPIPE, quietly — rather than with Foundation's trap on the
/// EPIPE that Swift's ignored SIGPIPE turns the write into.
func writeAll(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n > 0 {
            bytes = bytes.dropFirst(n)
        } else if n < 0, errno == EINTR || errno == EAGAIN {
            continue
        } else {
            if n < 0, errno == EPIPE {
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
            }
            return
        }
    }
}

/// Whether standard error is a terminal (progress bars only there).
var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

/// Prints a line to standard output without Foundation's buffering surprises.
func emit(_ line: String) {
    writeAll(STDOUT_FILENO, line + "\n")
}

/// The start of a hit's line in human output: `N. [id] @author time`.
func hitHead(rank: Int, id: String, post: Post?) -> String {
    var head = "\(rank). [\(id)]"
    if let a = post?.author { head += " @\(a)" }
    if let t = post?.createdAt { head += " \(PostTime.iso8601(t))" }
    return head
}

/// A hit's post in `--json` output: `text`, `author` and `created_at` when known, and the whole `post`.
func postJSONFields(_ p: Post) -> [(String, JSONValue)] {
    var o: [(String, JSONValue)] = [("text", .string(p.text))]
    if let a = p.author { o.append(("author", .string(a))) }
    if let t = p.createdAt { o.append(("created_at", .string(PostTime.iso8601(t)))) }
    o.append(("post", p.nativeJSON))
    return o
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
