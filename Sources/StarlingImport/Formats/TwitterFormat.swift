// Twitter API JSON to posts: v1.1 tweet objects (alone, in a search response's `statuses`) and v2 pages
// (`{"data": [...], "includes": {...}}`) or bare v2 tweets. Only a few useful fields of the user object are kept
// as extras: whole user objects would triple the stored size of every post.
import Foundation
import StarlingModel

enum TwitterFormat {
    static let platform = "twitter"

    /// The posts of one record, which is a v1.1 tweet, a v2 tweet, a v2 page or a v1.1 search response.
    static func posts(from v: JSONValue) -> [Result<Post, RecordProblem>] {
        guard case .object = v else { return [.failure(RecordProblem("expected a tweet object, found \(v.kindName)"))] }
        if let data = v["data"] {
            let includes = V2Includes(v["includes"])
            switch data {
            case .array(let tweets):
                return tweets.enumerated().map { n, t in v2(t, includes).mapError { RecordProblem("data[\(n)]: \($0.reason)") } }
            case .object: return [v2(data, includes)]
            case .null: return []
            default: return [.failure(RecordProblem("field 'data': expected array of tweets, found \(data.kindName)"))]
            }
        }
        if let statuses = v["statuses"]?.arrayValue {
            return statuses.enumerated().map { n, t in v1(t).mapError { RecordProblem("statuses[\(n)]: \($0.reason)") } }
        }
        if v["id"] == nil && v["id_str"] == nil {
            // API pages with nothing in them (no results) or with only errors.
            if let errors = v["errors"]?.arrayValue {
                let detail = errors.first.flatMap { $0["detail"]?.stringValue ?? $0["message"]?.stringValue } ?? "unknown"
                return [.failure(RecordProblem("the API returned errors instead of tweets: \(detail)"))]
            }
            if v["meta"] != nil { return [] }
        }
        if isV2Tweet(v) { return [v2(v, V2Includes(nil))] }
        return [v1(v)]
    }

    /// Whether a tweet object is in the v2 shape (no embedded user; v2-only fields present).
    static func isV2Tweet(_ v: JSONValue) -> Bool {
        v["user"] == nil && v["id_str"] == nil
            && (v["author_id"] != nil || v["public_metrics"] != nil || v["edit_history_tweet_ids"] != nil)
    }

    // MARK: v1.1

    static func v1(_ t: JSONValue) -> Result<Post, RecordProblem> {
        guard case .object = t else { return .failure(RecordProblem("expected a tweet object, found \(t.kindName)")) }
        do {
            guard let id = try t.idField("id_str") ?? t.idField("id") else {
                throw RecordProblem("missing tweet id ('id_str' or 'id')")
            }
            let extended = t["extended_tweet"]
            guard var text = try extended?.stringField("full_text") ?? t.stringField("full_text") ?? t.stringField("text") else {
                throw RecordProblem("missing tweet text ('full_text' or 'text')")
            }
            text = unescape(text)
            let user = t["user"]
            var post = Post(id: id, text: text, platform: platform)
            post.author = try user?.stringField("screen_name")
            if let created = try t.stringField("created_at") { post.createdAt = PostTime.parse(created) }
            post.lang = try language(t.stringField("lang"))
            post.replyTo = try t.idField("in_reply_to_status_id_str") ?? t.idField("in_reply_to_status_id")

            var entities = extended?["entities"] ?? t["entities"]
            var extendedEntities = extended?["extended_entities"] ?? t["extended_entities"]
            var rebuiltMention: String?
            if let rt = t["retweeted_status"], case .object = rt {
                post.isReshare = true
                post.reshareOf = try rt.idField("id_str") ?? rt.idField("id")
                post.reshareAuthor = try rt["user"]?.stringField("screen_name")
                // A retweet's own text is cut at 140 characters; the original carries the whole of it.
                let rtExtended = rt["extended_tweet"]
                if let full = try rtExtended?.stringField("full_text") ?? rt.stringField("full_text") ?? rt.stringField("text"),
                   let author = post.reshareAuthor, isTruncated(t, text) {
                    post.text = "RT @\(author): " + unescape(full)
                    entities = rtExtended?["entities"] ?? rt["entities"]
                    extendedEntities = rtExtended?["extended_entities"] ?? rt["extended_entities"]
                    rebuiltMention = author
                }
            }
            try readV1Entities(entities, extendedEntities, into: &post)
            if let m = rebuiltMention, !post.mentions.contains(m) { post.mentions.insert(m, at: 0) }

            addMetric(&post, "likes", t["favorite_count"])
            addMetric(&post, "reshares", t["retweet_count"])
            addMetric(&post, "replies", t["reply_count"])
            addMetric(&post, "quotes", t["quote_count"])

            if let uid = try user?.idField("id_str") ?? user?.idField("id") { post.extras.append(("user_id", .string(uid))) }
            if let name = try user?.stringField("name") { post.extras.append(("user_name", .string(name))) }
            if let followers = user?["followers_count"]?.intValue { post.extras.append(("user_followers", .int(followers))) }
            if let quoted = try t.idField("quoted_status_id_str") ?? t.idField("quoted_status_id") {
                post.extras.append(("quote_of", .string(quoted)))
            }
            return .success(post)
        } catch let problem as RecordProblem {
            return .failure(problem)
        } catch {
            return .failure(RecordProblem("\(error)"))
        }
    }

