// Mastodon status JSON (the REST API's Status entity) to posts. A boost (reblog) has empty content of its own:
// its text, tags, mentions and links are the boosted status's, and it records whose status it boosted.
import StarlingModel

enum MastodonFormat {
    static let platform = "mastodon"

    /// The post of one status object.
    static func post(from s: JSONValue) -> Result<Post, RecordProblem> {
        guard case .object = s else { return .failure(RecordProblem("expected a status object, found \(s.kindName)")) }
        do {
            guard let id = try s.idField("id") else { throw RecordProblem("missing status id ('id')") }
            var source = s
            var post = Post(id: id, text: "", platform: platform)
            if let reblog = s["reblog"], case .object = reblog {
                source = reblog
                post.isReshare = true
                post.reshareOf = try reblog.idField("id")
                post.reshareAuthor = try reblog["account"]?.stringField("acct")
            }
            guard let html = try source.stringField("content") else {
                throw RecordProblem("missing status text ('content')")
            }
            let content = HTMLText(html: html)
            post.text = content.text
            post.urls = content.links
            post.author = try s["account"]?.stringField("acct")
            if let created = try s.stringField("created_at") { post.createdAt = PostTime.parse(created) }
            post.lang = try s.stringField("language") ?? source.stringField("language")
            post.replyTo = try s.idField("in_reply_to_id")
            for tag in source["tags"]?.arrayValue ?? [] {
                if let name = try tag.stringField("name") { post.hashtags.append(name) }
            }
            for mention in source["mentions"]?.arrayValue ?? [] {
                if let acct = try mention.stringField("acct") ?? mention.stringField("username") { post.mentions.append(acct) }
            }
            if let media = source["media_attachments"]?.arrayValue, !media.isEmpty { post.hasMedia = true }
            if let n = s["favourites_count"]?.intValue { post.metrics["likes"] = n }
            if let n = s["reblogs_count"]?.intValue { post.metrics["reshares"] = n }
            if let n = s["replies_count"]?.intValue { post.metrics["replies"] = n }

            if let cw = try source.stringField("spoiler_text"), !cw.isEmpty { post.extras.append(("spoiler_text", .string(cw))) }
            if s["sensitive"]?.boolValue == true { post.extras.append(("sensitive", .bool(true))) }
            if let url = try s.stringField("url") ?? s.stringField("uri") { post.extras.append(("url", .string(url))) }
            if let account = s["account"] {
                if let uid = try account.idField("id") { post.extras.append(("user_id", .string(uid))) }
                if let name = try account.stringField("display_name"), !name.isEmpty {
                    post.extras.append(("user_name", .string(name)))
                }
            }
            return .success(post)
        } catch let problem as RecordProblem {
            return .failure(problem)
        } catch {
            return .failure(RecordProblem("\(error)"))
        }
    }
}
