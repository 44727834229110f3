// Finding candidate entities in an analysed post: alias occurrences (as token sequences, also inside hashtags and
// as @mentions) and unambiguous signals (catalogued handles, cashtags, hashtags, links to a homepage domain), plus
// the post's context features the decision is made from. Nothing is decided here.
import Foundation
import StarlingAnalysis

/// Where an alias was seen.
public enum OccurrenceKind: String, Sendable {
    /// In the words of the text.
    case text
    /// Inside a hashtag (`#DeltaAirlines` holds `delta`).
    case hashtag
    /// As a whole @mention (`@delta`).
    case mention
}

/// One entity that a post may be about, with what points to it.
public struct EntityCandidate: Sendable, Equatable {
    /// Index of the entity in the matcher's catalogue.
    public var entity: Int
    /// The first alias occurrence (or the signal) as written.
    public var surface: String
    /// UTF-8 byte range of `surface` in the post text.
    public var start: Int
    /// End of `surface` (exclusive).
    public var end: Int
    /// How the alias was seen; nil when only a signal names the entity.
    public var occurrence: OccurrenceKind?
    /// Whether a multi-word alias matched (`delta air lines`), which is rarely another sense.
    public var multiword: Bool
    /// Strength of the strongest unambiguous signal (0 when none).
    public var signal: Double
    /// The excluded phrase every alias occurrence of the post lies in (`big apple`), when all do and no signal
    /// names the entity: the post names something else, and is decided 0 (corpus mode still learns from it).
    public var excludedBy: String? = nil
    /// Human-readable reasons: signals found.
    public var evidence: [String]
    /// Features of this occurrence, learnt like words: how the alias is written (`~cap` capitalised mid-sentence,
    /// `~capstart`, `~title`, `~low`, `~lowpost`, `~upper`, `~shout`, `~tag`, `~at`, `~poss`; or `^venue` inside a
    /// check-in's venue name, whose capitals are not the writer's), the words right beside it (`<time`, `>cable`:
    /// collocations, stopwords included) and the post's language (`lang:es`).
    public var shape: [String]
    /// Generic "organisation-ness" cues of the occurrence (see `OccurrenceCues`), used by the catalogue-only score.
    public var cues: OccurrenceCues = OccurrenceCues()
    /// Context features of the alias words as they occur here (`delta`; `delta`, `air`, `lin` for "Delta Air
    /// Lines"; `@delta`): never counted as context, since every post of the alias has them. The other words of the
    /// entity's aliases do count (`renfe` beside "cercanías").
    public var matchedFeatures: [String] = []
    /// Whether an occurrence matched a multi-word alias of at least two content words (`warner bros`, `real
    /// madrid`; not `el pais`, whose other word is a stopword): the fuller name, not only the ambiguous word.
    public var specificAlias = false
    /// The word sequences around each alias occurrence in the text, as match keys (`kurt warner`, `delta tau delta`,
    /// `apple store`): the alias with one or two words before or after it, or one on each side, where those words
    /// include a content word; and the words of a hashtag of up to four words holding the alias (`#FlyDelta`: `fly
    /// delta`). What `CorpusLinker.suggestions` ranks as exclusions and keywords (empty at ingest, which never uses them).
    public var phrases: [String] = []
}

/// Generic signs that an alias occurrence names an organisation rather than a common word, and the post's language.
public struct OccurrenceCues: Sendable, Equatable {
    /// Capitalised mid-sentence in a normally cased post (`I flew Delta today`).
    public var capitalisedMidSentence = false
    /// Lower case in a post that capitalises elsewhere (`the river delta`), or an all-lower-case post.
    public var lowerCase = false
    /// Next to an organisation word (`Delta Inc`, `Ford shares`, `Gap store`, `Ford's CEO`).
    public var organisationWord: String? = nil
    /// The post's language when the stopwords say it, else nil.
    public var language: String? = nil

    /// No cue.
    public init() {}
}

