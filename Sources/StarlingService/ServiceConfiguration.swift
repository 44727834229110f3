// How a Starling service is set up: the index, the address, the keys and the limits that keep one client from
// hurting the others.
import Foundation
import StarlingIndex
import StarlingUnshorten

/// Limits on requests.
public struct ServiceLimits: Sendable {
    /// Largest request body, in bytes (an ingest batch, a text to analyse).
    public var maxBodyBytes: Int = 16 << 20
    /// Most posts (NDJSON lines) in one ingest request.
    public var maxBatchPosts: Int = 50_000
    /// Longest query string, in characters.
    public var maxQueryLength: Int = 4_096
    /// Largest `limit` of a page of hits.
    public var maxLimit: Int = 1_000
    /// Largest `offset`.
    public var maxOffset: Int = 100_000
    /// Largest number of matches read for term facets.
    public var maxFacetSample: Int = 10_000
    /// Most buckets a histogram may return.
    public var maxHistogramBuckets: Int = 100_000
    /// Creates the default limits.
    public init() {}
}

/// Everything `starling serve` needs.
public struct ServiceConfiguration: Sendable {
    /// The index directory (created when missing).
    public var indexPath: String
    /// Host to bind.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks a free one (reported once listening).
    public var port: Int = 8080
    /// API keys; empty means no authentication, which is only allowed on loopback.
    public var keys = APIKeys()
    /// Request limits.
    public var limits = ServiceLimits()
    /// Reader sessions kept open for searches (each is a Xapian database handle and an analyser).
    public var maxReaders: Int = max(4, ProcessInfo.processInfo.activeProcessorCount * 2)
    /// Background unshortening of committed posts' short links; nil (the default here) turns it off.
    /// `starling serve` turns it on unless given `--no-unshorten`: network access stays an explicit choice of
    /// whoever embeds the service.
    public var unshorten: BackgroundUnshortenOptions?
    /// Seconds between background relabellings of the index's entities in corpus mode (as
    /// `POST /v1/entities/relabel` does), each only when posts were written or deleted since the last one began;
    /// nil (the default here) turns it off. `starling serve` sets it from `--relabel-interval`.
    public var relabelInterval: Double?
    /// Serve these shards (remote `xapian-tcpsrv` or index folders) read-only, searched as one index, instead of
    /// `indexPath`; empty (the default) serves `indexPath` with its writer.
    public var shards: [ShardAddress] = []
    /// Seconds to wait for a remote shard to connect and for each of its replies.
    public var shardTimeout: Double = 10

    /// Whether the service is a read-only front over shards (no writer: ingest, deletes and relabelling refused).
    public var isReadOnly: Bool { !shards.isEmpty }

    /// A configuration for the index at `indexPath`.
    public init(indexPath: String, host: String = "127.0.0.1", port: Int = 8080, keys: APIKeys = APIKeys()) {
        self.indexPath = indexPath
        self.host = host
        self.port = port
        self.keys = keys
    }

    /// Whether `host` names only this machine (a loopback address or `localhost`).
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    /// Refuses settings that would be unsafe: listening beyond this machine with no keys.
    public func validate() throws {
        if !keys.isEnabled && !Self.isLoopback(host) {
            throw ConfigurationError(message: """
                refusing to listen on '\(host)' without API keys: give --keys FILE, or bind 127.0.0.1
                """)
        }
        guard (0...65_535).contains(port) else { throw ConfigurationError(message: "--port must be 0...65535") }
        if let r = relabelInterval, !(r > 0) || !r.isFinite {
            throw ConfigurationError(message: "the relabelling interval must be a positive number of seconds")
        }
        if isReadOnly && (unshorten != nil || relabelInterval != nil) {
            throw ConfigurationError(message: "shards are served read-only: background unshortening and relabelling "
                                     + "run where each shard is indexed (give --no-unshorten --relabel-interval 0)")
        }
        if isReadOnly && !(shardTimeout > 0) {
            throw ConfigurationError(message: "the shard timeout must be a positive number of seconds")
        }
    }
}

/// A configuration the service refuses.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// Why.
    public var message: String
    public var description: String { message }
}
