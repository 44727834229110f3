// API keys and their roles, read from a key file.
//
// The key file: one key a line, `ROLE KEY [NAME...]`, where ROLE is `read`, `write` or `admin`, KEY is at least
// 16 characters of letters, digits, `-`, `_` or `.`, and NAME is a free-text label for logs. Blank lines and lines
// starting with `#` are ignored. Example:
//
//     # role  key                               name
//     read    r-9f3c2a7e51d04b6c8e2f            dashboard
//     write   w-0c1d2e3f4a5b6c7d8e9f            firehose ingester
//     admin   a-77aa88bb99cc00dd11ee            privacy team
//
// Clients send `Authorization: Bearer KEY` (or `X-API-Key: KEY`). Roles nest: admin can do what write can, write
// what read can.
import Foundation

/// What a key may do. Ordered: each role includes the ones before it.
public enum Role: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// Search, facets, histograms, get, similar, duplicates, clusters, analyze, stats, metrics.
    case read
    /// Read, plus ingest and delete single posts.
    case write
    /// Write, plus deleting every post of an author (data-subject requests).
    case admin

    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }

    /// `read`, `write` or `admin`.
    public var description: String {
        switch self {
        case .read: return "read"
        case .write: return "write"
        case .admin: return "admin"
        }
    }

    /// The role named `name`, if any.
    public init?(name: String) {
        guard let r = Role.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = r
    }
}

/// One key of the key file.
public struct APIKey: Sendable {
    /// The secret.
    public var key: String
    /// What it may do.
    public var role: Role
    /// A label for logs.
    public var name: String
}

/// A problem in the key file, with its line.
public struct KeyFileError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// 1-based line (0 for the file as a whole).
    public var line: Int
    /// What is wrong.
    public var message: String
    public var description: String { line > 0 ? "\(path):\(line): \(message)" : "\(path): \(message)" }
}

/// The keys the service accepts. Empty means no authentication (allowed on loopback only).
public struct APIKeys: Sendable {
    /// The keys.
    public private(set) var keys: [APIKey]

    /// No keys.
    public init() { keys = [] }

    /// Keys given directly (tests).
    public init(_ keys: [APIKey]) { self.keys = keys }

    /// Whether any key is configured (then every request but health and the OpenAPI document needs one).
    public var isEnabled: Bool { !keys.isEmpty }

    /// Minimum length of a key.
    public static let minimumLength = 16

    /// Parses a key file's text; `path` names it in errors.
    public static func parse(_ text: String, path: String = "keys") throws -> APIKeys {
        var keys: [APIKey] = []
        var seen = Set<String>()
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else {
                throw KeyFileError(path: path, line: n + 1, message: "expected 'ROLE KEY [NAME]'")
            }
            guard let role = Role(name: String(fields[0])) else {
                throw KeyFileError(path: path, line: n + 1, message: "unknown role '\(fields[0])' (read, write or admin)")
            }
            let key = String(fields[1])
            guard key.count >= minimumLength else {
                throw KeyFileError(path: path, line: n + 1, message: "a key needs at least \(minimumLength) characters")
            }
            guard key.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.".unicodeScalars.contains($0) }) else {
                throw KeyFileError(path: path, line: n + 1, message: "a key may hold letters, digits, '-', '_' and '.' only")
            }
            guard seen.insert(key).inserted else {
                throw KeyFileError(path: path, line: n + 1, message: "this key appears twice")
            }
            let name = fields.dropFirst(2).joined(separator: " ")
            keys.append(APIKey(key: key, role: role, name: name.isEmpty ? "line \(n + 1)" : name))
        }
        return APIKeys(keys)
    }

    /// Reads a key file. A file with no keys is an error (it would silently turn authentication off).
    public static func load(path: String) throws -> APIKeys {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw KeyFileError(path: path, line: 0, message: "cannot read the key file")
        }
        let keys = try parse(text, path: path)
        if keys.keys.isEmpty { throw KeyFileError(path: path, line: 0, message: "the key file holds no keys") }
        return keys
    }

    /// The key matching `presented`, compared in constant time per key so timing does not reveal prefixes.
    public func lookup(_ presented: String) -> APIKey? {
        let p = Array(presented.utf8)
        var found: APIKey?
        for k in keys {
            let a = Array(k.key.utf8)
            var diff = UInt8(a.count == p.count ? 0 : 1)
            for i in 0..<a.count { diff |= a[i] ^ (i < p.count ? p[i] : 0) }
            if diff == 0 { found = k }
        }
        return found
    }
}