/// Everything the decision needs from one post.
public struct PostCandidates: Sendable, Equatable {
    /// Entities the post may be about.
    public var candidates: [EntityCandidate]
    /// The post's context features (unique), alias words included; `EntityMatcher.context` removes a candidate's.
    public var features: [String]
    /// The post's language when its stopwords say it.
    public var language: String? = nil
}

/// An entity prepared for matching.
public struct CompiledEntity: Sendable {
    /// The catalogue entry.
    public let entity: Entity
    /// Each alias as match keys of its tokens.
    public let aliasSequences: [[String]]
    /// Features of the single-word aliases (`delta`): left out of the profile, as every candidate post has them.
    public let aliasFeatures: Set<String>
    /// Features of name, description and keywords, except the single-word aliases; the other words of multi-word
    /// aliases stay (`renfe` of "Cercanías Renfe", `air` of "Delta Air Lines").
    public let profile: Set<String>
    /// Features of the keywords alone (part of `profile`): the catalogue writer's own hints, which corpus mode
    /// does not overrule.
    public let keywords: Set<String>
    /// Features of the negative keywords.
    public let negative: Set<String>
    /// The excluded phrases as match keys of their tokens (`big`, `apple`).
    public let excludedSequences: [[String]]
    /// The language the description is written in, when its stopwords say it.
    public let language: String?
    let handles: Set<String>
    let cashtags: Set<String>
    let hashtags: Set<String>
    let domains: Set<String>
    /// @handles spelt like a homepage's name (`@bestbuy` for bestbuy.com): companies own their name as handle.
    let impliedHandles: Set<String>
    /// Hashtags spelt like a homepage's name that is also a multi-word alias run together (`#realmadrid`).
    let impliedHashtags: Set<String>
}

/// Finds candidates in analysed posts. Immutable and thread-safe: share one between threads.
public struct EntityMatcher: Sendable {
    /// The compiled catalogue, in catalogue order.
    public let entities: [CompiledEntity]
    /// The featurizer used for context.
    public let featurizer: ContextFeaturizer
    private let aliasIndex: [String: [(entity: Int, keys: [String])]]
    private let handleIndex: [String: [Int]]
    private let hashtagIndex: [String: [Int]]
    private let cashtagIndex: [String: [Int]]
    private let domainIndex: [String: [Int]]
    private let excludedIndex: [String: [(entity: Int, keys: [String])]]

