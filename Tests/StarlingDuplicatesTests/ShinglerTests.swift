// Shingling: which texts count as the same (reshare prefixes, mentions, links, case, hashtags) and which not.
import StarlingAnalysis
import StarlingDuplicates
import Testing

@Suite struct ShinglerTests {
    /// One analyser per test instance: analysers are not thread-safe and tests run in parallel.
    let analyzer: Analyzer = try! Analyzer()
    let shingler = Shingler()

    func shingles(_ text: String) -> [UInt32] { shingler.shingles(analyzer.analyze(text)) }

    /// Pairs that must have the same shingle set (Jaccard 1).
    static let same: [(String, String)] = [
        ("Police fire tear gas at protesters in Ferguson tonight",
         "RT @BBCBreaking: Police fire tear gas at protesters in Ferguson tonight"),
        ("@alice Police fire tear gas at protesters in Ferguson tonight",
         "@bob Police fire tear gas at protesters in Ferguson tonight"),
        ("Police fire tear gas at protesters in Ferguson tonight http://t.co/abc",
         "Police fire tear gas at protesters in Ferguson tonight https://bbc.in/xyz"),
        ("Police fire tear gas at protesters in #Ferguson tonight",
         "police FIRE tear gas at protesters in ferguson tonight"),
        ("𝐏𝐨𝐥𝐢𝐜𝐞 fire tear gas", "Police fire tear gas"),
        ("Police fire tear gas http", "Police fire tear gas"),
    ]

    /// Pairs that must differ.
    static let different: [(String, String)] = [
        ("Police fire tear gas at protesters", "Protesters fire tear gas at police"),
        ("buy $AAPL today", "buy $TSLA today"),
        ("I love it 👍", "I love it 🔥"),
    ]

    @Test(arguments: same)
    func sameText(_ a: String, _ b: String) {
        let x = shingles(a), y = shingles(b)
        #expect(!x.isEmpty)
        #expect(x == y)
        #expect(Shingler.setKey(x) == Shingler.setKey(y))
    }

    @Test(arguments: different)
    func differentText(_ a: String, _ b: String) {
        #expect(shingles(a) != shingles(b))
    }

    /// Shingle counts: n-k+1 for n >= k content tokens, one for shorter texts, none without content.
    @Test(arguments: [
        ("one two three four five", 3), ("one two three", 1), ("one two", 1), ("hello", 1),
        ("@user http://t.co/x", 0), ("", 0), ("RT @user: a b c d", 2),
    ])
    func shingleCount(_ text: String, _ expected: Int) {
        #expect(shingles(text).count == expected)
    }

    @Test func wordShinglesAreSortedAndUnique() {
        let s = shingles("a b c a b c a b c d")
        #expect(s == s.sorted())
        #expect(Set(s).count == s.count)
        #expect(s.count == 4)  // abc bca cab bcd
    }

    @Test func characterShingles() {
        let chars = Shingler(kind: .characters(5))
        let a = chars.shingles(analyzer.analyze("hello world"))
        #expect(a.count == 7)  // "hello world" has 11 characters
        #expect(ShingleKind("char5") == .characters(5))
        #expect(ShingleKind("word3") == .words(3))
        #expect(ShingleKind("bogus") == nil)
    }

    @Test func codingRoundTrips() {
        let s = shingles("the quick brown fox jumps over the lazy dog")
        #expect(ShingleCoding.decode(ShingleCoding.encode(s)) == s)
        #expect(ShingleCoding.decode([1, 2, 3]) == [])
        #expect(ShingleCoding.referencedDocid(ShingleCoding.encode(s)) == nil)
    }

    @Test func referencesAreNeverShingleSets() {
        for docid: UInt32 in [1, 255, 65_536, 4_000_000_000] {
            let bytes = ShingleCoding.reference(to: docid)
            #expect(bytes.count % 4 != 0)
            #expect(ShingleCoding.referencedDocid(bytes) == docid)
            #expect(ShingleCoding.decode(bytes) == [])
        }
        #expect(ShingleCoding.referencedDocid([]) == nil)
        for n in 0..<8 {  // sets of any size, starting with the marker byte or not
            let set = (0..<UInt32(n)).map { 0xFE + $0 * 0x0101_0101 }
            #expect(ShingleCoding.referencedDocid(ShingleCoding.encode(set)) == nil)
        }
    }
}
