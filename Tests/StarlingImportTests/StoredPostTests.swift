// The stored form of a post (StoredPost): every JSON value round-trips with its key order, JSON text written by
// earlier versions still reads, damaged data is an error with an offset, and real posts get smaller.
import Foundation
import StarlingModel
import Testing
@testable import StarlingImport

@Suite("Stored post")
struct StoredPostTests {
    static func roundTrips(_ value: JSONValue) -> Bool {
        guard let back = try? StoredPost.decode(StoredPost.encode(value)) else { return false }
        // Equal as values and as text (key order, int versus double).
        return back == value && back.jsonText == value.jsonText
    }

    @Test("values of every kind round-trip, key order kept")
    func values() {
        let cases: [JSONValue] = [
            .null, .bool(true), .bool(false), .int(0), .int(-1), .int(Int64.max), .int(Int64.min),
            .double(0.5), .double(-1e300), .double(3.0), .string(""), .string("héllo 🐦\n\"quoted\""),
            .array([]), .array([.int(1), .string("two"), .null, .array([.bool(true)])]),
            .object([]), .object([("zeta", .int(1)), ("id", .string("x")), ("alpha", .object([("text", .null)]))]),
        ]
        for c in cases { #expect(Self.roundTrips(c), "\(c.jsonText)") }
    }

    @Test("strings with a short form come back exactly, look-alikes stay strings")
    func specialStrings() {
        let strings = [
            "0", "7", "500311153583853570", "18446744073709551615", "9999999999999999999", "00", "007", "-5", "1.5",
            "12345678901234567890", "2014-08-15T16:25:33Z", "1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
            "2016-02-29T12:00:00Z", "2015-02-29T12:00:00Z", "2014-08-15T16:25:33.5Z", "2014-08-15 16:25:33Z",
            "2014-13-01T00:00:00Z", "2014-08-15T24:00:00Z", "twitter", "Twitter", "mastodon ",
        ]
        for s in strings {
            #expect(Self.roundTrips(.string(s)), "\(s)")
            #expect(Self.roundTrips(.object([("created_at", .string(s)), ("id", .string(s))])), "\(s)")
        }
        // The short forms are used: an id and a time take a few bytes.
        let post = JSONValue.object([("id", .string("500311153583853570")), ("created_at", .string("2014-08-15T16:25:33Z")),
                                     ("platform", .string("twitter"))])
        #expect(StoredPost.encode(post).count < 25)
    }

    @Test("every day from 1600 to 2400 prints back as parsed")
    func calendar() {
        var day = Date(timeIntervalSince1970: -11_676_096_000)  // 1600-01-01
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        while day.timeIntervalSince1970 < 13_569_465_600 {  // 2400-01-01
            let text = formatter.string(from: day)
            #expect(Self.roundTrips(.string(text)), "\(text)")
            day += 86_400 * 7 + 3_661
        }
    }

    @Test("JSON text from earlier versions reads back")
    func legacy() throws {
        let text = NativeFormatTests.designExample
        let value = try StoredPost.decode(Array(text.utf8))
        #expect(value == (try JSONParser.parse(text)))
        #expect(StoredPost.post(Array(text.utf8))?.author == "BBCNewsUS")
        #expect(StoredPost.jsonText(Array(text.utf8)) == (try JSONParser.parse(text)).jsonText)
    }

    @Test("damaged data is an error that says where")
    func damaged() {
        let good = StoredPost.encode(try! JSONParser.parse(NativeFormatTests.designExample))
        for cut in [1, 2, 10, good.count - 1] {
            #expect(throws: StoredPostError.self) { try StoredPost.decode(Array(good.prefix(cut))) }
        }
        let bad: [(bytes: [UInt8], offset: Int)] = [
            ([0x01, 0x7F], 1),  // unknown tag
            ([0x01, 0x07, 0x01, 0x7E, 0x00], 3),  // unknown key code
            ([0x01, 0x06, 0xFF, 0xFF, 0xFF, 0x0F], 2),  // a count larger than the data
            ([0x01, 0x00, 0x00], 2),  // bytes after the value
        ]
        for b in bad {
            do {
                _ = try StoredPost.decode(b.bytes)
                Issue.record("no error for \(b.bytes)")
            } catch let e as StoredPostError {
                #expect(e.offset == b.offset, "\(e)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        #expect(StoredPost.post([0x01, 0x7F]) == nil)
        #expect(throws: StoredPostError.self) { try StoredPost.decode(Array("{\"id\":".utf8)) }
    }

    @Test("real posts round-trip and get smaller", .enabled(if: SharedData.available, "../shared/data is absent"))
    func realPosts() throws {
        var json = 0
        var stored = 0
        var count = 0
        for file in ["corpora/pheme/tweets-v1.jsonl"] {
            for post in try importAll(SharedData.path(file)).posts {
                let value = post.nativeJSON
                let bytes = StoredPost.encode(post)
                #expect(try StoredPost.decode(bytes) == value, "\(post.id)")
                #expect(StoredPost.post(bytes) == post, "\(post.id)")
                json += post.nativeJSONText.utf8.count
                stored += bytes.count
                count += 1
            }
        }
        #expect(count == 4804)
        // PHEME posts carry author, time, urls and metrics: the JSON syntax around them is a large share.
        #expect(Double(stored) < 0.85 * Double(json), "\(stored) stored bytes against \(json) of JSON")
    }
}
