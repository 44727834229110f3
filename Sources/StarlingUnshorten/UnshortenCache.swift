// The persistent cache of resolved links: an append-only NDJSON file (one resolution a line) inside the index
// folder, loaded at start. Each link is resolved once, failures included, also across runs; a later line for the
// same link (a retried failure) wins. Appends are single write(2) calls, so a crash leaves at most one torn last
// line, which the next load skips.
import Foundation
import StarlingModel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolved links by URL, backed by a file.
public final class UnshortenCache: @unchecked Sendable {
    /// The cache file's name inside an index folder.
    public static let fileName = "unshorten-cache.jsonl"

    /// The file.
    public let path: String
    /// Lines of the file that could not be read (torn or edited by hand); they are ignored.
    public private(set) var skippedLines = 0

    private let lock = NSLock()
    private var entries: [String: Resolution] = [:]
    private var fd: Int32 = -1

    /// The cache of the index at `indexPath`.
    public convenience init(indexPath: String) throws {
        try self.init(path: URL(fileURLWithPath: indexPath).appendingPathComponent(Self.fileName).path)
    }

    /// Loads `path` (a missing file is an empty cache) and opens it for appending.
    public init(path: String) throws {
        self.path = path
        var text = ""
        if FileManager.default.fileExists(atPath: path) {
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw UnshortenError.cache(path: path, detail: "\(error)")
            }
        }
        for line in text.split(separator: "\n") where !line.isEmpty {
            if let r = Self.decode(String(line)) { entries[r.url] = r } else { skippedLines += 1 }
        }
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw UnshortenError.cache(path: path, detail: String(cString: strerror(errno))) }
        // A torn last line must not swallow the next record.
        if !text.isEmpty && !text.hasSuffix("\n") { try append("\n") }
    }

    deinit { if fd >= 0 { _ = Glibc_close(fd) } }

    /// Entries held.
    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return entries.count
    }

    /// The cached resolution of `url`.
    public func lookup(_ url: String) -> Resolution? {
        lock.lock(); defer { lock.unlock() }
        return entries[url]
    }

    /// Stores `resolution` in memory and appends it to the file. Thread-safe.
    public func record(_ resolution: Resolution) throws {
        let line = Self.encode(resolution) + "\n"
        lock.lock(); defer { lock.unlock() }
        entries[resolution.url] = resolution
        try append(line)
    }

    private func append(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            throw UnshortenError.cache(path: path, detail: written < 0 ? String(cString: strerror(errno)) : "short write")
        }
    }

    /// One line: `{"url","final","hops","status","reason","detail","at"}` (`final`, `status`, `reason` may be null).
    static func encode(_ r: Resolution) -> String {
        JSONValue.object([
            ("url", .string(r.url)),
            ("final", r.final.map(JSONValue.string) ?? .null),
            ("hops", .int(Int64(r.hops))),
            ("status", r.status.map { .int(Int64($0)) } ?? .null),
            ("reason", r.failure.map { .string($0.reason.rawValue) } ?? .null),
            ("detail", .string(r.failure?.detail ?? "")),
            ("at", .string(PostTime.iso8601(Date()))),
        ]).jsonText
    }

    static func decode(_ line: String) -> Resolution? {
        guard let v = try? JSONParser.parse(line), let url = v["url"]?.stringValue else { return nil }
        var failure: UnshortenFailure?
        if let reason = v["reason"]?.stringValue {
            // An unknown reason (a newer Starling wrote it) still counts as a failure.
            failure = UnshortenFailure(UnshortenFailure.Reason(rawValue: reason) ?? .network, v["detail"]?.stringValue ?? "")
        }
        let final = v["final"]?.stringValue
        guard failure != nil || final != nil else { return nil }
        return Resolution(url: url, final: failure == nil ? final : nil, hops: Int(v["hops"]?.intValue ?? 0),
                          status: v["status"]?.intValue.map { Int($0) }, failure: failure)
    }
}

@inline(__always)
private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
