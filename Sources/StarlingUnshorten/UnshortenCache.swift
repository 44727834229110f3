// The persistent cache of resolved links: an append-only NDJSON file (one resolution a line) inside the index
// folder, loaded at start. Each link is resolved once, failures included, also across runs; a later line for the
// same link (a retried failure) wins. Failures that say nothing about the link itself (a timeout, a name that did
// not resolve, a network error: the machine may simply have been offline) are retried after a back-off that
// doubles with each attempt, from `firstRetry` up to `longestRetry`; the others (404, loops, refused addresses)
// stand. Appends are single write(2) calls, so a crash leaves at most one torn last
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
    private var entries: [String: Entry] = [:]

    /// A resolution, when it was recorded, and how many failed attempts in a row it is.
    private struct Entry {
        var resolution: Resolution
        var at: Date
        var attempts: Int
    }

    /// The first wait before a transient failure is tried again; each further failure doubles it.
    public static let firstRetry: TimeInterval = 600
    /// The longest wait between tries of a transient failure.
    public static let longestRetry: TimeInterval = 86_400

    /// Whether a failure may go away by itself (and so is tried again later).
    public static func isTransient(_ reason: UnshortenFailure.Reason) -> Bool {
        reason == .timeout || reason == .dns || reason == .network
    }
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
            if let e = Self.decode(String(line)) { entries[e.resolution.url] = e } else { skippedLines += 1 }
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

    /// The cached resolution of `url`; nil when there is none, or when it is a transient failure whose back-off
    /// has run out at `now` (the link is then due to be tried again).
    public func lookup(_ url: String, now: Date = Date()) -> Resolution? {
        lock.lock(); defer { lock.unlock() }
        guard let e = entries[url] else { return nil }
        if let f = e.resolution.failure, Self.isTransient(f.reason),
           now.timeIntervalSince(e.at) >= Self.backoff(attempts: e.attempts)
        {
            return nil
        }
        return e.resolution
    }

    /// The wait after `attempts` failed tries in a row.
    static func backoff(attempts: Int) -> TimeInterval {
        min(longestRetry, firstRetry * pow(2, Double(max(0, attempts - 1))))
    }

    /// Stores `resolution` in memory and appends it to the file. Thread-safe.
    public func record(_ resolution: Resolution, now: Date = Date()) throws {
        lock.lock(); defer { lock.unlock() }
        var attempts = 0
        if resolution.failure != nil {
            attempts = 1 + (entries[resolution.url].flatMap { $0.resolution.failure == nil ? nil : $0.attempts } ?? 0)
        }
        let e = Entry(resolution: resolution, at: now, attempts: attempts)
        entries[resolution.url] = e
        try append(Self.encode(e) + "\n")
    }

    private func append(_ text: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            throw UnshortenError.cache(path: path, detail: written < 0 ? String(cString: strerror(errno)) : "short write")
        }
    }

    /// One line: `{"url","final","hops","status","reason","detail","at","attempts"}` (`final`, `status`, `reason`
    /// may be null; `attempts` counts failures in a row).
    private static func encode(_ e: Entry) -> String {
        let r = e.resolution
        return JSONValue.object([
            ("url", .string(r.url)),
            ("final", r.final.map(JSONValue.string) ?? .null),
            ("hops", .int(Int64(r.hops))),
            ("status", r.status.map { .int(Int64($0)) } ?? .null),
            ("reason", r.failure.map { .string($0.reason.rawValue) } ?? .null),
            ("detail", .string(r.failure?.detail ?? "")),
            ("at", .string(PostTime.iso8601(e.at))),
            ("attempts", .int(Int64(e.attempts))),
        ]).jsonText
    }

    private static func decode(_ line: String) -> Entry? {
        guard let v = try? JSONParser.parse(line), let url = v["url"]?.stringValue else { return nil }
        var failure: UnshortenFailure?
        if let reason = v["reason"]?.stringValue {
            // An unknown reason (a newer Starling wrote it) still counts as a failure.
            failure = UnshortenFailure(UnshortenFailure.Reason(rawValue: reason) ?? .network, v["detail"]?.stringValue ?? "")
        }
        let final = v["final"]?.stringValue
        guard failure != nil || final != nil else { return nil }
        let r = Resolution(url: url, final: failure == nil ? final : nil, hops: Int(v["hops"]?.intValue ?? 0),
                           status: v["status"]?.intValue.map { Int($0) }, failure: failure)
        // Lines written before attempts were counted say nothing: one attempt, and an unreadable time is old.
        let at = v["at"]?.stringValue.flatMap { PostTime.parse($0) } ?? Date(timeIntervalSince1970: 0)
        let attempts = failure == nil ? 0 : Int(v["attempts"]?.intValue ?? 1)
        return Entry(resolution: r, at: at, attempts: max(attempts, failure == nil ? 0 : 1))
    }
}

@inline(__always)
private func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }
