// The native post format (Post.fromNative / nativeJSON) and the timestamp formats PostTime reads.
import Foundation
import StarlingModel
import Testing

@Suite("Native format")
struct NativeFormatTests {
    static let designExample = """
        {"id":"500311153583853570","text":"...","author":"BBCNewsUS","created_at":"2014-08-15T16:25:33Z","platform":"twitter","lang":null,"reshare_of":null,"reply_to":null,"urls":[{"url":"http://t.co/KUZQGasFgA","expanded":"http://bbc.in/1uXxOfo"}],"metrics":{"likes":88,"reshares":161}}
        """

    @Test("reads DESIGN.md's example")
    func designExample() throws {
        let post = try Post.fromNative(try JSONParser.parse(Self.designExample))
        #expect(post.id == "500311153583853570")
        #expect(post.text == "...")
        #expect(post.author == "BBCNewsUS")
        #expect(post.createdAt.map(PostTime.iso8601) == "2014-08-15T16:25:33Z")
        #expect(post.platform == "twitter")
        #expect(post.lang == nil && post.reshareOf == nil && post.replyTo == nil)
        #expect(post.urls == [PostURL(url: "http://t.co/KUZQGasFgA", expanded: "http://bbc.in/1uXxOfo")])
        #expect(post.metrics == ["likes": 88, "reshares": 161])
        #expect(post.extras.isEmpty)
        #expect(post.nativeJSONText == """
            {"id":"500311153583853570","text":"...","author":"BBCNewsUS","created_at":"2014-08-15T16:25:33Z","platform":"twitter","urls":[{"url":"http://t.co/KUZQGasFgA","expanded":"http://bbc.in/1uXxOfo"}],"metrics":{"likes":88,"reshares":161}}
            """)
    }

    @Test("an integer id becomes its decimal string")
    func integerID() throws {
        let post = try Post.fromNative(try JSONParser.parse("{\"id\":553529101659566080,\"text\":\"hi\"}"))
        #expect(post.id == "553529101659566080")
    }

    @Test("unknown fields are kept in order and written back after the known ones")
    func extrasRoundTrip() throws {
        let text = """
            {"zeta":1,"id":"7","text":"hello\\nworld","hashtags":["a","b"],"mentions":["m"],"reshare_author":"x","has_media":true,"is_reshare":true,"alpha":{"deep":[1,2.5,null]},"user_name":"Zoë"}
            """
        let post = try Post.fromNative(try JSONParser.parse(text))
        #expect(post.extras.map(\.0) == ["zeta", "alpha", "user_name"])
        #expect(post.hashtags == ["a", "b"] && post.mentions == ["m"] && post.reshareAuthor == "x")
        #expect(post.hasMedia && post.isReshare)
        let printed = post.nativeJSONText
        #expect(!printed.contains("\n"))
        #expect(printed == """
            {"id":"7","text":"hello\\nworld","hashtags":["a","b"],"mentions":["m"],"reshare_author":"x","has_media":true,"is_reshare":true,"zeta":1,"alpha":{"deep":[1,2.5,null]},"user_name":"Zoë"}
            """)
        #expect(try Post.fromNative(try JSONParser.parse(printed)) == post)
    }

    @Test("a fully populated post round-trips through native JSON")
    func fullRoundTrip() throws {
        let post = Post(
            id: "1", text: "RT @b: #tag \"q\" 😀", author: "a", createdAt: Date(timeIntervalSince1970: 1_408_119_933),
            platform: "mastodon", lang: "en", reshareOf: "9", reshareAuthor: "b", replyTo: "8",
            urls: [PostURL(url: "https://t.co/x"), PostURL(url: "https://t.co/y", expanded: "https://example.com/y")],
            hashtags: ["tag"], mentions: ["b"], metrics: ["likes": 1, "reshares": 2, "replies": 3, "quotes": 4, "views": 5],
            hasMedia: true, isReshare: true, extras: [("user_id", .string("42"))])
        let text = post.nativeJSONText
        #expect(text.contains("\"metrics\":{\"likes\":1,\"reshares\":2,\"replies\":3,\"quotes\":4,\"views\":5}"))
        #expect(try Post.fromNative(try JSONParser.parse(text)) == post)
    }

    @Test("null counts as absent for optional fields")
    func nulls() throws {
        let post = try Post.fromNative(try JSONParser.parse("""
            {"id":"1","text":"t","author":null,"created_at":null,"urls":null,"metrics":null,"hashtags":null,"has_media":null}
            """))
        #expect(post == Post(id: "1", text: "t"))
    }

    @Test("wrong or missing fields are errors naming the field", arguments: [
        ("{\"id\":\"1\",\"text\":5}", "field 'text': expected string, found number"),
        ("{\"id\":\"1\"}", "field 'text': required field is missing"),
        ("{\"text\":\"x\"}", "field 'id': required field is missing"),
        ("{\"id\":null,\"text\":\"x\"}", "field 'id': required field is missing"),
        ("{\"id\":\"\",\"text\":\"x\"}", "field 'id': must not be empty"),
        ("{\"id\":1.5,\"text\":\"x\"}", "field 'id': expected string or integer, found number"),
        ("{\"id\":\"1\",\"text\":\"x\",\"author\":[]}", "field 'author': expected string, found array"),
        ("{\"id\":\"1\",\"text\":\"x\",\"created_at\":\"yesterday\"}", "field 'created_at': cannot read 'yesterday' as a time"),
        ("{\"id\":\"1\",\"text\":\"x\",\"urls\":[{\"expanded\":\"e\"}]}", "field 'urls[0].url': required field is missing"),
        ("{\"id\":\"1\",\"text\":\"x\",\"urls\":{}}", "field 'urls': expected array, found object"),
        ("{\"id\":\"1\",\"text\":\"x\",\"metrics\":{\"likes\":\"many\"}}", "field 'metrics.likes': expected integer, found string"),
        ("{\"id\":\"1\",\"text\":\"x\",\"hashtags\":[\"a\",2]}", "field 'hashtags[1]': expected string, found number"),
        ("{\"id\":\"1\",\"text\":\"x\",\"has_media\":\"yes\"}", "field 'has_media': expected boolean, found string"),
        ("[1]", "expected a JSON object, found array"),
    ])
    func errors(_ text: String, _ message: String) throws {
        let value = try JSONParser.parse(text)
        #expect {
            try Post.fromNative(value)
        } throws: { error in
            (error as? PostDecodingError)?.description.hasPrefix(message) == true
        }
    }
}

@Suite("PostTime")
struct PostTimeTests {
    @Test("reads the timestamp formats of every importer", arguments: [
        ("2014-08-15T16:25:33Z", "2014-08-15T16:25:33Z"),
        ("2014-08-15T16:25:33.123Z", "2014-08-15T16:25:33Z"),
        ("2014-08-15T18:25:33+02:00", "2014-08-15T16:25:33Z"),
        ("2014-08-15 16:25:33", "2014-08-15T16:25:33Z"),
        ("2014-08-15", "2014-08-15T00:00:00Z"),
        ("Wed Aug 27 13:08:45 +0000 2008", "2008-08-27T13:08:45Z"),
        ("Mon Apr 06 22:19:45 PDT 2009", "2009-04-07T05:19:45Z"),
        ("2015-02-24 11:35:52 -0800", "2015-02-24T19:35:52Z"),
        ("24-02-2015 11.35", "2015-02-24T11:35:00Z"),
        ("24-02-2015 11:35:07", "2015-02-24T11:35:07Z"),
        ("2/24/2015 11:35", "2015-02-24T11:35:00Z"),
        ("12/1/2015 1:05:09 PM", "2015-12-01T13:05:09Z"),
        ("12/1/2015 12:05 am", "2015-12-01T00:05:00Z"),
        ("2/24/2015", "2015-02-24T00:00:00Z"),
        ("Wed, 27 Aug 2008 13:08:45 +0000", "2008-08-27T13:08:45Z"),
        ("27 Aug 2008 13:08:45 GMT", "2008-08-27T13:08:45Z"),
        ("1408119933", "2014-08-15T16:25:33Z"),
        ("1408119933000", "2014-08-15T16:25:33Z"),
        ("1408119933.5", "2014-08-15T16:25:33Z"),
        ("2022-11-05T10:00:00.000Z", "2022-11-05T10:00:00Z"),
    ])
    func parses(_ raw: String, _ iso: String) {
        #expect(PostTime.parse(raw).map(PostTime.iso8601) == iso)
    }

    @Test("rejects what is not a time", arguments: ["", "yesterday", "13/45/2015 10:00", "24-02-2015 25.00", "12345",
                                                     "2/24/2015 11", "Wed Foo 27 13:08:45 +0000 2008"])
    func rejects(_ raw: String) {
        #expect(PostTime.parse(raw) == nil)
    }
}
