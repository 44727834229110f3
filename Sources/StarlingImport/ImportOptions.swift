// What the caller can say about the files being imported: their format, encoding, column map and limits.
// Everything here is plain data, so one set of options can be shared by every file of an `index` run.

/// The input formats Starling reads.
public enum ImportFormat: String, Sendable, CaseIterable {
    /// Decide from the file extension, else from the keys of the first JSON record.
    case auto
    /// Starling's native NDJSON (DESIGN.md).
    case native
    /// Twitter API v1.1 tweets or API v2 pages, one per line or as a top-level array.
    case twitter
    /// Mastodon status JSON, one per line or as a top-level array.
    case mastodon
    /// Comma-separated values with RFC 4180 quoting and a header row (or a column map by number).
    case csv
    /// Tab-separated values (quotes are unwrapped within a line; a record never spans lines).
    case tsv
    /// Orange data mining `.tab` files: three header lines (names, types, flags), then tab-separated rows.
    case orange
    /// Plain text, one post per line.
    case lines
}

/// How the bytes of a file are decoded to text.
public enum TextEncoding: String, Sendable {
    /// UTF-8, validated; invalid bytes make the record an issue.
    case utf8
    /// ISO 8859-1: every byte is the code point of the same value. Never fails.
    case latin1
}

/// The options of one import.
public struct ImportOptions: Sendable {
    /// The format; `.auto` detects it per file.
    public var format: ImportFormat
    /// For csv/tsv/orange: Starling field -> column name or 1-based column number,
    /// e.g. `["id": "tweet_id", "text": "text", "author": "name"]`. Fields: `id`, `text`, `author`, `created_at`,
    /// `platform`, `lang`, `reshare_of`, `reply_to`, `reshare_author`, `is_reshare`, `has_media`,
    /// `metrics.NAME` (an integer column) and `extras.NAME` (a column kept under another name).
    public var columnMap: [String: String]
    /// How bytes are decoded.
    public var encoding: TextEncoding
    /// The largest record accepted; bigger ones are reported and skipped without being loaded.
    public var maxRecordBytes: Int
    /// For csv/tsv: whether the first row is a header; nil guesses (a header unless the map uses only numbers and
    /// the first row holds a number).
    public var hasHeader: Bool?
    /// For formats without ids (lines, orange, csv without an id column): ids are `prefix-LINE`.
    /// Defaults to the file's stem for lines and orange; csv needs it (or an id column).
    public var idPrefix: String?
    /// The platform to record for posts whose input does not say (csv, lines, native without `platform`).
    public var platform: String?

    /// Makes options; every parameter has the usual default.
    public init(
        format: ImportFormat = .auto, columnMap: [String: String] = [:], encoding: TextEncoding = .utf8,
        maxRecordBytes: Int = 1 << 20, hasHeader: Bool? = nil, idPrefix: String? = nil, platform: String? = nil
    ) {
        precondition(maxRecordBytes > 0, "maxRecordBytes must be positive")
        self.format = format
        self.columnMap = columnMap
        self.encoding = encoding
        self.maxRecordBytes = maxRecordBytes
        self.hasHeader = hasHeader
        self.idPrefix = idPrefix
        self.platform = platform
    }

    /// Parses a column map written as `id=tweet_id,text=text,author=3` (as the CLI's `--map` takes it).
    /// - Throws: `ImportError` when an entry has no `=` or an empty side.
    public static func parseColumnMap(_ spec: String) throws(ImportError) -> [String: String] {
        var map: [String: String] = [:]
        for entry in spec.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1)
            let key = parts.first.map { String($0).trimmed } ?? ""
            let value = parts.count == 2 ? String(parts[1]).trimmed : ""
            guard parts.count == 2, !key.isEmpty, !value.isEmpty else {
                throw ImportError(file: "--map", message: "entry '\(entry)' is not FIELD=COLUMN (e.g. text=tweet_text or text=6)")
            }
            map[key] = value
        }
        return map
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    /// - Complexity: O(length of the trimmed ends); works on UTF-8 bytes, not Characters, as it runs per field.
    var trimmed: String {
        let u = utf8
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        guard let first = u.first, let last = u.last, isSpace(first) || isSpace(last) else { return self }
        var lo = u.startIndex, hi = u.endIndex
        while lo < hi, isSpace(u[lo]) { lo = u.index(after: lo) }
        while hi > lo, isSpace(u[u.index(before: hi)]) { hi = u.index(before: hi) }
        return String(self[lo..<hi])
    }
}
