// The twitter-text conformance suite (../shared/data/conformance/twitter-text/extract.yml and tlds.yml) run against
// SocialExtractor. Each section prints its pass count, so the log shows where the extractor stands; any failing
// case fails the test with its description, text, expectation and what was extracted.
import Foundation
import StarlingAnalysis
import Testing

/// The sections of extract.yml Starling implements, and what each compares.
private enum Section: String, CaseIterable, CustomTestStringConvertible {
    case mentions, mentions_with_indices, mentions_or_lists_with_indices, replies
    case urls, urls_with_indices, urls_with_directional_markers, tco_urls_with_params
    case hashtags, hashtags_from_astral, hashtags_with_indices
    case cashtags, cashtags_with_indices

    var testDescription: String { rawValue }

    /// What the extractor gives, in the suite's terms: values, or value + list slug + UTF-16 indices.
    func extract(_ x: SocialExtractor, _ text: String) -> YAML {
        func values(_ es: [SocialEntity]) -> YAML { .list(es.map { .string($0.value) }) }
        func indexed(_ es: [SocialEntity], key: String, slug: Bool = false) -> YAML {
            .list(es.map { e in
                var m: [(String, YAML)] = [(key, .string(e.value))]
                if slug { m.append(("list_slug", .string(e.listSlug ?? ""))) }
                m.append(("indices", .list([.int(e.utf16Range.lowerBound), .int(e.utf16Range.upperBound)])))
                return .map(m)
            })
        }
        switch self {
        case .mentions: return values(x.mentions(in: text))
        case .mentions_with_indices: return indexed(x.mentions(in: text), key: "screen_name")
        case .mentions_or_lists_with_indices: return indexed(x.mentionsOrLists(in: text), key: "screen_name", slug: true)
        case .replies: return x.replyScreenName(in: text).map(YAML.string) ?? .null
        case .urls, .tco_urls_with_params: return values(x.urls(in: text))
        case .urls_with_indices, .urls_with_directional_markers: return indexed(x.urls(in: text), key: "url")
        case .hashtags, .hashtags_from_astral: return values(x.hashtags(in: text))
        case .hashtags_with_indices: return indexed(x.hashtags(in: text), key: "hashtag")
        case .cashtags: return values(x.cashtags(in: text))
        case .cashtags_with_indices: return indexed(x.cashtags(in: text), key: "cashtag")
        }
    }
}

/// The expectation in a comparable shape: maps keep their keys in the suite's order.
private func normalise(_ y: YAML) -> YAML {
    if case .list(let l) = y { return .list(l.map(normalise)) }
    if case .map(let m) = y {
        let order = ["screen_name", "hashtag", "cashtag", "url", "list_slug", "indices"]
        return .map(m.sorted { (order.firstIndex(of: $0.0) ?? 99) < (order.firstIndex(of: $1.0) ?? 99) })
    }
    return y
}

@Suite(.enabled(if: SharedData.available, "../shared/data/conformance/twitter-text is absent"))
struct TwitterTextExtractTests {
    static let suite: YAML? = {
        guard SharedData.available else { return nil }
        return try? MiniYAML.parse(SharedData.read(SharedData.twitterText.appendingPathComponent("extract.yml")))
    }()

    let extractor: SocialExtractor = try! SocialExtractor()

    @Test func everySectionIsPresent() throws {
        let tests = try #require(Self.suite?["tests"]?.entries, "extract.yml did not parse")
        for s in Section.allCases {
            #expect(tests.contains { $0.0 == s.rawValue }, "section \(s.rawValue) missing from extract.yml")
        }
    }

    @Test(arguments: Section.allCases)
    fileprivate func section(_ s: Section) throws {
        let cases = try #require(Self.suite?["tests"]?[s.rawValue]?.list, "section \(s.rawValue) missing")
        var passed = 0
        for c in cases {
            let text = try #require(c["text"]?.string)
            let expected = normalise(c["expected"] ?? .null)
            let got = s.extract(extractor, text)
            if got == expected {
                passed += 1
            } else {
                Issue.record("""
                    \(s.rawValue): \(c["description"]?.string ?? "?")
                      text:     \(text.debugDescription)
                      expected: \(expected)
                      got:      \(got)
                    """)
            }
        }
        print("twitter-text extract.yml \(s.rawValue): \(passed)/\(cases.count) passed")
        #expect(passed == cases.count)
        #expect(cases.count > 0)
    }

    /// tlds.yml: a URL on every TLD of the generated list's source is found whole.
    @Test func everyTLD() throws {
        let source = try MiniYAML.parse(SharedData.read(SharedData.twitterText.appendingPathComponent("tlds.yml")))
        let sections = try #require(source["tests"]?.entries)
        for (name, cases) in sections {
            var passed = 0
            let list = cases.list ?? []
            for c in list {
                let text = c["text"]?.string ?? ""
                let got = extractor.urls(in: text).map(\.value)
                let want = (c["expected"]?.list ?? []).compactMap(\.string)
                if got == want { passed += 1 } else { Issue.record("tlds.yml \(name): \(text) -> \(got)") }
            }
            print("twitter-text tlds.yml \(name): \(passed)/\(list.count) passed")
            #expect(passed == list.count)
        }
    }
}

/// The YAML reader itself, on the shapes the suites use.
@Suite struct MiniYAMLTests {
    @Test func shapes() throws {
        let y = try MiniYAML.parse("""
            tests:
              a:
                - description: "one"
                  text: "x \\U0001F600 \\u00e9\\n"
                  expected: ["p", "q"]

                # a comment
                - description: "two"
                  text: "y"
                  expected:
                    - url: "http://a.b"
                      indices: [0, 10]
                - description: "three"
                  expected:
              b:
              - text: plain words
            """)
        let a = try #require(y["tests"]?["a"]?.list)
        #expect(a.count == 3)
        #expect(a[0]["text"] == .string("x \u{1F600} é\n"))
        #expect(a[0]["expected"] == .list([.string("p"), .string("q")]))
        #expect(a[1]["expected"]?.list?.first?["indices"] == .list([.int(0), .int(10)]))
        #expect(a[2]["expected"] == .null)
        #expect(y["tests"]?["b"]?.list?.first?["text"] == .string("plain words"))
    }
}
