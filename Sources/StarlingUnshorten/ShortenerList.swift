// Which hosts are link shorteners (analyzers/url/shorteners.txt): a link there is only a pointer worth following.
import Foundation
import StarlingAnalysis

/// A set of shortener domains; a host matches a listed domain or any subdomain of one.
public struct ShortenerList: Sendable {
    /// The listed domains, lower case.
    public let domains: Set<String>

    /// A list of the given domains (case and a trailing dot do not matter).
    public init<S: Sequence>(domains: S) where S.Element == String {
        var set = Set<String>()
        for d in domains {
            var l = d.trimmingCharacters(in: .whitespaces).lowercased()
            while l.hasSuffix(".") { l.removeLast() }
            if !l.isEmpty { set.insert(l) }
        }
        self.domains = set
    }

    /// Reads a list file: one domain a line, `#` comments and blank lines ignored.
    public init(contentsOf url: URL) throws {
        self.init(domains: try AnalyzerConfiguration.readList(url))
    }

    /// analyzers/url/shorteners.txt, found like the analyser's other tables.
    public static func standard() throws -> ShortenerList {
        guard let folder = AnalyzerConfiguration.locateAnalyzersFolder() else {
            throw UnshortenError.setup("cannot find the analyzers/ folder (set STARLING_ANALYZERS, or run from the Starling checkout)")
        }
        let file = folder.appendingPathComponent("url/shorteners.txt")
        do { return try ShortenerList(contentsOf: file) } catch {
            throw UnshortenError.setup("cannot read \(file.path): \(error)")
        }
    }

    /// Whether `host` (without port) is a listed domain or a subdomain of one.
    ///
    /// - Complexity: O(labels of `host`).
    public func contains(host: String) -> Bool {
        var h = Substring(host.lowercased())
        while h.hasSuffix(".") { h = h.dropLast() }
        while true {
            if domains.contains(String(h)) { return true }
            guard let dot = h.firstIndex(of: ".") else { return false }
            h = h[h.index(after: dot)...]
        }
    }

    /// Whether the URL's host is a shortener (`scheme://[user@]host[:port]/...`).
    public func contains(url: String) -> Bool {
        guard let host = Self.host(of: url) else { return false }
        return contains(host: host)
    }

    /// The host of an absolute URL (lower case, no port, brackets kept off IPv6 literals), or nil.
    static func host(of url: String) -> String? {
        guard let r = url.range(of: "://") else { return nil }
        var rest = url[r.upperBound...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            return String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        }
        if let colon = rest.lastIndex(of: ":") { rest = rest[..<colon] }
        return rest.isEmpty ? nil : rest.lowercased()
    }
}

/// Errors of the unshortening machinery that stop a run (a URL that cannot be resolved is not one: it is a
/// ``UnshortenFailure`` recorded in the cache).
public enum UnshortenError: Error, CustomStringConvertible, Sendable {
    /// Missing or unreadable configuration.
    case setup(String)
    /// The cache file cannot be read or written.
    case cache(path: String, detail: String)

    public var description: String {
        switch self {
        case .setup(let m): return m
        case .cache(let path, let detail): return "unshorten cache \(path): \(detail)"
        }
    }
}
