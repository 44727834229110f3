// The extraction API: twitter-text's extractor (mentions, lists, replies, hashtags, cashtags, URLs) with indices
// in UTF-16 code units, as the platforms and the conformance suite count them. Built on SocialScanner.

/// An entity extracted from text.
public struct SocialEntity: Sendable, Equatable {
    /// What it is.
    public var kind: EntityKind
    /// The value without its sigil: screen name, hashtag, cashtag, or the URL as written.
    public var value: String
    /// For a list mention (`@user/list`): the slug with its slash, `/list`.
    public var listSlug: String?
    /// UTF-16 offsets of the whole entity (sigil and list slug included).
    public var utf16Range: Range<Int>
    /// UTF-8 offsets of the whole entity.
    public var utf8Range: Range<Int>

    /// An entity.
    public init(kind: EntityKind, value: String, listSlug: String? = nil, utf16Range: Range<Int>, utf8Range: Range<Int>) {
        self.kind = kind
        self.value = value
        self.listSlug = listSlug
        self.utf16Range = utf16Range
        self.utf8Range = utf8Range
    }
}

/// Extracts social entities the way twitter-text does. Immutable and thread-safe.
public struct SocialExtractor: Sendable {
    /// The scanner doing the work.
    public let scanner: SocialScanner

    /// An extractor with the given TLD list.
    public init(tlds: TopLevelDomains) {
        scanner = SocialScanner(tlds: tlds)
    }

    /// An extractor with the standard TLD list from analyzers/.
    public init() throws {
        self.init(tlds: try AnalyzerConfiguration.shared.get().tlds)
    }

    /// Every entity, overlaps resolved (the earlier wins; a URL wins over a tag starting at the same place).
    public func entities(in text: String) -> [SocialEntity] { run(text) { scanner.scan($0) } }

    /// Mentions of users and of lists (`@user/list`).
    public func mentionsOrLists(in text: String) -> [SocialEntity] { run(text) { scanner.mentions($0) } }

    /// Mentions of users (list mentions left out).
    public func mentions(in text: String) -> [SocialEntity] { mentionsOrLists(in: text).filter { $0.listSlug == nil } }

    /// Hashtags; those inside a URL (`http://x.com/#tag`) are not hashtags.
    public func hashtags(in text: String) -> [SocialEntity] {
        run(text) { b in
            let tags = scanner.hashtags(b)
            if tags.isEmpty { return tags }
            let links = scanner.urls(b)
            if links.isEmpty { return tags }
            // twitter-text's removeOverlappingEntities: by start, URLs first on ties; a later overlapping one goes.
            let all = (links + tags).enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }
            var kept = [EntitySpan]()
            for (_, e) in all {
                if let last = kept.last, last.end > e.start { continue }
                kept.append(e)
            }
            return kept.filter { $0.kind == .hashtag }
        }
    }

    /// Cashtags.
    public func cashtags(in text: String) -> [SocialEntity] { run(text) { scanner.cashtags($0) } }

    /// URLs, with or without a scheme.
    public func urls(in text: String) -> [SocialEntity] { run(text) { scanner.urls($0) } }

    /// The screen name a reply is addressed to (`@user` at the very start), or nil.
    public func replyScreenName(in text: String) -> String? {
        var copy = text
        return copy.withUTF8 { b in
            scanner.reply(b).map { String(decoding: UnsafeBufferPointer(rebasing: b[$0]), as: UTF8.self) }
        }
    }

    private func run(_ text: String, _ find: (UnsafeBufferPointer<UInt8>) -> [EntitySpan]) -> [SocialEntity] {
        var copy = text
        return copy.withUTF8 { b in
            let spans = find(b)
            if spans.isEmpty { return [] }
            var index = UTF16Index(b)
            return spans.map { e in
                let value = String(decoding: UnsafeBufferPointer(rebasing: b[e.bodyStart..<e.bodyEnd]), as: UTF8.self)
                let slug = e.kind == .mention && e.bodyEnd < e.end
                    ? String(decoding: UnsafeBufferPointer(rebasing: b[e.bodyEnd..<e.end]), as: UTF8.self) : nil
                return SocialEntity(kind: e.kind, value: value, listSlug: slug,
                                    utf16Range: index.offset(e.start)..<index.offset(e.end), utf8Range: e.start..<e.end)
            }
        }
    }
}

/// Converts UTF-8 offsets into UTF-16 offsets, walking forward (offsets asked in increasing order are O(n) in all).
struct UTF16Index {
    private let b: UnsafeBufferPointer<UInt8>
    private var byte = 0
    private var unit = 0

    init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

    mutating func offset(_ target: Int) -> Int {
        if target < byte {
            byte = 0
            unit = 0
        }
        while byte < target {
            let c = b[byte]
            if c < 0x80 { byte += 1; unit += 1 } else if c < 0xE0 { byte += 2; unit += 1 } else if c < 0xF0 {
                byte += 3
                unit += 1
            } else {
                byte += 4
                unit += 2  // a supplementary-plane scalar is a surrogate pair
            }
        }
        return unit
    }
}
