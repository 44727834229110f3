// Query strings are decoded as forms encode them, so `q=office+another` is two words, as browsers and Python's
// urlencode send it.
import Testing
@testable import StarlingService

@Suite("Query-string decoding")
struct ParametersTests {
    @Test("form decoding", arguments: [
        ("q=office+another", "q", "office another"),
        ("q=office%20another", "q", "office another"),
        ("q=a%2Bb", "q", "a+b"),
        ("q=%23tag+%40user+%24AAPL", "q", "#tag @user $AAPL"),
        ("q=caf%C3%A9&limit=3", "q", "café"),
        ("limit=3&q=x&q=y", "q", "x"),
        ("collapse", "collapse", ""),
        ("q=a=b", "q", "a=b"),
    ])
    func decode(query: String, name: String, value: String) {
        #expect(Parameters.decode(query)[name] == value)
    }

    @Test("absent names are absent")
    func absent() {
        #expect(Parameters.decode("q=x")["limit"] == nil)
        #expect(Parameters.decode("").isEmpty)
    }
}
