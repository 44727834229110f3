// Twitter (v1.1 and v2) and Mastodon JSON, and format detection from JSON keys.
import Foundation
import StarlingModel
import Testing
@testable import StarlingImport

@Suite("Twitter and Mastodon")
struct PlatformFormatTests {
    static let v1Tweet = #"""
        {"created_at":"Wed Aug 27 13:08:45 +0000 2008","id":553529101659566080,"id_str":"553529101659566080","text":"Armed man &amp; hostage #Paris @AFP http://t.co/PBs3sMwhLt","truncated":false,"entities":{"hashtags":[{"text":"Paris","indices":[24,30]}],"symbols":[{"text":"AAPL"}],"user_mentions":[{"screen_name":"AFP","id_str":"1"}],"urls":[{"url":"http://t.co/PBs3sMwhLt","expanded_url":"http://htz.li/1lI"}]},"extended_entities":{"media":[{"id_str":"9","type":"photo"}]},"in_reply_to_status_id_str":"553529101659566000","user":{"id":24506246,"id_str":"24506246","name":"Haaretz.com","screen_name":"haaretzcom","followers_count":193798,"description":"long text that must not be kept"},"lang":"und","favorite_count":14,"retweet_count":177,"quoted_status_id_str":"77"}
        """#

    @Test("Twitter v1.1: ids, text, author, time, entities, media, metrics and a few user extras")
    func twitterV1() throws {
        let r = try importText(Self.v1Tweet)
        #expect(r.format == .twitter)
        #expect(r.issues.isEmpty)
        let post = try #require(r.posts.first)
        #expect(post.id == "553529101659566080")
        #expect(post.text == "Armed man & hostage #Paris @AFP http://t.co/PBs3sMwhLt")
        #expect(post.author == "haaretzcom")
        #expect(post.createdAt.map(PostTime.iso8601) == "2008-08-27T13:08:45Z")
        #expect(post.platform == "twitter")
        #expect(post.lang == nil)
        #expect(post.replyTo == "553529101659566000")
        #expect(post.hashtags == ["Paris"] && post.mentions == ["AFP"])
        #expect(post.urls == [PostURL(url: "http://t.co/PBs3sMwhLt", expanded: "http://htz.li/1lI")])
        #expect(post.hasMedia)
        #expect(post.metrics == ["likes": 14, "reshares": 177])
        #expect(JSONValue.object(post.extras) == .object([
            ("cashtags", .array([.string("AAPL")])), ("user_id", .string("24506246")), ("user_name", .string("Haaretz.com")),
            ("user_followers", .int(193798)), ("quote_of", .string("77")),
        ]))
        #expect(!post.nativeJSONText.contains("must not be kept"))
    }

    @Test("Twitter v1.1 retweets: reshare fields, and the original's full text when the retweet's is cut")
    func twitterRetweet() throws {
        let rt = #"""
            {"id_str":"2","text":"RT @orig: The start of a long tweet that got cut…","truncated":false,"user":{"screen_name":"rter"},"entities":{"hashtags":[],"user_mentions":[{"screen_name":"orig"}],"urls":[]},"retweeted_status":{"id_str":"1","text":"The start of a long tweet that got cut off here #tag","extended_tweet":{"full_text":"The start of a long tweet that got cut off here #tag and it goes on","entities":{"hashtags":[{"text":"tag"}],"user_mentions":[],"urls":[]}},"user":{"screen_name":"orig"}}}
            """#
        let post = try #require(try importText(rt).posts.first)
        #expect(post.isReshare)
        #expect(post.reshareOf == "1" && post.reshareAuthor == "orig")
        #expect(post.text == "RT @orig: The start of a long tweet that got cut off here #tag and it goes on")
        #expect(post.hashtags == ["tag"] && post.mentions == ["orig"])
    }

    @Test("Twitter v1.1 extended tweets use extended_tweet.full_text")
    func twitterExtended() throws {
        let t = #"{"id_str":"5","text":"short…","truncated":true,"extended_tweet":{"full_text":"the whole long text #x","entities":{"hashtags":[{"text":"x"}]}},"user":{"screen_name":"u"}}"#
        let post = try #require(try importText(t).posts.first)
        #expect(post.text == "the whole long text #x")
        #expect(post.hashtags == ["x"])
    }

    static let v2Page = #"""
        {"data":[{"id":"10","text":"RT @alice: hello &lt;world&gt; #Swift https://t.co/a","author_id":"200","created_at":"2022-10-01T12:00:00.000Z","lang":"en","referenced_tweets":[{"type":"retweeted","id":"9"}],"entities":{"hashtags":[{"start":27,"end":33,"tag":"Swift"}],"mentions":[{"username":"alice"}],"urls":[{"url":"https://t.co/a","expanded_url":"https://swift.org"}]},"public_metrics":{"retweet_count":3,"reply_count":0,"like_count":0,"quote_count":0},"attachments":{"media_keys":["3_1"]}},{"id":"11","text":"@bob reply","author_id":"201","referenced_tweets":[{"type":"replied_to","id":"8"},{"type":"quoted","id":"7"}]},{"id":"12"}],"includes":{"users":[{"id":"200","username":"carol","name":"Carol C"},{"id":"201","username":"dave","name":"Dave"},{"id":"300","username":"alice","name":"Alice"}],"tweets":[{"id":"9","text":"hello <world> #Swift","author_id":"300"}]},"meta":{"result_count":3}}
        """#

    @Test("Twitter v2 pages give one post per tweet, with authors from includes")
    func twitterV2() throws {
        let r = try importText(Self.v2Page + "\n{\"meta\":{\"result_count\":0}}\n", name: "page.json")
        #expect(r.format == .twitter)
        #expect(r.posts.map(\.id) == ["10", "11"])
        #expect(r.issues.count == 1)
        #expect(r.issues.first?.reason == "data[2]: missing tweet text ('text')")
        let rt = r.posts[0]
        #expect(rt.text == "RT @alice: hello <world> #Swift https://t.co/a")
        #expect(rt.author == "carol" && rt.isReshare && rt.reshareOf == "9" && rt.reshareAuthor == "alice")
        #expect(rt.hashtags == ["Swift"] && rt.mentions == ["alice"])
        #expect(rt.urls == [PostURL(url: "https://t.co/a", expanded: "https://swift.org")])
        #expect(rt.hasMedia && rt.metrics == ["likes": 0, "reshares": 3, "replies": 0, "quotes": 0])
        #expect(rt.lang == "en" && rt.createdAt.map(PostTime.iso8601) == "2022-10-01T12:00:00Z")
        #expect(rt.extras.map(\.0) == ["user_id", "user_name"])
        let reply = r.posts[1]
        #expect(reply.author == "dave" && reply.replyTo == "8" && !reply.isReshare)
        #expect(reply.extras.first.map { $0.0 } == "quote_of")
    }

    @Test("a whole-file pretty-printed v2 page is one record")
    func twitterV2Pretty() throws {
        let pretty = """
            {
              "data": [
                {"id": "1", "text": "one", "author_id": "5"},
                {"id": "2", "text": "two", "author_id": "5"}
              ],
              "includes": {"users": [{"id": "5", "username": "eve"}]}
            }
            """
        let r = try importText(pretty, name: "page.json")
        #expect(r.posts.map(\.author) == ["eve", "eve"])
        #expect(r.records == 1)
    }

    static let mastodonStatus = #"""
        {"id":"109","created_at":"2022-11-05T10:00:00.000Z","in_reply_to_id":"100","sensitive":false,"spoiler_text":"","visibility":"public","language":"en","uri":"https://mastodon.social/users/ann/statuses/109","url":"https://mastodon.social/@ann/109","replies_count":2,"reblogs_count":5,"favourites_count":7,"content":"<p>Hello <span class=\"h-card\"><a href=\"https://x.org/@bob\" class=\"u-url mention\">@<span>bob</span></a></span> &amp; friends &#8212; see <a href=\"https://example.com/a?x=1&amp;y=2\" rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span><span class=\"\">example.com/a?x=1&amp;y=2</span></a></p><p>Line one<br>line two <a href=\"https://mastodon.social/tags/swift\" class=\"mention hashtag\" rel=\"tag\">#<span>swift</span></a> &#x1F600; &quot;q&quot;</p>","reblog":null,"account":{"id":"42","username":"ann","acct":"ann","display_name":"Ann A","note":"<p>a long bio we do not keep</p>"},"media_attachments":[{"id":"1","type":"image"}],"mentions":[{"id":"2","username":"bob","acct":"bob@x.org"}],"tags":[{"name":"swift","url":"https://mastodon.social/tags/swift"}]}
        """#

    @Test("Mastodon: HTML to text, links that are not mentions or tags, counts and account")
    func mastodon() throws {
        let r = try importText(Self.mastodonStatus)
        #expect(r.format == .mastodon)
        let post = try #require(r.posts.first)
        #expect(post.text == "Hello @bob & friends \u{2014} see https://example.com/a?x=1&y=2\n\nLine one\nline two #swift 😀 \"q\"")
        #expect(post.id == "109" && post.author == "ann" && post.platform == "mastodon" && post.lang == "en")
        #expect(post.replyTo == "100")
        #expect(post.urls == [PostURL(url: "https://example.com/a?x=1&y=2")])
        #expect(post.hashtags == ["swift"] && post.mentions == ["bob@x.org"] && post.hasMedia)
        #expect(post.metrics == ["likes": 7, "reshares": 5, "replies": 2])
        #expect(post.createdAt.map(PostTime.iso8601) == "2022-11-05T10:00:00Z")
        #expect(post.extras.map(\.0) == ["url", "user_id", "user_name"])
        #expect(!post.nativeJSONText.contains("long bio"))
    }

    @Test("Mastodon boosts take the boosted status's text and record whose it was")
    func mastodonBoost() throws {
        let boost = #"{"id":"200","created_at":"2022-11-06T10:00:00Z","content":"","reblog":{"id":"109","content":"<p>Original <a href=\"https://mastodon.social/tags/a\" class=\"mention hashtag\">#a</a></p>","account":{"acct":"ann@mastodon.social"},"tags":[{"name":"a"}],"mentions":[],"media_attachments":[]},"account":{"id":"43","acct":"zed"},"media_attachments":[],"favourites_count":0,"reblogs_count":0,"replies_count":0}"#
        let post = try #require(try importText(boost, ImportOptions(format: .mastodon)).posts.first)
        #expect(post.text == "Original #a")
        #expect(post.isReshare && post.reshareOf == "109" && post.reshareAuthor == "ann@mastodon.social")
        #expect(post.author == "zed" && post.hashtags == ["a"] && post.urls.isEmpty)
    }

    @Test("Mastodon statuses in a top-level array; a bad one is an issue")
    func mastodonArray() throws {
        let text = "[\(Self.mastodonStatus),\n{\"id\":\"2\",\"account\":{\"acct\":\"x\"}}]"
        let r = try importText(text, name: "statuses.json")
        #expect(r.posts.map(\.id) == ["109"])
        #expect(r.issues.map(\.reason) == ["missing status text ('content')"])
        #expect(r.issues.first?.line == 2)
    }

    @Test("HTML text conversion", arguments: [
        ("<p>a</p><p>b</p>", "a\n\nb"),
        ("a<br/>b<br />c", "a\nb\nc"),
        ("1 &lt; 2 &amp;&amp; 3 &gt; 2", "1 < 2 && 3 > 2"),
        ("&#39;x&#39; &#x27;y&#x27; &nbsp;&hellip;", "'x' 'y' \u{00A0}\u{2026}"),
        ("&unknown; & alone", "&unknown; & alone"),
        ("a < b", "a < b"),
        ("<p>x<!-- comment -->y</p>", "xy"),
    ])
    func html(_ input: String, _ expected: String) {
        #expect(HTMLText(html: input).text == expected)
    }

    @Test("JSON format detection by keys", arguments: [
        (#"{"id":"1","text":"x"}"#, ImportFormat.native),
        (#"{"id":"1","text":"x","platform":"mastodon","spoiler_text":"cw"}"#, .native),
        (#"{"id_str":"1","text":"x","user":{}}"#, .twitter),
        (#"{"data":[],"meta":{}}"#, .twitter),
        (#"{"id":"1","content":"<p>x</p>","account":{}}"#, .mastodon),
        (#"[{"id":"1","text":"x"}]"#, .native),
    ])
    func detection(_ first: String, _ expected: ImportFormat) throws {
        let stream = try ImportStream(path: try temporaryFile(first + "\n"), options: ImportOptions())
        #expect(stream.format == expected)
    }

    @Test("undetectable or ambiguous JSON is an error that lists the candidates and suggests --format")
    func detectionErrors() throws {
        #expect {
            try ImportStream(path: try temporaryFile(#"{"foo":1}"#), options: ImportOptions())
        } throws: { error in
            let m = (error as? ImportError)?.message ?? ""
            return m.contains("cannot detect") && m.contains("foo") && m.contains("--format")
        }
        #expect {
            try ImportStream(path: try temporaryFile(#"{"id_str":"1","content":"x","account":{}}"#), options: ImportOptions())
        } throws: { error in
            let m = (error as? ImportError)?.message ?? ""
            return m.contains("ambiguous") && m.contains("twitter") && m.contains("mastodon") && m.contains("--format")
        }
        #expect {
            try ImportStream(path: try temporaryFile("id,text\n1,x\n", name: "data.dat"), options: ImportOptions())
        } throws: { error in
            (error as? ImportError)?.message.contains("--format csv") == true
        }
        #expect {
            try ImportStream(path: try temporaryFile("{bad\n[also bad\n"), options: ImportOptions())
        } throws: { error in
            (error as? ImportError)?.message.contains("none of the first 2 records") == true
        }
    }
}
