// CSV, TSV, Orange .tab and plain-text lines: headers, column maps (names and numbers), aliases, quoting,
// extras, made-up ids, and bad rows.
import Foundation
import StarlingModel
import Testing
@testable import StarlingImport

@Suite("Tables and lines")
struct TableFormatTests {
    static let airlineLike = """
        tweet_id,airline_sentiment,name,retweet_count,text,tweet_created,tweet_location\r
        570306133677760513,neutral,cairdin,0,@VirginAmerica What @dhepburn said.,24-02-2015 11.35,\r
        570301130888122368,positive,jnardino,2,"plus you've added ""commercials"", tacky.",2/24/2015 11:15,"San Francisco, CA"\r
        570301083672813571,neutral,yvonnalynn,0,"a quoted text
        that spans two lines",24-02-2015 11.15,\r
        """

    @Test("CSV with a column map by name: quoting, CRLF, multi-line fields, extras, metrics")
    func csvWithMap() throws {
        let map = try ImportOptions.parseColumnMap("id=tweet_id,text=text,author=name,created_at=tweet_created")
        let r = try importText(Self.airlineLike, name: "air.csv", ImportOptions(columnMap: map, platform: "twitter"))
        #expect(r.format == .csv)
        #expect(r.issues.isEmpty)
        #expect(r.posts.map(\.id) == ["570306133677760513", "570301130888122368", "570301083672813571"])
        #expect(r.posts[1].text == "plus you've added \"commercials\", tacky.")
        #expect(r.posts[2].text == "a quoted text\nthat spans two lines")
        #expect(r.posts.map(\.author) == ["cairdin", "jnardino", "yvonnalynn"])
        #expect(r.posts.map { $0.createdAt.map(PostTime.iso8601) } ==
                ["2015-02-24T11:35:00Z", "2015-02-24T11:15:00Z", "2015-02-24T11:15:00Z"])
        #expect(r.posts[1].metrics == ["reshares": 2])
        #expect(r.posts[1].platform == "twitter")
        // Unmapped columns become string extras; empty ones are left out.
        #expect(JSONValue.object(r.posts[1].extras) == .object([
            ("airline_sentiment", .string("positive")), ("tweet_location", .string("San Francisco, CA")),
        ]))
    }

    @Test("tweets exported to tables keep Twitter's &amp; escapes; --platform twitter undoes them, nothing else")
    func twitterEscapesInTables() throws {
        let csv = "id,text\n1,jobs &amp; wealth &lt;3 &copy;\n"
        let tweets = try importText(csv, name: "t.csv", ImportOptions(platform: "twitter"))
        #expect(tweets.posts.first?.text == "jobs & wealth <3 &copy;")
        let plain = try importText(csv, name: "t.csv")
        #expect(plain.posts.first?.text == "jobs &amp; wealth &lt;3 &copy;")
        let lines = try importText("a &gt; b\n", name: "l.txt", ImportOptions(format: .lines, platform: "twitter"))
        #expect(lines.posts.first?.text == "a > b")
    }

    @Test("CSV without a map matches columns by name and common aliases")
    func csvAliases() throws {
        let r = try importText(Self.airlineLike, name: "air.csv")
        #expect(r.posts.map(\.author) == ["cairdin", "jnardino", "yvonnalynn"])
        #expect(r.posts.first?.createdAt != nil)
        let other = try importText("status_id,screen_name,content,date,language\n1,@amy,hello,2014-08-15,en\n", name: "x.csv")
        let post = try #require(other.posts.first)
        #expect(post.id == "1" && post.author == "amy" && post.text == "hello" && post.lang == "en")
        #expect(post.createdAt.map(PostTime.iso8601) == "2014-08-15T00:00:00Z")
    }

    @Test("header-less CSV with a map by column number (Sentiment140's layout)")
    func csvByNumber() throws {
        let text = "\"0\",\"1467810369\",\"Mon Apr 06 22:19:45 PDT 2009\",\"NO_QUERY\",\"_TheSpecialOne_\",\"@switchfoot awww\"\n"
            + "\"4\",\"1467810672\",\"Mon Apr 06 22:19:49 PDT 2009\",\"NO_QUERY\",\"scotthamilton\",\"is upset\"\n"
        let map = try ImportOptions.parseColumnMap("id=2, text=6, author=5, created_at=3")
        let r = try importText(text, name: "s.csv", ImportOptions(columnMap: map))
        #expect(r.issues.isEmpty)
        #expect(r.posts.map(\.id) == ["1467810369", "1467810672"])
        #expect(r.posts.first?.createdAt.map(PostTime.iso8601) == "2009-04-07T05:19:45Z")
        #expect(r.posts.first?.extras.map(\.0) == ["column1", "column4"])
    }

    @Test("bad rows are issues with their first line; the rest still come")
    func badRows() throws {
        let text = "id,text,likes\n1,good,3\n,no id,1\n3,,2\n4,\"multi\nline\",x,extra\n5,fine,1e0\n"
        let r = try importText(text, name: "t.csv")
        #expect(r.posts.map(\.id) == ["1", "5"])
        #expect(r.posts.first?.metrics == ["likes": 3])
        #expect(r.issues.map(\.line) == [3, 4, 5])
        #expect(r.issues.map(\.reason) == [
            "empty id (column 'id')", "empty text (column 'text')", "row has 4 fields but the header has 3",
        ])
    }

    @Test("invalid UTF-8 in a row is an issue; Latin-1 decodes it")
    func csvEncoding() throws {
        let bytes = Array("id,text\n1,".utf8) + [0x63, 0x61, 0x66, 0xE9] + Array("\n2,ok\n".utf8)
        let r = try importAll(try temporaryFile(bytes, name: "l.csv"))
        #expect(r.posts.map(\.id) == ["2"])
        #expect(r.issues.first?.reason == "invalid UTF-8 at byte 5 (is the file Latin-1? try --encoding latin1)")
        #expect(r.issues.first?.line == 2)
        let latin = try importAll(try temporaryFile(bytes, name: "l.csv"), ImportOptions(encoding: .latin1))
        #expect(latin.posts.map(\.text) == ["café", "ok"])
    }

    @Test("without an id column, ids come from --id-prefix and the line; without either, an error")
    func idPrefix() throws {
        let text = ",count,tweet\n0,3,first\n1,3,\"second\nspans\"\n2,3,third\n"
        let r = try importText(text, name: "d.csv", ImportOptions(idPrefix: "dav"))
        #expect(r.posts.map(\.id) == ["dav-2", "dav-3", "dav-5"])
        #expect(r.posts.first?.extras.map(\.0) == ["column1", "count"])
        let byIndex = try importText(text, name: "d.csv", ImportOptions(columnMap: ["id": "1"]))
        #expect(byIndex.posts.map(\.id) == ["0", "1", "2"])
        #expect {
            try ImportStream(path: try temporaryFile(text, name: "d.csv"), options: ImportOptions())
        } throws: { error in
            let m = (error as? ImportError)?.message ?? ""
            return m.contains("no id column") && m.contains("--id-prefix") && m.contains("3:tweet")
        }
    }

    @Test("column map errors name the problem", arguments: [
        ("txt=text", "unknown field 'txt'"),
        ("text=body", "no column named 'body'"),
        ("text=9", "column 9 for 'text' is out of range"),
        ("text=2,author=2", "mapped twice"),
    ])
    func mapErrors(_ spec: String, _ message: String) throws {
        let map = try ImportOptions.parseColumnMap(spec)
        #expect {
            try ImportStream(path: try temporaryFile("id,text\n1,a\n", name: "m.csv"), options: ImportOptions(columnMap: map))
        } throws: { error in
            (error as? ImportError)?.message.contains(message) == true
        }
    }

    @Test("a malformed --map entry is rejected")
    func badMapSpec() {
        #expect(throws: ImportError.self) { try ImportOptions.parseColumnMap("id") }
        #expect(throws: ImportError.self) { try ImportOptions.parseColumnMap("id=,text=2") }
    }

    @Test("TSV: a record is one line; well-formed quotes are unwrapped, a stray quote is kept")
    func tsv() throws {
        let text = "id\tuser\tlabel\ttext\n1\tu1\tes\t\"@a: quoted, with \"\"inner\"\"\"\n2\tu2\tpt\t\"never closed\n3\tu3\tes\tplain \n"
        let r = try importText(text, name: "lid.tsv")
        #expect(r.format == .tsv)
        #expect(r.issues.isEmpty)
        #expect(r.posts.map(\.text) == ["@a: quoted, with \"inner\"", "\"never closed", "plain"])
        #expect(r.posts.map(\.author) == ["u1", "u2", "u3"])
        #expect(r.posts.first?.extras.map(\.0) == ["label"])
    }

    @Test("Orange .tab: three header lines, mapped columns, ids from the file stem")
    func orange() throws {
        let text = "Is retweet\tTime\tLanguage\tRetweet count\tFavorite count\tAuthor\tContent\tOriginal author\tPlace\r\n"
            + "discrete\ttime\tdiscrete\tcontinuous\tcontinuous\tdiscrete\tstring\tstring\tstring\r\n"
            + "\t\t\t\t\tclass\tmeta\tmeta\tmeta\r\n"
            + "False\t2016-09-28 00:22:34\ten\t218.0\t651.0\tHillaryClinton\tThe question\t\t\r\n"
            + "True\t2016-09-27 23:45:00\ten\t2445.0\t5308.0\tHillaryClinton\t\"Said \"\"smart.\"\" Unpatriotic.\"\ttimkaine\t\r\n"
        let r = try importText(text, name: "election.tab")
        #expect(r.format == .orange)
        #expect(r.issues.isEmpty)
        #expect(r.posts.map(\.id) == ["election-4", "election-5"])
        let rt = r.posts[1]
        #expect(rt.text == "Said \"smart.\" Unpatriotic.")
        #expect(rt.author == "HillaryClinton" && rt.isReshare && rt.reshareAuthor == "timkaine")
        #expect(rt.metrics == ["reshares": 2445, "likes": 5308] && rt.lang == "en")
        #expect(rt.createdAt.map(PostTime.iso8601) == "2016-09-27T23:45:00Z")
        #expect(!r.posts[0].isReshare)
    }

    @Test("a .tab file that is not Orange reads as TSV")
    func tabAsTSV() throws {
        let r = try importText("id\ttext\n1\thello\n", name: "plain.tab")
        #expect(r.format == .tsv)
        #expect(r.posts.map(\.text) == ["hello"])
    }

    @Test("lines: one text a line, ids from the stem (or the prefix) and the line, blank lines skipped")
    func lines() throws {
        let r = try importText("first tweet \r\n\n  second  \nthird", name: "train_text.txt")
        #expect(r.format == .lines)
        #expect(r.posts.map(\.id) == ["train_text-1", "train_text-3", "train_text-4"])
        #expect(r.posts.map(\.text) == ["first tweet", "second", "third"])
        let prefixed = try importText("a\nb\n", name: "x.txt", ImportOptions(idPrefix: "hate:"))
        #expect(prefixed.posts.map(\.id) == ["hate:1", "hate:2"])
    }

    @Test("field splitting follows RFC 4180", arguments: [
        ("a,b,c", ["a", "b", "c"]),
        ("a,,c,", ["a", "", "c", ""]),
        ("\"a,b\",\"c\"\"d\"", ["a,b", "c\"d"]),
        ("\"x\"tail,y", ["xtail", "y"]),
        ("ab\"c,d", ["ab\"c", "d"]),
        ("\"open,d", ["\"open", "d"]),
        ("", [""]),
    ])
    func fields(_ row: String, _ expected: [String]) {
        let fields = TableFields.split(Array(row.utf8), separator: 0x2C).map { String(decoding: $0, as: UTF8.self) }
        #expect(fields == expected)
    }
}
