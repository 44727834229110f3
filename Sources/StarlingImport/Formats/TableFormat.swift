// Tables (CSV, TSV, Orange .tab) to posts: which column feeds which post field, resolved once from the
// header and the user's column map, then applied to every row.
import Foundation
import StarlingModel

/// Where each column of a table goes.
struct TableLayout: Sendable {
    /// A post field a column can feed.
    enum Target: Sendable, Equatable {
        case id, text, author, createdAt, platform, lang, reshareOf, replyTo, reshareAuthor, isReshare, hasMedia
        case metric(String)
        case extra(String)
    }

    /// `,` or tab.
    let separator: UInt8
    /// The target of each column, by position.
    let targets: [Target]
    /// The column names (from the header, else `column1`...), for messages.
    let names: [String]
    /// How many fields a row must have, when the header says.
    let expectedFieldCount: Int?

    var hasIDColumn: Bool { targets.contains(.id) }

    /// Field names a column map may use, with the targets they stand for.
    static let fieldNames: [(String, Target)] = [
        ("id", .id), ("text", .text), ("author", .author), ("created_at", .createdAt), ("platform", .platform),
        ("lang", .lang), ("reshare_of", .reshareOf), ("reply_to", .replyTo), ("reshare_author", .reshareAuthor),
        ("is_reshare", .isReshare), ("has_media", .hasMedia),
    ]

    /// Header names recognised without a map, best first (compared after lower-casing and turning spaces and
    /// dashes into underscores, so Orange's `Is retweet` is `is_retweet`).
    static let aliases: [(Target, [String])] = [
        (.id, ["id", "id_str", "tweet_id", "status_id", "post_id", "tweetid"]),
        (.text, ["text", "full_text", "content", "tweet", "tweet_text", "body", "message"]),
        (.author, ["author", "screen_name", "username", "user_screen_name", "user", "handle", "user_name", "name"]),
        (.createdAt, ["created_at", "date", "created", "time", "timestamp", "tweet_created", "datetime", "posted_at"]),
        (.lang, ["lang", "language"]),
        (.platform, ["platform"]),
        (.reshareOf, ["reshare_of", "retweet_of", "retweeted_status_id", "retweet_id"]),
        (.replyTo, ["reply_to", "in_reply_to_status_id", "in_reply_to"]),
        (.reshareAuthor, ["reshare_author", "original_author", "retweet_author", "retweeted_user"]),
        (.isReshare, ["is_reshare", "is_retweet"]),
        (.hasMedia, ["has_media"]),
        (.metric("likes"), ["likes", "favorite_count", "like_count", "favourites_count", "favorites"]),
        (.metric("reshares"), ["reshares", "retweet_count", "retweets", "reblogs_count"]),
        (.metric("replies"), ["replies", "reply_count", "replies_count"]),
        (.metric("quotes"), ["quotes", "quote_count"]),
    ]

