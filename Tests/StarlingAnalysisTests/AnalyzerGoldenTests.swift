// Golden tests of the analyser: input text -> compact token string, one row per rule.
// Compact form: words as their folded text, other kinds as kind:normalized, space separated.
import StarlingAnalysis
import StarlingModel
import Testing

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
        // Twitter-text rules (the conformance suite has the full set; these show the analyser keeps them).
        ("RT@user: hi", "mention:user hi"),
        ("@user/list-name is a list", "mention:user list name is a list"),
        ("@aliceìnheiro no", "aliceìnheiro no"),  // an accented letter after a handle: no mention
        ("f@@kn", "f@@kn"),
        ("$BRK.A and $RDS_A, $TEST.", "cashtag:brk.a and cashtag:rds_a cashtag:test"),
        ("$ABCDEFG $x1", "abcdefg x1"),
        ("#tag#more and ##tag", "tag more and hashtag:tag"),
        ("#1hashtag #123", "hashtag:1hashtag 123"),
        ("a ✌️#peace", "a emoji:✌ hashtag:peace"),
        ("#️⃣ keycap", "emoji:#⃣ keycap"),
        ("#日本語ハッシュタグ。", "hashtag:日本語ハッシュタグ"),
        ("http://x.com/#tag", "url:http://x.com/"),  // a tag inside a URL is part of the URL
        // URLs: with a scheme, without one (its words stay words too), trailing punctuation, t.co.
        ("visit bbc.co.uk/news today", "visit url:http://bbc.co.uk/news bbc.co.uk news today"),
        ("see (http://en.wikipedia.org/wiki/Primer_(film)).", "see url:http://en.wikipedia.org/wiki/Primer_(film)"),
        ("http://t.co/abc's site", "url:http://t.co/abc s site"),
        ("long.test.tar.bz2 is a file", "long.test.tar.bz2 is a file"),
        ("http://foo.com:80/a?fbclid=1&x=2#frag", "url:http://foo.com/a?x=2"),
        // Emoji: skin tones and presentation selectors fold; ZWJ sequences, flags, keycaps, tags stay whole.
        ("ok 👍🏿 ❤️ ❤", "ok emoji:👍 emoji:❤ emoji:❤"),
        ("🧑🏽‍🚒 🏴󠁧󠁢󠁳󠁣󠁴󠁿", "emoji:🧑‍🚒 emoji:🏴󠁧󠁢󠁳󠁣󠁴󠁿"),
        ("🫱🏻‍🫲🏿", "emoji:🫱‍🫲"),
        // Normalisation: fancy letters, full width, bidi and zero-width controls.
        ("𝓼𝓬𝓻𝓲𝓹𝓽 𝔣𝔯𝔞𝔨𝔱𝔲𝔯 Ｔｏｋｙｏ", "script fraktur tokyo"),
        ("\u{202A}abc\u{202C} a\u{200D}b \u{FEFF}c", "abc ab c"),
        ("ﬁne", "fine"),
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
            // One-case tags go through the word-frequency model.
            ("#blacklivesmatter", ["black", "lives", "matter"]),
            ("#BLACKLIVESMATTER", ["black", "lives", "matter"]),
            ("#prayforparis", ["pray", "for", "paris"]),
            ("#blacklivesmatter2016", ["black", "lives", "matter", "2016"]),
            ("#qwzrtxplk", ["qwzrtxplk"]),  // no cover by known words: left whole
            ("#nfl", ["nfl"]),  // too short to split
        ]
        for (text, words) in cases {
            #expect(analyzer.analyze(text).hashtags.first?.words == words, "\(text)")
        }
    }

    @Test func replies() {
        #expect(analyzer.analyze("@user thanks").replyTo == "user")
        #expect(analyzer.analyze("\u{3000}@user thanks").replyTo == "user")
        #expect(analyzer.analyze(".@user thanks").replyTo == nil)
        #expect(analyzer.analyze("RT @user: x").replyTo == nil)
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
