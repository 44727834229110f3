// Starling's native post format (DESIGN.md, "Native post format"): reading a post from its JSON object and
// writing it back. This is the format the index stores and `starling analyze`/`entities` read and write.
import Foundation

/// Why a JSON value could not be read as a native post: the field at fault and what was wrong with it.
public struct PostDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field at fault (`text`, `urls[2].url`), or nil when the record itself is wrong (not an object).
    public let field: String?
    /// What was wrong, e.g. "expected string, found number".
    public let message: String

    /// Makes an error about `field` (or about the whole record when `field` is nil).
    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    /// "field 'text': expected string, found number", or just the message for record-level errors.
    public var description: String {
        if let field { return "field '\(field)': \(message)" }
        return message
    }

    static func missing(_ field: String) -> PostDecodingError {
        PostDecodingError(field: field, message: "required field is missing")
    }

    static func wrongType(_ field: String, expected: String, found: JSONValue) -> PostDecodingError {
        PostDecodingError(field: field, message: "expected \(expected), found \(found.kindName)")
    }
}

extension Post {
    /// The field names the native format gives meaning to; everything else lands in `extras`.
    public static let nativeFieldNames: Set<String> = [
        "id", "text", "author", "created_at", "platform", "lang", "reshare_of", "reply_to", "urls", "metrics",
        "hashtags", "mentions", "reshare_author", "has_media", "is_reshare",
    ]

    /// Reads a post from a native JSON object.
    ///
    /// `id` (a string, or an integer turned into its decimal string) and `text` are required. `null` counts as
    /// absent for every optional field. Unknown fields are kept in `extras`, in order.
    /// - Throws: `PostDecodingError` naming the field and what was expected.
    /// - Complexity: O(number of fields).
    public static func fromNative(_ v: JSONValue) throws(PostDecodingError) -> Post {
        guard case .object(let members) = v else {
            throw PostDecodingError(field: nil, message: "expected a JSON object, found \(v.kindName)")
        }
        var id: String?
        var text: String?
        var post = Post(id: "", text: "")
        for (key, value) in members {
            switch key {
            case "id": id = try idString(value, "id")
            case "text": text = try string(value, "text")
            case "author": post.author = try string(value, key)
            case "created_at": post.createdAt = try time(value, key)
            case "platform": post.platform = try string(value, key)
            case "lang": post.lang = try string(value, key)
            case "reshare_of": post.reshareOf = try idString(value, key)
            case "reply_to": post.replyTo = try idString(value, key)
            case "reshare_author": post.reshareAuthor = try string(value, key)
            case "urls": post.urls = try urls(value)
            case "metrics": post.metrics = try metrics(value)
            case "hashtags": post.hashtags = try strings(value, key)
            case "mentions": post.mentions = try strings(value, key)
            case "has_media": post.hasMedia = try bool(value, key) ?? false
            case "is_reshare": post.isReshare = try bool(value, key) ?? false
            default: post.extras.append((key, value))
            }
        }
        guard let id else { throw .missing("id") }
        guard !id.isEmpty else { throw PostDecodingError(field: "id", message: "must not be empty") }
        guard let text else { throw .missing("text") }
        post.id = id
        post.text = text
        return post
    }

    /// The post as a native JSON object: known fields first in the documented order, then `extras`.
    /// Absent optional fields, empty lists and false flags are omitted to keep stored posts small.
    public var nativeJSON: JSONValue {
        var o: [(String, JSONValue)] = [("id", .string(id)), ("text", .string(text))]
        o.reserveCapacity(8 + extras.count)
        if let author { o.append(("author", .string(author))) }
        if let createdAt { o.append(("created_at", .string(PostTime.iso8601(createdAt)))) }
        if let platform { o.append(("platform", .string(platform))) }
        if let lang { o.append(("lang", .string(lang))) }
        if let reshareOf { o.append(("reshare_of", .string(reshareOf))) }
        if let replyTo { o.append(("reply_to", .string(replyTo))) }
        if !urls.isEmpty {
            o.append(("urls", .array(urls.map { u in
                var pair: [(String, JSONValue)] = [("url", .string(u.url))]
                if let e = u.expanded { pair.append(("expanded", .string(e))) }
                return .object(pair)
            })))
        }
        if !metrics.isEmpty {
            o.append(("metrics", .object(Post.orderedMetricNames(metrics).map { ($0, .int(metrics[$0]!)) })))
        }
        if !hashtags.isEmpty { o.append(("hashtags", .array(hashtags.map { .string($0) }))) }
        if !mentions.isEmpty { o.append(("mentions", .array(mentions.map { .string($0) }))) }
        if let reshareAuthor { o.append(("reshare_author", .string(reshareAuthor))) }
        if hasMedia { o.append(("has_media", .bool(true))) }
        if isReshare { o.append(("is_reshare", .bool(true))) }
        // An extra that shadows a known field would make the output ambiguous; the model's value wins.
        for (k, v) in extras where !Post.nativeFieldNames.contains(k) { o.append((k, v)) }
        return .object(o)
    }