    static func normalise(_ name: String) -> String {
        String(name.trimmed.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
    }

    /// Resolves the layout of a table.
    /// - Parameters:
    ///   - header: the header's column names, or nil for a header-less file.
    ///   - columnCount: how many columns the file has (the header's, or the first row's).
    ///   - map: the user's column map (field -> column name or 1-based number).
    ///   - idPrefix: whether ids may be made up from line numbers when no column holds them.
    /// - Throws: `ImportError` when the map names an unknown field or column, or no column holds the text (or the
    ///   id, without a prefix).
    static func resolve(header: [String]?, columnCount: Int, map: [String: String], idPrefix: String?,
                        separator: UInt8, file: String) throws(ImportError) -> TableLayout {
        let count = max(columnCount, header?.count ?? 0)
        var names = (0..<count).map { "column\($0 + 1)" }
        for (i, name) in (header ?? []).enumerated() where !name.trimmed.isEmpty { names[i] = name.trimmed }
        var targets = [Target?](repeating: nil, count: count)
        let columnList = names.enumerated().map { "\($0.offset + 1):\($0.element)" }.joined(separator: ", ")

        for (field, column) in map.sorted(by: { $0.key < $1.key }) {
            let target: Target
            if let known = fieldNames.first(where: { $0.0 == field }) {
                target = known.1
            } else if field.hasPrefix("metrics."), field.count > 8 {
                target = .metric(String(field.dropFirst(8)))
            } else if field.hasPrefix("extras."), field.count > 7 {
                target = .extra(String(field.dropFirst(7)))
            } else {
                throw ImportError(file: file, message: "unknown field '\(field)' in the column map (known: "
                    + fieldNames.map(\.0).joined(separator: ", ") + ", metrics.NAME, extras.NAME)")
            }
            let index: Int
            if let n = Int(column) {
                guard (1...max(count, 1)).contains(n), n <= count else {
                    throw ImportError(file: file, message: "column \(n) for '\(field)' is out of range: the file has \(count) columns")
                }
                index = n - 1
            } else {
                guard header != nil else {
                    throw ImportError(file: file, message: "the column map names column '\(column)' but the file has no "
                        + "header row; use column numbers (e.g. \(field)=2) or --header")
                }
                let wanted = normalise(column)
                guard let i = names.firstIndex(where: { normalise($0) == wanted }) else {
                    throw ImportError(file: file, message: "no column named '\(column)' for '\(field)'; columns: \(columnList)")
                }
                index = i
            }
            if let taken = targets[index] {
                throw ImportError(file: file, message: "column \(index + 1) ('\(names[index])') is mapped twice "
                    + "(to '\(field)' and to \(taken))")
            }
            targets[index] = target
        }
        if let header {
            let normalised = header.map(normalise)
            for (target, candidates) in aliases where !targets.contains(target) {
                for alias in candidates {
                    if let i = normalised.indices.first(where: { normalised[$0] == alias && targets[$0] == nil }) {
                        targets[i] = target
                        break
                    }
                }
            }
        }
        let resolved = targets.enumerated().map { $0.element ?? .extra(names[$0.offset]) }
        guard resolved.contains(.text) else {
            throw ImportError(file: file, message: "no text column found (columns: \(columnList)); "
                + "map one with --map text=COLUMN (a name or a 1-based number)")
        }
        guard resolved.contains(.id) || idPrefix != nil else {
            throw ImportError(file: file, message: "no id column found (columns: \(columnList)); map one with "
                + "--map id=COLUMN, or give --id-prefix to number the records by line")
        }
        return TableLayout(separator: separator, targets: resolved, names: names,
                           expectedFieldCount: header?.count)
    }
}

/// Splits table rows into fields.
enum TableFields {
    /// The fields of a row. A field that starts with `"` is quoted RFC 4180 style (`""` is a quote); text after
    /// the closing quote is kept, as most readers do. A quote that never closes leaves the field as written.
    /// - Complexity: O(n) in the row length.
    static func split(_ row: [UInt8], separator: UInt8) -> [ArraySlice<UInt8>] {
        var fields: [ArraySlice<UInt8>] = []
        var i = 0
        let n = row.count
        while true {
            if i < n, row[i] == 0x22, let (field, next) = quoted(row, from: i, separator: separator) {
                fields.append(field)
                i = next
            } else {
                var k = i
                while k < n, row[k] != separator { k += 1 }
                fields.append(row[i..<k])
                i = k
            }
            if i >= n { break }
            i += 1  // the separator
            if i == n { fields.append([]); break }
        }
        return fields
    }