    /// Compiles `catalog`; `analyzer` tokenises aliases and descriptions exactly as posts are tokenised.
    public init(catalog: EntityCatalog, analyzer: Analyzer, featurizer: ContextFeaturizer) {
        self.featurizer = featurizer
        var compiled: [CompiledEntity] = []
        var aliasIndex: [String: [(entity: Int, keys: [String])]] = [:]
        var handleIndex: [String: [Int]] = [:]
        var hashtagIndex: [String: [Int]] = [:]
        var cashtagIndex: [String: [Int]] = [:]
        var domainIndex: [String: [Int]] = [:]
        var excludedIndex: [String: [(entity: Int, keys: [String])]] = [:]
        func key(_ s: String) -> String { ContextFeaturizer.matchKey(Normalizer.fold(s)) }
        for (i, e) in catalog.entities.enumerated() {
            var sequences: [[String]] = []
            var aliasFeatures = Set<String>()
            for alias in e.aliases {
                let tokens = analyzer.analyze(alias).tokens.filter { $0.kind == .word || $0.kind == .number }
                let keys = tokens.map { ContextFeaturizer.matchKey($0.normalized) }
                guard !keys.isEmpty, !sequences.contains(keys) else { continue }
                sequences.append(keys)
                if tokens.count == 1, let f = featurizer.feature(tokens[0].normalized) { aliasFeatures.insert(f) }
                aliasIndex[keys[0], default: []].append((i, keys))
            }
            var profileText = e.name + " " + (e.description ?? "")
            profileText += " " + e.keywords.joined(separator: " . ")
            let profile = featurizer.features(ofText: profileText, analyzer: analyzer).subtracting(aliasFeatures)
            let keywords = featurizer.features(ofText: e.keywords.joined(separator: " . "), analyzer: analyzer)
                .subtracting(aliasFeatures)
            let negative = featurizer.features(ofText: e.negativeKeywords.joined(separator: " . "), analyzer: analyzer)
            var excluded: [[String]] = []
            for phrase in e.excludedPhrases {
                let keys = analyzer.analyze(phrase).tokens.filter { $0.kind == .word || $0.kind == .number }
                    .map { ContextFeaturizer.matchKey($0.normalized) }
                guard !keys.isEmpty, !excluded.contains(keys) else { continue }
                excluded.append(keys)
                excludedIndex[keys[0], default: []].append((i, keys))
            }
            let language = e.description.flatMap { d in
                featurizer.language(of: analyzer.analyze(d).tokens.filter { $0.kind == .word }.map(\.normalized))
            }
            let domains = Set(e.domains.map { key($0).trimmingCharacters(in: CharacterSet(charactersIn: ".")) })
            // A homepage's name: the first label that is not `www`.
            let labels = Set(domains.compactMap { d -> String? in
                d.split(separator: ".").first { $0 != "www" }.map(String.init)
            })
            let runTogether = Set(sequences.filter { $0.count > 1 }.map { $0.joined() })
            let handles = Set(e.handles.map { key($0.hasPrefix("@") ? String($0.dropFirst()) : $0) })
            let tags = Set(e.hashtags.map { key($0.hasPrefix("#") ? String($0.dropFirst()) : $0) })
            let implied = labels.subtracting(handles)
            let impliedTags = labels.intersection(runTogether).subtracting(tags)
            for d in domains { domainIndex[d, default: []].append(i) }
            for c in e.cashtags { cashtagIndex[key(c.hasPrefix("$") ? String(c.dropFirst()) : c), default: []].append(i) }
            for h in handles.union(implied) { handleIndex[h, default: []].append(i) }
            for h in tags.union(impliedTags) { hashtagIndex[h, default: []].append(i) }
            compiled.append(CompiledEntity(
                entity: e, aliasSequences: sequences, aliasFeatures: aliasFeatures, profile: profile, keywords: keywords,
                negative: negative, excludedSequences: excluded,
                language: language, handles: handles, cashtags: Set(e.cashtags.map { key($0.hasPrefix("$") ? String($0.dropFirst()) : $0) }),
                hashtags: tags, domains: domains, impliedHandles: implied, impliedHashtags: impliedTags))
        }
        entities = compiled
        // Longest alias first, so `apple inc` wins over `apple` where both start.
        self.aliasIndex = aliasIndex.mapValues { $0.sorted { $0.keys.count > $1.keys.count } }
        self.handleIndex = handleIndex
        self.hashtagIndex = hashtagIndex
        self.cashtagIndex = cashtagIndex
        self.domainIndex = domainIndex
        self.excludedIndex = excludedIndex
    }

    /// The context features of `post` for `candidate`: the post's features without the alias words as matched.
    public func context(_ post: PostCandidates, candidate: EntityCandidate) -> [String] {
        let own = Set(candidate.matchedFeatures)
        return post.features.filter { !own.contains($0) }
    }

    /// Finds the candidate entities of one analysed post. The context features are worked out only when the post
    /// has a candidate or `alwaysFeatures` asks for them (corpus mode counts every post's words); most posts seen
    /// at ingest name no entity, and the features are most of the cost.
    ///
    /// - Complexity: O(t · a) for t tokens and a aliases sharing a first word (usually 1).
    public func candidates(in analysis: Analysis, alwaysFeatures: Bool = true) -> PostCandidates {
        var found: [Int: EntityCandidate] = [:]
        var order: [Int] = []
        func note(_ e: Int, surface: String, start: Int, end: Int, kind: OccurrenceKind?, multiword: Bool,
                  signal: Double, evidence: String?, shape: [String], cues: OccurrenceCues? = nil, matched: [String] = [],
                  excludedBy: String? = nil) {
            let specific = multiword && matched.count >= 2
            if var c = found[e] {
                if excludedBy != nil && c.excludedBy == nil && kind != nil {
                    // An occurrence inside an excluded phrase adds nothing to a plain one but its words.
                    for f in matched where !c.matchedFeatures.contains(f) { c.matchedFeatures.append(f) }
                    found[e] = c
                    return
                }
                if c.excludedBy != nil && excludedBy == nil {
                    // Excluded only while every occurrence is; a signal never is. A plain occurrence replaces the
                    // excluded one's form.
                    c.excludedBy = nil
                    if kind != nil {
                        c.surface = surface; c.start = start; c.end = end; c.occurrence = kind
                        c.cues = cues ?? OccurrenceCues()
                        c.shape = shape
                        c.multiword = multiword
                        c.specificAlias = specific
                    }
                }
                for f in matched where !c.matchedFeatures.contains(f) { c.matchedFeatures.append(f) }
                if c.occurrence == nil, kind != nil {
                    c.surface = surface; c.start = start; c.end = end; c.occurrence = kind
                }
                c.specificAlias = c.specificAlias || specific
                if let cues {
                    c.cues.capitalisedMidSentence = c.cues.capitalisedMidSentence || cues.capitalisedMidSentence
                    c.cues.lowerCase = c.cues.lowerCase && cues.lowerCase
                    c.cues.organisationWord = c.cues.organisationWord ?? cues.organisationWord
                }
                c.multiword = c.multiword || multiword
                c.signal = max(c.signal, signal)
                if let evidence, !c.evidence.contains(evidence) { c.evidence.append(evidence) }
                for s in shape where !c.shape.contains(s) { c.shape.append(s) }
                found[e] = c
            } else {
                var c = EntityCandidate(entity: e, surface: surface, start: start, end: end, occurrence: kind,
                                        multiword: multiword, signal: signal, evidence: evidence.map { [$0] } ?? [],
                                        shape: shape)
                if let cues { c.cues = cues }
                c.matchedFeatures = matched
                c.specificAlias = specific
                c.excludedBy = excludedBy
                found[e] = c
                order.append(e)
            }
        }

        // Alias occurrences in the words: token sequences at consecutive positions.
        let words = analysis.tokens.filter { $0.kind == .word || $0.kind == .number }
        let keys = words.map { ContextFeaturizer.matchKey($0.normalized) }
        var casing: Casing? = nil  // only worked out for posts naming an alias: ingest sees mostly others
        // Words covered by an entity's excluded phrases (`big apple`), worked out only when an alias is found.
        var excludedWords: [Int: [Int: String]]? = nil
        var phrases: [Int: [String]] = [:]
        for (i, k) in keys.enumerated() {
            guard let starts = aliasIndex[k] else { continue }
            var matched = Set<Int>()
            for (e, seq) in starts where !matched.contains(e) {
                guard Self.occurs(seq, in: keys, words: words, at: i) else { continue }
                var excludedBy: String? = nil
                if !excludedIndex.isEmpty {
                    if excludedWords == nil { excludedWords = excludedSpans(keys, words: words) }
                    if let covered = excludedWords?[e], let phrase = covered[i], (i..<(i + seq.count)).allSatisfy({ covered[$0] != nil }) {
                        excludedBy = phrase
                    }
                }
                let last = words[i + seq.count - 1]
                let surface = Self.slice(analysis.text, words[i].start, last.end)
                if casing == nil { casing = Casing(words) }
                let (shape, cues) = Self.occurrence(analysis, words: words, keys: keys, first: i,
                                                    last: i + seq.count - 1, casing: casing ?? Casing(words))
                note(e, surface: surface, start: words[i].start, end: last.end, kind: .text, multiword: seq.count > 1,
                     signal: 0, evidence: nil, shape: shape, cues: cues,
                     matched: words[i..<(i + seq.count)].compactMap { featurizer.feature($0.normalized) },
                     excludedBy: excludedBy)
                // Phrases serve corpus mode's suggestions only: ingest (`alwaysFeatures` false) skips them.
                for p in alwaysFeatures ? Self.phrases(around: i..<(i + seq.count), keys: keys, words: words,
                                                       featurizer: featurizer) : []
                where !(phrases[e]?.contains(p) ?? false) {
                    phrases[e, default: []].append(p)
                }
                matched.insert(e)
            }
        }

        // Hashtags: alias words inside them, or a catalogued / homepage-named tag.
        var hashtagTokens = analysis.tokens.filter { $0.kind == .hashtag }.makeIterator()
        for tag in analysis.hashtags {
            let token = hashtagTokens.next()
            let tagKey = ContextFeaturizer.matchKey(tag.normalized)
            let wordKeys = tag.words.map { ContextFeaturizer.matchKey($0) }
            let start = token?.start ?? 0, end = token?.end ?? 0
            for e in hashtagIndex[tagKey] ?? [] {
                let implied = entities[e].impliedHashtags.contains(tagKey) && !entities[e].hashtags.contains(tagKey)
                note(e, surface: "#" + tag.text, start: start, end: end, kind: nil, multiword: false,
                     signal: implied ? 0.9 : 0.95, evidence: implied ? "hashtag #\(tag.text) (homepage name)" : "hashtag #\(tag.text)",
                     shape: [])
            }
            var candidatesHere = Set<Int>()
            for k in Set(wordKeys + [tagKey]) { for (e, _) in aliasIndex[k] ?? [] { candidatesHere.insert(e) } }
            for e in candidatesHere.sorted() {
                // `#bigapple`, `#applepie`: the tag spells one of the entity's excluded phrases.
                let excludedBy = entities[e].excludedSequences.first { $0.joined() == tagKey || Self.contains(wordKeys, $0) }
                for seq in entities[e].aliasSequences where seq.joined() == tagKey || Self.contains(wordKeys, seq) {
                    note(e, surface: "#" + tag.text, start: start, end: end, kind: .hashtag, multiword: seq.count > 1,
                         signal: 0, evidence: nil, shape: ["~tag"],
                         matched: seq.compactMap { featurizer.feature($0) } + (seq.joined() == tagKey ? ["#" + tagKey] : []),
                         excludedBy: excludedBy?.joined(separator: " "))
                    // A tag of a few words around the alias (`#FlyDelta`, `#AppleMusic`) is a phrase like one in the
                    // text, and an excluded phrase matches both.
                    let extra = wordKeys.filter { !seq.contains($0) }
                    if alwaysFeatures, wordKeys.count > seq.count, wordKeys.count <= 4,
                       extra.contains(where: { featurizer.feature($0) != nil }) {
                        let p = wordKeys.joined(separator: " ")
                        if !(phrases[e]?.contains(p) ?? false) { phrases[e, default: []].append(p) }
                    }
                    break
                }
            }
        }

        // Mentions: a catalogued handle is a signal; an alias spelt as a handle is an occurrence.
        for t in analysis.tokens where t.kind == .mention {
            let k = ContextFeaturizer.matchKey(t.normalized)
            for e in handleIndex[k] ?? [] {
                let implied = entities[e].impliedHandles.contains(k)
                note(e, surface: t.text, start: t.start, end: t.end, kind: nil, multiword: false,
                     signal: implied ? 0.9 : 0.97, evidence: implied ? "handle \(t.text) (homepage name)" : "handle \(t.text)",
                     shape: [])
            }
            for (e, _) in aliasIndex[k] ?? [] {
                if entities[e].aliasSequences.contains(where: { $0.joined() == k }) {
                    note(e, surface: t.text, start: t.start, end: t.end, kind: .mention, multiword: false, signal: 0,
                         evidence: nil, shape: ["~at"], matched: ["@" + k] + [featurizer.feature(k)].compactMap { $0 })
                }
            }
            // Run-together handles of multi-word aliases (`@bestbuy` for "best buy") are occurrences too.
        }

        // Cashtags.
        for t in analysis.tokens where t.kind == .cashtag {
            let k = ContextFeaturizer.matchKey(t.normalized)
            for e in cashtagIndex[k] ?? [] {
                note(e, surface: t.text, start: t.start, end: t.end, kind: nil, multiword: false, signal: 0.97,
                     evidence: "cashtag \(t.text)", shape: [])
            }
        }

        // Links to a homepage domain or its subdomains (Link.domains lists the host and its parents).
        var urlTokens = analysis.tokens.filter { $0.kind == .url }.makeIterator()
        for link in analysis.urls {
            let token = urlTokens.next()
            for d in link.domains {
                for e in domainIndex[d] ?? [] {
                    note(e, surface: link.text, start: token?.start ?? 0, end: token?.end ?? 0, kind: nil,
                         multiword: false, signal: 0.97, evidence: "link to \(d)", shape: [])
                }
            }
        }

        for (e, p) in phrases { found[e]?.phrases = p }
        var candidates = order.compactMap { found[$0] }
        let features = candidates.isEmpty && !alwaysFeatures ? [] : contextFeatures(analysis, words: words)
        let language = candidates.isEmpty ? nil : featurizer.language(of: words.lazy.map(\.normalized))
        if let language {
            for i in candidates.indices {
                candidates[i].shape.append("lang:" + language)
                candidates[i].cues.language = language
            }
        }
        return PostCandidates(candidates: candidates, features: features, language: language)
    }

    /// The post's context features, each once, in text order: its words, then each hashtag (`#tag` and the words
    /// inside it), its mentions (`@handle`) and the domains it links to (`d:example.com`).
    func contextFeatures(_ analysis: Analysis, words: [Token]) -> [String] {
        var features: [String] = []
        var seen = Set<String>()
        func add(_ f: String?) {
            if let f, seen.insert(f).inserted { features.append(f) }
        }
        for w in words { add(featurizer.feature(w.normalized)) }
        for tag in analysis.hashtags {
            add("#" + ContextFeaturizer.matchKey(tag.normalized))
            for w in tag.words { add(featurizer.feature(w)) }
        }
        for t in analysis.tokens where t.kind == .mention { add("@" + ContextFeaturizer.matchKey(t.normalized)) }
        for link in analysis.urls { for d in link.domains { add("d:" + d) } }
        return features
    }

    /// Words that, right after (or right before) a name, say it names an organisation: legal forms, finance,
    /// retail and online presence, in the languages of the stopword lists most used here. Generic, not per entity.
    static let organisationWords: Set<String> = [
        "inc", "corp", "corporation", "co", "company", "ltd", "llc", "plc", "group", "sa", "gmbh", "ag",
        "stock", "stocks", "shares", "share", "shareholders", "investors", "earnings", "ceo", "cfo", "ipo",
        "store", "stores", "shop", "outlet", "outlets", "customer", "customers", "app", "apps", "website",
        "announces", "announced", "launches", "launched", "unveils", "reports", "reported", "says", "said",
        "hires", "buys", "bought", "sells", "acquires", "acquisition", "deal", "brand", "brands", "headquarters",
        "empresa", "compania", "grupo", "tienda", "tiendas", "acciones", "anuncia", "lanza",
    ]

    /// How the post is cased overall: whether capitals say anything about one word.
    struct Casing {
        /// Most words capitalised (headlines, product listings).
        var title = false
        /// (Almost) every letter upper case.
        var shout = false
        /// No capital anywhere.
        var lower = false

        init(_ words: [Token]) {
            var lettered = 0, capitalised = 0, upper = 0, anyUpper = false
            for w in words {
                let letters = w.text.unicodeScalars.filter { $0.properties.isAlphabetic }
                guard let first = letters.first else { continue }
                lettered += 1
                if first.properties.isUppercase { capitalised += 1; anyUpper = true }
                if letters.count > 1, letters.allSatisfy({ $0.properties.isUppercase }) { upper += 1 }
                else if letters.contains(where: { $0.properties.isUppercase }) { anyUpper = true }
            }
            guard lettered > 0 else { return }
            shout = lettered >= 3 && Double(upper) >= 0.7 * Double(lettered)
            title = !shout && lettered >= 4 && Double(capitalised) >= 0.6 * Double(lettered)
            lower = !anyUpper
        }
    }

    /// The learnt features and generic cues of an alias occurrence spanning words `first...last`.
    static func occurrence(_ analysis: Analysis, words: [Token], keys: [String], first: Int, last: Int,
                           casing: Casing) -> (shape: [String], cues: OccurrenceCues) {
        var cues = OccurrenceCues()
        var shape: [String] = []
        let word = words[first]
        let letters = word.text.unicodeScalars.filter { $0.properties.isAlphabetic }
        let text = analysis.text.utf8
        func between(_ a: Int, _ b: Int) -> Substring.UTF8View {
            Substring(analysis.text)[text.index(text.startIndex, offsetBy: a)..<text.index(text.startIndex, offsetBy: b)].utf8
        }
        // Only spaces between two tokens: they are one phrase (a collocation), not across punctuation.
        func adjacent(_ a: Token, _ b: Token) -> Bool {
            a.end <= b.start && between(a.end, b.start).allSatisfy { $0 == 0x20 }
        }
        // The start of a sentence: nothing but spaces, @mentions, RT, links or tags before, or after . ! ? : | etc.
        let sentenceStart: Bool = {
            let before = analysis.tokens.last { $0.end <= word.start }
            guard let before else { return true }
            if before.kind != .word && before.kind != .number {
                return !analysis.tokens.contains { ($0.kind == .word || $0.kind == .number) && $0.end <= word.start
                    && !($0.normalized == "rt") }
            }
            let gap = String(decoding: between(before.end, word.start), as: UTF8.self)
            return gap.contains { ".!?:;|\"“”«»()[]-–—…\n".contains($0) }
        }()
        let capitalised = letters.first?.properties.isUppercase ?? false
        let allUpper = letters.count > 1 && letters.allSatisfy { $0.properties.isUppercase }
        if Self.inCheckInVenue(analysis.text, at: word.start) {
            // A venue's name as the check-in service writes it: its capitals are the venue's, not the writer's.
            shape.append("^venue")
        } else if casing.shout {
            shape.append("~shout")
        } else if allUpper {
            shape.append("~upper")
        } else if capitalised {
            if casing.title { shape.append("~title") }
            else if sentenceStart { shape.append("~capstart") }
            else { shape.append("~cap"); cues.capitalisedMidSentence = true }
        } else {
            shape.append(casing.lower ? "~lowpost" : "~low")
            cues.lowerCase = true
        }
        // Neighbours: the word right before and right after, as stems (stopwords kept: "the gap", "time warner").
        if first > 0, adjacent(words[first - 1], word) {
            let k = keys[first - 1]
            shape.append("<" + ContextFeaturizer.stem(k))
        }
        if last + 1 < words.count, adjacent(words[last], words[last + 1]) {
            let k = keys[last + 1]
            shape.append(">" + ContextFeaturizer.stem(k))
            if organisationWords.contains(k) { cues.organisationWord = k }
        }
        let lastText = Normalizer.fold(words[last].text)
        if lastText.hasSuffix("'s") || lastText.hasSuffix("\u{2019}s") {
            shape.append("~poss")
            cues.organisationWord = cues.organisationWord ?? "'s"
        }
        return (shape, cues)
    }

