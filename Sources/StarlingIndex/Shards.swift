// Several indexes searched as one: index folders on this machine and indexes served by `xapian-tcpsrv` on other
// machines (Xapian's remote backend), combined so that one query ranks over all of them with the statistics of
// the whole (the same scores as one index holding every post).
import Foundation
import StarlingModel
import XapianKit

/// Where one shard is.
public enum ShardAddress: Equatable, Sendable, CustomStringConvertible {
    /// An index folder on this machine.
    case folder(String)
    /// An index served by `xapian-tcpsrv --port PORT DIR` on `host`.
    case remote(host: String, port: UInt16)

    /// `HOST:PORT` (`[::1]:33001` for an IPv6 address) is a remote shard, anything else an index folder; a
    /// folder that exists wins, so a folder named `a:1` can still be given.
    public static func parse(_ text: String) -> ShardAddress {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue {
            return .folder(text)
        }
        guard let colon = text.lastIndex(of: ":"), !text.contains("/") else { return .folder(text) }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard !portText.isEmpty, portText.count <= 5, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              let port = UInt16(portText), port > 0 else { return .folder(text) }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: \.isWhitespace) else { return .folder(text) }
        // A bare IPv6 address without brackets ("::1:33001") is ambiguous.
        if host.contains(":") && !text.hasPrefix("[") { return .folder(text) }
        return .remote(host: host, port: port)
    }

    /// The folder of a shard on this machine; nil for a remote one.
    public var folder: String? {
        if case .folder(let path) = self { return path } else { return nil }
    }

    public var description: String {
        switch self {
        case .folder(let path): return path
        case .remote(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// Errors about shards.
public enum ShardError: Error, CustomStringConvertible, Sendable {
    /// A remote shard did not answer (nothing listening, a firewall, a time-out).
    case unreachable(shard: String, detail: String)
    /// Two shards were written with different index formats, so one query cannot be compiled for both.
    case mismatched(shard: String, first: String, what: String)

    public var description: String {
        switch self {
        case .unreachable(let shard, let detail):
            return "shard \(shard) cannot be reached (\(detail)): is `xapian-tcpsrv --port PORT DIR` serving an index there?"
        case .mismatched(let shard, let first, let what):
            return "shard \(shard) was written with another \(what) than \(first): run `starling rebuild` on the older "
                + "one so every shard has the current format"
        }
    }
}

extension IndexLocation {
    /// Opens every shard (`timeout` seconds for connecting to a remote one and for each of its replies) and
    /// combines them into one database. Each shard must hold a Starling index of the same format (weighting,
    /// stem layout, phrase pairs), checked here, since queries are compiled once for all of them.
    ///
    /// - Throws: `IndexError.notFound` for a folder without an index, `ShardError.unreachable` for a remote shard
    ///   that does not answer, `ShardError.mismatched` for shards of different formats.
    public static func openShards(_ shards: [ShardAddress], timeout: Double = 10) throws -> Database {
        try Database.combining(try openEachShard(shards, timeout: timeout).map(\.database))
    }

    /// Opens every shard as `openShards` does, checks their formats alike, and returns them one by one (for
    /// queries that need each shard's own files or answers): the filled shards in the order given, then the
    /// empty ones — the order `openShards` combines them in.
    public static func openEachShard(_ shards: [ShardAddress], timeout: Double = 10) throws
        -> [(address: ShardAddress, database: Database)] {
        var first: (shard: ShardAddress, format: [String])?
        var filled: [(address: ShardAddress, database: Database)] = [], empty: [(address: ShardAddress, database: Database)] = []
        for shard in shards {
            let database: Database
            switch shard {
            case .folder(let path):
                database = try openReader(path)
            case .remote(let host, let port):
                do {
                    database = try Database.remote(host: host, port: port, timeout: timeout)
                } catch let e as XapianError {
                    throw ShardError.unreachable(shard: shard.description, detail: "\(e.type): \(e.message)")
                }
            }
            let format = [TermWeighting.metadataKey, StemLayout.metadataKey, PhraseStage.metadataKey]
            // An empty shard has not recorded its format yet; it takes any, and goes last, since a combined
            // database reads its metadata from the first shard.
            guard try database.documentCount() > 0 else {
                empty.append((shard, database))
                continue
            }
            let values = try format.map { try database.metadata($0) }
            if let first {
                for (k, key) in format.enumerated() where values[k] != first.format[k] {
                    throw ShardError.mismatched(shard: shard.description, first: first.shard.description,
                                                what: "'\(key)' (\(values[k].isEmpty ? "none" : values[k]))")
                }
            } else {
                first = (shard, values)
            }
            filled.append((shard, database))
        }
        return filled + empty
    }
}
