// Telling formats apart: tables and text by file extension, JSON by the keys of the first record. When the
// evidence points two ways the user is asked to choose, never guessed for: a wrong guess silently mangles posts.
import StarlingModel

enum FormatDetection {
    /// The format a file extension implies (`.tab` is Orange when its second line lists Orange types).
    static func byExtension(path: String, prefix: [UInt8]) -> ImportFormat? {
        guard path != "-", let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        switch path[path.index(after: dot)...].lowercased() {
        case "csv": return .csv
        case "tsv": return .tsv
        case "tab": return looksLikeOrange(prefix) ? .orange : .tsv
        case "txt", "text": return .lines
        default: return nil
        }
    }

    /// Whether the second line of the file is an Orange types row (`discrete`, `continuous`, `string`, `time`...).
    static func looksLikeOrange(_ prefix: [UInt8]) -> Bool {
        let lines = prefix.split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false)
        guard lines.count >= 2 else { return false }
        let types: Set<String> = ["discrete", "continuous", "string", "time", "d", "c", "s", "t"]
        let fields = String(decoding: lines[1], as: UTF8.self).trimmed.split(separator: "\t").map { String($0).trimmed }
        return !fields.isEmpty && fields.allSatisfy { types.contains($0) || $0.isEmpty }
    }

    /// How a JSON file is laid out: one top-level array, pretty-printed values, or one value per line.
    /// A first line that ends in `{` or `[` can only be the start of a multi-line value.
    static func jsonFraming(_ prefix: [UInt8]) -> RecordFraming {
        let isSpace = { (c: UInt8) in c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        guard let start = prefix.firstIndex(where: { !isSpace($0) }) else { return .lines }
        if prefix[start] == 0x5B { return .jsonArray }
        let lineEnd = prefix[start...].firstIndex(of: 0x0A) ?? prefix.endIndex
        guard let last = prefix[start..<lineEnd].lastIndex(where: { !isSpace($0) }) else { return .lines }
        return prefix[last] == 0x7B || prefix[last] == 0x5B ? .jsonValues : .lines
    }

    /// The record's JSON object (or the first object of an array), if it parses.
    static func firstObject(_ bytes: [UInt8], encoding: TextEncoding) -> JSONValue? {
        let utf8 = encoding == .latin1 ? TextDecoding.latin1ToUTF8(bytes) : bytes
        guard let value = try? JSONParser.parse(utf8) else { return nil }
        switch value {
        case .object: return value
        case .array(let items): return items.first { $0.objectValue != nil }
        default: return nil
        }
    }

    /// Keys only Twitter's API writes (v1.1 and v2).
    static let twitterKeys: Set<String> = [
        "id_str", "user", "full_text", "extended_tweet", "retweeted_status", "in_reply_to_status_id_str",
        "favorite_count", "author_id", "public_metrics", "edit_history_tweet_ids", "referenced_tweets",
        "data", "includes", "statuses",
    ]
    /// Keys only Mastodon's API writes.
    static let mastodonKeys: Set<String> = [
        "content", "account", "reblog", "favourites_count", "reblogs_count", "media_attachments", "spoiler_text",
        "visibility", "uri",
    ]
    /// Keys only Starling's native format writes.
    static let nativeKeys: Set<String> = [
        "author", "platform", "reshare_of", "reply_to", "reshare_author", "is_reshare", "has_media", "urls", "metrics",
    ]

    /// Native keys that no platform API writes at the top level of a post.
    static let strongNativeKeys: Set<String> = ["platform", "reshare_of", "reply_to", "reshare_author", "is_reshare", "has_media"]

    /// The format of a JSON record, by its keys.
    /// - Throws: `ImportError` listing the candidates when the keys fit several formats or none.
    static func jsonFormat(of object: JSONValue, file: String) throws(ImportError) -> ImportFormat {
        let keys = (object.objectValue ?? []).map(\.0)
        let keySet = Set(keys)
        // Neither API writes these at the top level; a native post converted from a platform keeps platform
        // fields (Mastodon's `spoiler_text`) as extras, so these decide.
        if !keySet.isDisjoint(with: strongNativeKeys) && keySet.contains("id") && keySet.contains("text") { return .native }
        var candidates: [(ImportFormat, [String])] = []
        let twitter = keys.filter { twitterKeys.contains($0) }
        let mastodon = keys.filter { mastodonKeys.contains($0) }
        let native = keys.filter { nativeKeys.contains($0) }
        if !twitter.isEmpty { candidates.append((.twitter, twitter)) }
        if !mastodon.isEmpty { candidates.append((.mastodon, mastodon)) }
        if !native.isEmpty || (candidates.isEmpty && keySet.contains("id") && keySet.contains("text")) {
            candidates.append((.native, native.isEmpty ? ["id", "text"] : native))
        }
        if candidates.count == 1 { return candidates[0].0 }
        let shown = keys.prefix(12).joined(separator: ", ") + (keys.count > 12 ? ", ..." : "")
        if candidates.isEmpty {
            throw ImportError(file: file, message: "cannot detect the format: the first record's keys (\(shown)) fit "
                + "none of native (id, text), twitter (id_str, user, data...) or mastodon (content, account...); "
                + "use --format native|twitter|mastodon")
        }
        let list = candidates.map { "\($0.0.rawValue) (by \($0.1.prefix(3).joined(separator: ", ")))" }
        throw ImportError(file: file, message: "ambiguous format: the first record could be "
            + list.joined(separator: " or ") + "; choose with --format "
            + candidates.map(\.0.rawValue).joined(separator: "|"))
    }
}