    private static func isTruncated(_ t: JSONValue, _ text: String) -> Bool {
        t["truncated"]?.boolValue == true || text.hasSuffix("\u{2026}")
    }

    private static func readV1Entities(_ entities: JSONValue?, _ extended: JSONValue?, into post: inout Post) throws {
        guard let entities, case .object = entities else { return }
        for h in entities["hashtags"]?.arrayValue ?? [] {
            if let tag = try h.stringField("text") { post.hashtags.append(tag) }
        }
        for m in entities["user_mentions"]?.arrayValue ?? [] {
            if let name = try m.stringField("screen_name") { post.mentions.append(name) }
        }
        for u in entities["urls"]?.arrayValue ?? [] {
            if let url = try u.stringField("url") { post.urls.append(PostURL(url: url, expanded: try u.stringField("expanded_url"))) }
        }
        let symbols = try (entities["symbols"]?.arrayValue ?? []).compactMap { try $0.stringField("text") }
        if !symbols.isEmpty { post.extras.append(("cashtags", .array(symbols.map { .string($0) }))) }
        let media = (extended?["media"]?.arrayValue ?? []) + (entities["media"]?.arrayValue ?? [])
        if !media.isEmpty { post.hasMedia = true }
    }

    // MARK: v2

    /// The `includes` of a v2 page, indexed by id.
    struct V2Includes {
        var users: [String: (username: String?, name: String?)] = [:]
        var tweets: [String: JSONValue] = [:]

        init(_ v: JSONValue?) {
            for u in v?["users"]?.arrayValue ?? [] {
                if let id = u["id"]?.stringValue { users[id] = (u["username"]?.stringValue, u["name"]?.stringValue) }
            }
            for t in v?["tweets"]?.arrayValue ?? [] {
                if let id = t["id"]?.stringValue { tweets[id] = t }
            }
        }
    }