    /// The phrases around an alias occurrence at words `span`: the alias with one or two words before, one or two
    /// after, or one on each side, at consecutive positions, whose added words hold a content word (a feature): `kurt
    /// warner`, `delta tau delta`; not `the apple`.
    static func phrases(around span: Range<Int>, keys: [String], words: [Token], featurizer: ContextFeaturizer) -> [String] {
        func consecutive(_ a: Int, _ b: Int) -> Bool {
            a >= 0 && b < words.count && (a..<b).allSatisfy { words[$0 + 1].position == words[$0].position + 1 }
        }
        var out: [String] = []
        for (before, after) in [(1, 0), (0, 1), (2, 0), (0, 2), (1, 1)] {
            let first = span.lowerBound - before, last = span.upperBound - 1 + after
            guard consecutive(first, last) else { continue }
            let added = Array(first..<span.lowerBound) + Array(span.upperBound..<(last + 1))
            guard added.contains(where: { featurizer.feature(words[$0].normalized) != nil }) else { continue }
            out.append(keys[first...last].joined(separator: " "))
        }
        return out
    }

    /// Whether the byte offset `start` of `text` lies in the venue name of a check-in: after `@ ` (Instagram,
    /// Foursquare's `(@ Venue in City)`) or `I'm at ` (Foursquare until 2012), at most 40 bytes from there, with no
    /// punctuation between (`. , ! ? : ; | #`, a line break) and every word between capitalised, a number or a short
    /// connector (`de`, `of`, `the`): `@ Warner Bros. Studio Tour`, `(@ Amazon Books in New York, NY)`, `I'm at
    /// Estacion Atocha Cercanias`, `@ The Lot-Warner Studios`; not `@ home, Apple keynote later` or `I'm at home
    /// watching Warner films`.
    static func inCheckInVenue(_ text: String, at start: Int) -> Bool {
        let stops: Set<UInt8> = Set("!?:;|#,.\n".utf8)  // a sentence or a list goes on: "@ home, Apple ..."
        // Only the bytes just before the name matter: 40 to the marker, 8 more for "I’m at".
        let u = Array(text.utf8.prefix(start).suffix(56))
        var i = u.count
        while i > 0 && u.count - i <= 40 {
            i -= 1
            let c = u[i]
            if stops.contains(c) { return false }
            guard c == 0x20 else { continue }
            let atSign = i > 0 && u[i - 1] == 0x40  // "@ "
            if !atSign {
                let before = String(decoding: u[max(0, i - 8)..<i], as: UTF8.self).lowercased()
                guard before.hasSuffix("i'm at") || before.hasSuffix("i\u{2019}m at") else { continue }
            }
            // The words between the marker and the name: a venue's, capitalised (connectors aside).
            let between = String(decoding: u[(i + 1)...], as: UTF8.self).split(separator: " ")
            return between.allSatisfy { w in
                guard let first = w.unicodeScalars.first(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil })
                else { return true }
                return first.properties.isUppercase || first.properties.numericType != nil || w.count <= 3
            }
        }
        return false
    }

    /// Whether the key sequence `seq` occurs at word `i` (consecutive positions).
    private static func occurs(_ seq: [String], in keys: [String], words: [Token], at i: Int) -> Bool {
        guard i + seq.count <= keys.count, keys[i] == seq[0] else { return false }
        for j in 1..<max(1, seq.count) where keys[i + j] != seq[j] || words[i + j].position != words[i].position + UInt32(j) {
            return false
        }
        return true
    }

    /// Per entity with excluded phrases occurring in the post, the words they cover (index → the phrase).
    private func excludedSpans(_ keys: [String], words: [Token]) -> [Int: [Int: String]] {
        var covered: [Int: [Int: String]] = [:]
        for (i, k) in keys.enumerated() {
            for (e, seq) in excludedIndex[k] ?? [] where Self.occurs(seq, in: keys, words: words, at: i) {
                for j in i..<(i + seq.count) { covered[e, default: [:]][j] = seq.joined(separator: " ") }
            }
        }
        return covered
    }

    private static func slice(_ text: String, _ start: Int, _ end: Int) -> String {
        let u = text.utf8
        let s = u.index(u.startIndex, offsetBy: start), e = u.index(u.startIndex, offsetBy: end)
        return String(decoding: u[s..<e], as: UTF8.self)
    }

    private static func contains(_ words: [String], _ seq: [String]) -> Bool {
        guard !seq.isEmpty, words.count >= seq.count else { return false }
        for i in 0...(words.count - seq.count) where Array(words[i..<(i + seq.count)]) == seq { return true }
        return false
    }
}