    /// The post as compact, one-line native JSON.
    public var nativeJSONText: String { nativeJSON.jsonText }

    /// Metric names in a stable order: the common ones first, the rest alphabetically.
    static func orderedMetricNames(_ metrics: [String: Int64]) -> [String] {
        let common = ["likes", "reshares", "replies", "quotes"]
        return common.filter { metrics[$0] != nil } + metrics.keys.filter { !common.contains($0) }.sorted()
    }

    // MARK: Field readers

    private static func string(_ v: JSONValue, _ field: String) throws(PostDecodingError) -> String? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        default: throw .wrongType(field, expected: "string", found: v)
        }
    }

    private static func idString(_ v: JSONValue, _ field: String) throws(PostDecodingError) -> String? {
        switch v {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        default: throw .wrongType(field, expected: "string or integer", found: v)
        }
    }

    private static func bool(_ v: JSONValue, _ field: String) throws(PostDecodingError) -> Bool? {
        switch v {
        case .null: return nil
        case .bool(let b): return b
        default: throw .wrongType(field, expected: "boolean", found: v)
        }
    }

    private static func time(_ v: JSONValue, _ field: String) throws(PostDecodingError) -> Date? {
        switch v {
        case .null: return nil
        case .string(let s):
            guard let d = PostTime.parse(s) else {
                throw PostDecodingError(field: field, message: "cannot read '\(s)' as a time (expected ISO 8601)")
            }
            return d
        case .int(let seconds): return Date(timeIntervalSince1970: TimeInterval(seconds))
        default: throw .wrongType(field, expected: "ISO 8601 string", found: v)
        }
    }

    private static func strings(_ v: JSONValue, _ field: String) throws(PostDecodingError) -> [String] {
        switch v {
        case .null: return []
        case .array(let items):
            var out: [String] = []
            out.reserveCapacity(items.count)
            for (n, item) in items.enumerated() {
                guard case .string(let s) = item else {
                    throw .wrongType("\(field)[\(n)]", expected: "string", found: item)
                }
                out.append(s)
            }
            return out
        default: throw .wrongType(field, expected: "array of strings", found: v)
        }
    }

    private static func urls(_ v: JSONValue) throws(PostDecodingError) -> [PostURL] {
        switch v {
        case .null: return []
        case .array(let items):
            var out: [PostURL] = []
            out.reserveCapacity(items.count)
            for (n, item) in items.enumerated() {
                switch item {
                case .string(let s): out.append(PostURL(url: s))
                case .object:
                    guard let u = item["url"] else { throw .missing("urls[\(n)].url") }
                    guard case .string(let url) = u else { throw .wrongType("urls[\(n)].url", expected: "string", found: u) }
                    out.append(PostURL(url: url, expanded: try string(item["expanded"] ?? .null, "urls[\(n)].expanded")))
                default:
                    throw .wrongType("urls[\(n)]", expected: "object with 'url'", found: item)
                }
            }
            return out
        default: throw .wrongType("urls", expected: "array", found: v)
        }
    }

    private static func metrics(_ v: JSONValue) throws(PostDecodingError) -> [String: Int64] {
        switch v {
        case .null: return [:]
        case .object(let members):
            var out: [String: Int64] = [:]
            for (k, m) in members {
                if m.isNull { continue }
                guard let i = m.intValue else { throw .wrongType("metrics.\(k)", expected: "integer", found: m) }
                out[k] = i
            }
            return out
        default: throw .wrongType("metrics", expected: "object of integers", found: v)
        }
    }
}