    static func v2(_ t: JSONValue, _ includes: V2Includes) -> Result<Post, RecordProblem> {
        guard case .object = t else { return .failure(RecordProblem("expected a tweet object, found \(t.kindName)")) }
        do {
            guard let id = try t.idField("id") else { throw RecordProblem("missing tweet id ('id')") }
            // Posts longer than 280 characters carry their whole text in `note_tweet`.
            guard let text = try t["note_tweet"]?.stringField("text") ?? t.stringField("text") else {
                throw RecordProblem("missing tweet text ('text')")
            }
            var post = Post(id: id, text: unescape(text), platform: platform)
            let authorID = try t.idField("author_id")
            if let authorID {
                post.author = includes.users[authorID]?.username
            }
            if let created = try t.stringField("created_at") { post.createdAt = PostTime.parse(created) }
            post.lang = try language(t.stringField("lang"))
            var entities = t["entities"]
            for ref in t["referenced_tweets"]?.arrayValue ?? [] {
                guard let refID = try ref.idField("id") else { continue }
                switch try ref.stringField("type") {
                case "retweeted":
                    post.isReshare = true
                    post.reshareOf = refID
                    let original = includes.tweets[refID]
                    if let originalAuthor = try original?.idField("author_id") {
                        post.reshareAuthor = includes.users[originalAuthor]?.username
                    }
                    if post.reshareAuthor == nil { post.reshareAuthor = retweetedAuthor(in: post.text) }
                    if let original, let author = post.reshareAuthor, post.text.hasSuffix("\u{2026}"),
                       let full = try original["note_tweet"]?.stringField("text") ?? original.stringField("text") {
                        post.text = "RT @\(author): " + unescape(full)
                        entities = original["entities"]
                        post.mentions.append(author)
                    }
                case "replied_to": post.replyTo = refID
                case "quoted": post.extras.append(("quote_of", .string(refID)))
                default: break
                }
            }
            if let entities, case .object = entities {
                for h in entities["hashtags"]?.arrayValue ?? [] { if let tag = try h.stringField("tag") { post.hashtags.append(tag) } }
                for m in entities["mentions"]?.arrayValue ?? [] {
                    if let name = try m.stringField("username"), !post.mentions.contains(name) { post.mentions.append(name) }
                }
                for u in entities["urls"]?.arrayValue ?? [] {
                    if let url = try u.stringField("url") { post.urls.append(PostURL(url: url, expanded: try u.stringField("expanded_url"))) }
                }
                let cashtags = try (entities["cashtags"]?.arrayValue ?? []).compactMap { try $0.stringField("tag") }
                if !cashtags.isEmpty { post.extras.append(("cashtags", .array(cashtags.map { .string($0) }))) }
            }
            if let keys = t["attachments"]?["media_keys"]?.arrayValue, !keys.isEmpty { post.hasMedia = true }
            if let m = t["public_metrics"] {
                addMetric(&post, "likes", m["like_count"])
                addMetric(&post, "reshares", m["retweet_count"])
                addMetric(&post, "replies", m["reply_count"])
                addMetric(&post, "quotes", m["quote_count"])
                addMetric(&post, "impressions", m["impression_count"])
            }
            if let authorID {
                post.extras.append(("user_id", .string(authorID)))
                if let name = includes.users[authorID]?.name { post.extras.append(("user_name", .string(name))) }
            }
            return .success(post)
        } catch let problem as RecordProblem {
            return .failure(problem)
        } catch {
            return .failure(RecordProblem("\(error)"))
        }
    }

    /// `user` from a retweet's text `RT @user: ...`, when the page does not include the original.
    static func retweetedAuthor(in text: String) -> String? {
        guard text.hasPrefix("RT @") else { return nil }
        let name = text.dropFirst(4).prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return name.isEmpty ? nil : String(name)
    }

    // MARK: Shared

    /// Twitter's "und" (undetermined) is no language at all.
    private static func language(_ code: String?) -> String? {
        guard let code, !code.isEmpty, code != "und" else { return nil }
        return code
    }

    private static func addMetric(_ post: inout Post, _ name: String, _ v: JSONValue?) {
        if let n = v?.intValue { post.metrics[name] = n }
    }

    /// Twitter escapes exactly `&`, `<` and `>` in tweet text; undo that and nothing more.
    /// - Complexity: O(n) over UTF-8 bytes (Foundation's string search costs more than parsing the tweet).
    static func unescape(_ text: String) -> String {
        guard text.utf8.contains(0x26) else { return text }
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x26 {
                if i + 3 < b.count, b[i + 2] == 0x74, b[i + 3] == 0x3B, b[i + 1] == 0x6C || b[i + 1] == 0x67 {
                    out.append(b[i + 1] == 0x6C ? 0x3C : 0x3E)  // &lt; &gt;
                    i += 4
                    continue
                }
                if i + 4 < b.count, b[i + 1] == 0x61, b[i + 2] == 0x6D, b[i + 3] == 0x70, b[i + 4] == 0x3B {
                    out.append(0x26)  // &amp;
                    i += 5
                    continue
                }
            }
            out.append(b[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }
}

// MARK: - Typed field access for platform JSON

extension JSONValue {
    /// The string at `key`; nil when absent or null; a problem naming the field when it is another type.
    func stringField(_ key: String) throws(RecordProblem) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw RecordProblem("field '\(key)': expected string, found \(other.kindName)")
        }
    }

    /// An id at `key`: a string, or an integer turned into its decimal string.
    func idField(_ key: String) throws(RecordProblem) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s.isEmpty ? nil : s
        case .int(let i)?: return String(i)
        case let other?: throw RecordProblem("field '\(key)': expected string or integer id, found \(other.kindName)")
        }
    }
}