    private static func quoted(_ row: [UInt8], from start: Int, separator: UInt8) -> (ArraySlice<UInt8>, Int)? {
        var out: [UInt8] = []
        var i = start + 1
        let n = row.count
        while i < n {
            if row[i] == 0x22 {
                if i + 1 < n, row[i + 1] == 0x22 {
                    out.append(0x22)
                    i += 2
                    continue
                }
                i += 1
                // Text after the closing quote (`"quoted"tail`) is kept as it stands.
                while i < n, row[i] != separator { out.append(row[i]); i += 1 }
                return (out[...], i)
            }
            out.append(row[i])
            i += 1
        }
        return nil
    }
}

extension PostDecoder {
    /// The post of one table row.
    func decodeRow(_ r: RawRecord, layout: TableLayout, file: String) -> Result<Post, ImportIssue> {
        func issue(_ reason: String) -> Result<Post, ImportIssue> { .failure(ImportIssue(file: file, line: r.line, reason: reason)) }
        let bytes: [UInt8]
        switch TextDecoding.utf8Bytes(r.bytes, encoding: encoding) {
        case .success(let b): bytes = b
        case .failure(let p): return issue(p.reason)
        }
        let fields = TableFields.split(bytes, separator: layout.separator)
        if let expected = layout.expectedFieldCount, fields.count != expected {
            return issue("row has \(fields.count) fields but the header has \(expected)"
                + (fields.count < expected ? " (a stray quote or a missing separator?)" : ""))
        }
        var post = Post(id: "", text: "")
        var id: String?
        var text: String?
        for (i, raw) in fields.enumerated() {
            let value = raw.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
            let target = i < layout.targets.count ? layout.targets[i] : .extra("column\(i + 1)")
            let trimmed = value.trimmed
            if trimmed.isEmpty, target != .text, target != .id { continue }
            switch target {
            case .id: id = trimmed
            case .text: text = trimmed
            case .author: post.author = trimmed.hasPrefix("@") ? String(trimmed.dropFirst()) : trimmed
            case .createdAt:
                if let d = PostTime.parse(trimmed) { post.createdAt = d } else { post.extras.append((layout.names[i], .string(value))) }
            case .platform: post.platform = trimmed
            case .lang: post.lang = trimmed == "und" ? nil : trimmed
            case .reshareOf: post.reshareOf = trimmed
            case .replyTo: post.replyTo = trimmed
            case .reshareAuthor: post.reshareAuthor = trimmed.hasPrefix("@") ? String(trimmed.dropFirst()) : trimmed
            case .isReshare:
                if let b = Self.bool(trimmed) { post.isReshare = b } else { post.extras.append((layout.names[i], .string(value))) }
            case .hasMedia:
                if let b = Self.bool(trimmed) { post.hasMedia = b } else { post.extras.append((layout.names[i], .string(value))) }
            case .metric(let name):
                if let n = Self.integer(trimmed) { post.metrics[name] = n } else { post.extras.append((layout.names[i], .string(value))) }
            case .extra(let name):
                post.extras.append((name, .string(value)))
            }
        }
        let textColumn = layout.targets.firstIndex(of: .text).map { layout.names[$0] } ?? "text"
        guard let text, !text.isEmpty else { return issue("empty text (column '\(textColumn)')") }
        if layout.hasIDColumn {
            let idColumn = layout.targets.firstIndex(of: .id).map { layout.names[$0] } ?? "id"
            guard let id, !id.isEmpty else { return issue("empty id (column '\(idColumn)')") }
            post.id = id
        } else {
            post.id = lineID(r.line)
        }
        if post.platform == nil { post.platform = platform }
        // Exports of tweets keep Twitter's escaping of `&`, `<` and `>`; native text is the text as written.
        post.text = post.platform == TwitterFormat.platform ? TwitterFormat.unescape(text) : text
        if post.reshareOf != nil || post.reshareAuthor != nil { post.isReshare = true }
        return .success(post)
    }

    static func bool(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "t", "yes", "y", "1": return true
        case "false", "f", "no", "n", "0": return false
        default: return nil
        }
    }

    /// An integer, also from a float column with no fraction (Orange writes counts as `218.0`).
    static func integer(_ s: String) -> Int64? {
        if let n = Int64(s) { return n }
        if let d = Double(s), d.isFinite, d.rounded() == d, abs(d) < 9e18 { return Int64(d) }
        return nil
    }
}
