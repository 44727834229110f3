// Golden tests of the analyser: input text -> compact token string, one row per rule.
// Compact form: words as their folded text, other kinds as kind:normalized, space separated.
import StarlingAnalysis
import StarlingModel
import Testing

private func compact(_ a: Analysis) -> String {
    a.tokens.map { t in
        switch t.kind {
        case .word, .number: return t.normalized
        default: return "\(t.kind.rawValue):\(t.normalized)"
        }
    }.joined(separator: " ")
}

@Suite struct AnalyzerGoldenTests {
    /// One analyser per test instance: analysers are not thread-safe and tests run in parallel.
    let analyzer: Analyzer = try! Analyzer()

    static let table: [(String, String)] = [
        ("Hello World", "hello world"),
        ("#BlackLivesMatter now", "hashtag:blacklivesmatter now"),
        ("RT @BBCNews: Fire in #London", "mention:bbcnews fire in hashtag:london"),
        ("@user hi", "mention:user hi"),
        ("buy $AAPL and $TSLA today, not $5", "buy cashtag:aapl and cashtag:tsla today not 5"),
        ("see https://www.BBC.co.uk/news?utm_source=tw#top.", "see url:https://www.bbc.co.uk/news"),
        ("link http://t.co/abc123, ok", "link url:http://t.co/abc123 ok"),
        ("I 👍🏽 this 🔥🔥", "i emoji:👍 this emoji:🔥 emoji:🔥"),
        ("family 👨‍👩‍👧 and flag 🇫🇷", "family emoji:👨‍👩‍👧 and flag emoji:🇫🇷"),
        ("keycap 1️⃣ done", "keycap emoji:1⃣ done"),
        ("𝐛𝐨𝐥𝐝 ｆｕｌｌ", "bold full"),
        ("Café CAFÉ", "café café"),
        ("isn’t it", "isn't it"),
        ("e-mail me", "e mail me"),
        ("a#b is not a tag, &#39; neither", "a b is not a tag 39 neither"),
        ("email me@example.com", "email me@example.com"),  // ICU keeps an e-mail address whole
        ("#100 is not a tag but #100days is", "100 is not a tag but hashtag:100days is"),
        ("東京タワー", "東京タワー"),  // ICU's dictionary knows the name
        ("zero\u{200B}width", "zero width"),
    ]

    @Test(arguments: table)
    func golden(_ row: (String, String)) {
        #expect(compact(analyzer.analyze(row.0)) == row.1, "input: \(row.0)")
    }

    @Test func hashtagWords() {
        let cases: [(String, [String])] = [
            ("#BlackLivesMatter", ["black", "lives", "matter"]),
            ("#NASAMission", ["nasa", "mission"]),
            ("#COVID19Vaccine", ["covid", "19", "vaccine"]),
            ("#black_lives", ["black", "lives"]),
            ("#ferguson", ["ferguson"]),
        ]
        for (text, words) in cases {
            #expect(analyzer.analyze(text).hashtags.first?.words == words, "\(text)")
        }
    }

    @Test func reshareMarker() {
        let a = analyzer.analyze("!!! RT @mayasolovely: As a woman")
        #expect(a.isReshare)
        #expect(a.reshareAuthor == "mayasolovely")
        #expect(!compact(a).contains("rt "))
        let b = analyzer.analyze("Smart move @x, RT if you agree")
        #expect(!b.isReshare)
    }

    @Test func urlsUseTheExpandedForm() {
        let a = analyzer.analyze("read http://t.co/KUZQGasFgA",
                                 links: [PostURL(url: "http://t.co/KUZQGasFgA", expanded: "http://news.bbc.co.uk/x?fbclid=1&a=2")])
        #expect(a.urls.first?.canonical == "http://news.bbc.co.uk/x?a=2")
        #expect(a.urls.first?.domains == ["news.bbc.co.uk", "bbc.co.uk"])
        #expect(a.urls.first?.expanded == "http://news.bbc.co.uk/x?fbclid=1&a=2")
    }

    /// Offsets point into the original text: every token's text is exactly the bytes it spans.
    @Test func offsetsCoverTheOriginalText() {
        for (text, _) in Self.table {
            let a = analyzer.analyze(text)
            let bytes = Array(text.utf8)
            for t in a.tokens {
                #expect(String(decoding: bytes[t.start..<t.end], as: UTF8.self) == t.text, "\(text): \(t)")
            }
            // Positions never go backwards.
            #expect(zip(a.tokens, a.tokens.dropFirst()).allSatisfy { $0.position < $1.position })
        }
    }

    /// Folding is idempotent: analysing the normalised text again gives the same word terms.
    @Test func normalisationIsIdempotent() {
        for (text, _) in Self.table {
            let once = Normalizer.fold(text)
            #expect(Normalizer.fold(once) == once, "\(text)")
        }
    }
}
