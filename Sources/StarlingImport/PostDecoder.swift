// Turning raw records into posts. The decoder is a plain Sendable value with everything resolved up front
// (format, column layout, id prefix), so the CLI can read records on one thread and decode them on several.
import StarlingModel

/// Decodes the raw records of one file into posts. Thread-safe: share it across decoding threads freely.
public struct PostDecoder: Sendable {
    /// The format records are decoded as (never `.auto`).
    public let format: ImportFormat
    let encoding: TextEncoding
    let platform: String?
    /// Prefix of ids made up from line numbers (lines, orange, tables without an id column).
    let idPrefix: String?
    /// The table layout, for csv/tsv/orange (nil for an empty table file).
    let layout: TableLayout?

    init(format: ImportFormat, encoding: TextEncoding, platform: String?, idPrefix: String?, layout: TableLayout?) {
        precondition(format != .auto, "a decoder needs a resolved format")
        self.format = format
        self.encoding = encoding
        self.platform = platform
        self.idPrefix = idPrefix
        self.layout = layout
    }

    /// A decoder for a format that needs no header: native, twitter, mastodon or lines (e.g. for posts that
    /// arrive one at a time rather than in a file). Tables need their header: read them with `ImportStream`.
    public init(format: ImportFormat, options: ImportOptions = ImportOptions()) {
        precondition([.native, .twitter, .mastodon, .lines].contains(format),
                     "PostDecoder(format:) is for native, twitter, mastodon and lines; tables need ImportStream")
        self.init(format: format, encoding: options.encoding, platform: options.platform,
                  idPrefix: options.idPrefix ?? "line", layout: nil)
    }

    /// The posts of one record: usually one; none for a blank line or an empty API page; many for a Twitter v2
    /// page or a JSON array on one line. Each post that cannot be read is an issue with the record's line.
    /// - Complexity: O(record length).
    public func decode(_ r: RawRecord, file: String) -> [Result<Post, ImportIssue>] {
        switch format {
        case .native, .twitter, .mastodon:
            return decodeJSON(r, file: file)
        case .csv, .tsv, .orange:
            guard let layout else { return [.failure(ImportIssue(file: file, line: r.line, reason: "the table has no header"))] }
            return [decodeRow(r, layout: layout, file: file)]
        case .lines:
            return decodeLine(r, file: file)
        case .auto:
            preconditionFailure("unreachable: the format is resolved at init")
        }
    }

    /// The id of a record without one of its own: `prefix-LINE` (no dash when the prefix already ends in one).
    func lineID(_ line: Int) -> String {
        let prefix = idPrefix ?? "line"
        if let last = prefix.last, "-_:/.#".contains(last) { return prefix + String(line) }
        return prefix + "-" + String(line)
    }

    private func decodeLine(_ r: RawRecord, file: String) -> [Result<Post, ImportIssue>] {
        switch TextDecoding.utf8Bytes(r.bytes, encoding: encoding) {
        case .failure(let p):
            return [.failure(ImportIssue(file: file, line: r.line, reason: p.reason))]
        case .success(let bytes):
            let text = String(decoding: bytes, as: UTF8.self).trimmed
            if text.isEmpty { return [] }
            let written = platform == TwitterFormat.platform ? TwitterFormat.unescape(text) : text
            return [.success(Post(id: lineID(r.line), text: written, platform: platform))]
        }
    }

    private func decodeJSON(_ r: RawRecord, file: String) -> [Result<Post, ImportIssue>] {
        func issue(_ reason: String) -> Result<Post, ImportIssue> { .failure(ImportIssue(file: file, line: r.line, reason: reason)) }
        let value: JSONValue
        do {
            let bytes = encoding == .latin1 ? TextDecoding.latin1ToUTF8(r.bytes) : r.bytes
            value = try JSONParser.parse(bytes)
        } catch {
            switch error.kind {
            case .invalidUTF8: return [issue(TextDecoding.invalidUTF8Reason(at: error.offset))]
            case .syntax, .tooDeep: return [issue("malformed JSON: \(error.message) at byte \(error.offset)")]
            }
        }
        // A line may hold an array of records; treat its elements as if they came one per line.
        let items: [JSONValue]
        if case .array(let elements) = value { items = elements } else { items = [value] }
        var out: [Result<Post, ImportIssue>] = []
        out.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            let where_ = items.count > 1 || value.arrayValue != nil ? "[\(n)] " : ""
            switch format {
            case .native:
                do {
                    var post = try Post.fromNative(item)
                    if post.platform == nil { post.platform = platform }
                    out.append(.success(post))
                } catch {
                    out.append(issue(where_ + error.description))
                }
            case .twitter:
                for result in TwitterFormat.posts(from: item) {
                    out.append(result.mapError { ImportIssue(file: file, line: r.line, reason: where_ + $0.reason) })
                }
            case .mastodon:
                out.append(MastodonFormat.post(from: item).mapError {
                    ImportIssue(file: file, line: r.line, reason: where_ + $0.reason)
                })
            default:
                preconditionFailure("not a JSON format")
            }
        }
        return out
    }
}
