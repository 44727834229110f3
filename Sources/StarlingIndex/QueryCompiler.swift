// Where a query becomes a Xapian query: Starling's query AST (StarlingQuery) is run through the same analyser
// as the posts were, and mapped onto the terms and value slots of the schema.
import Foundation
import StarlingAnalysis
import StarlingLanguage
import StarlingModel
import StarlingQuery
import XapianKit

/// A query that parsed but cannot be searched (e.g. nothing but punctuation).
public struct QueryCompileError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// What a compiler may know of the index a query is for.
public struct IndexTerms: Sendable {
    /// How the index holds a word's stemmed forms.
    public var layout: StemLayout
    /// The common words whose adjacent pairs the index holds as terms (PhraseStage); empty if none.
    public var pairWords: Set<String>

    public init(layout: StemLayout, pairWords: Set<String> = []) {
        self.layout = layout
        self.pairWords = pairWords
    }
}

/// Compiles query ASTs. Holds an analyser, so it is not thread-safe.
public final class QueryCompiler {
    private let analyzer: Analyzer
    /// Stemmers, stopwords and the detector; nil when analyzers/langid is missing (words then match unstemmed).
    private let language: LanguageResources?
    /// The languages whose stems a bare word also matches in the query being compiled.
    private var queryLanguages: [String] = []
    /// The index the query being compiled is for, if the caller said.
    private var index: IndexTerms?

    public init(analyzer: Analyzer, language: LanguageResources? = try? LanguageResources.standard()) {
        self.analyzer = analyzer
        self.language = language
    }

    /// The Xapian query for `node`. Field operators (from:, lang:, since: ...) filter without adding weight;
    /// words, phrases, hashtags, mentions, cashtags and emoji rank by BM25.
    ///
    /// Language: under `lang:xx` a bare word matches its unstemmed term or its stem under xx's Snowball stemmer
    /// (`Z` + stem), and xx's stopwords only add weight. Without `lang:` the stems are those of the languages
    /// the detector finds plausible for the query's words (probability >= 0.3, at most two), so `running`
    /// finds `runs` in English posts while an exact word still matches in every language.
    ///
    /// `index` says how the index holds stems and phrase pairs; without it, the query suits every index (stems
    /// as synonyms, phrases positional).
    public func compile(_ node: QueryNode, index: IndexTerms? = nil) throws -> Query {
        queryLanguages = plausibleLanguages(node)
        self.index = index
        defer { queryLanguages = []; self.index = nil }
        guard let q = try build(node) else {
            throw QueryCompileError(message: "the query has nothing to search for (only punctuation?)")
        }
        return q.query
    }

    /// A compiled piece: its query, whether it only filters (no weight), whether it is a negation, and whether
    /// it is a lone stopword (which only adds weight when other words are required).
    private struct Piece {
        var query: Query
        var isFilter: Bool
        var isNegation: Bool
        var isStopword = false
    }

    /// `lang:` values of the query outside negations; if there are none, the query words' plausible languages.
    private func plausibleLanguages(_ node: QueryNode) -> [String] {
        var langs: [String] = []
        var words: [String] = []
        func walk(_ n: QueryNode, negated: Bool) {
            switch n {
            case .field(.lang, let v) where !negated:
                let code = LanguageCodes.normalizePlatformTag(v) ?? Normalizer.fold(v)
                if !langs.contains(code) { langs.append(code) }
            case .word(let w), .phrase(let w):
                if !negated { words.append(w) }
            case .not(let inner): walk(inner, negated: !negated)
            case .and(let cs), .or(let cs): for c in cs { walk(c, negated: negated) }
            default: break
            }
        }
        walk(node, negated: false)
        if !langs.isEmpty { return langs }
        guard let language, !words.isEmpty else { return [] }
        let guess = language.detector.detect(cleanedText: words.joined(separator: " "))
        return guess.candidates.filter { $0.probability >= 0.3 }.prefix(2).map(\.code)
    }

    /// Whether a folded word is a stopword in the query's languages.
    private func isStopword(_ word: String) -> Bool {
        guard let language else { return false }
        return queryLanguages.contains { language.isStopword(word, language: $0) }
    }

    /// A bare word's query: its term, or a synonym of the term, its stems under the query's languages and, for
    /// long CJK words, the AND of its bigrams (indexed by LanguageStage). In an index of the ``StemLayout/merged``
    /// layout a stem is the term of the word it spells, which holds its family: `run` is one term, `runs` the
    /// synonym of `runs` and `run`. In older indexes a stem is also matched as `Z` + stem.
    private func wordQuery(_ word: String) -> Query {
        let merged = index?.layout == .merged
        var alternatives: [Query] = [termQuery(word)]
        if let language {
            var seen: Set<String> = [word]
            for code in queryLanguages {
                if let z = language.stemTerm(word, language: code), seen.insert(z).inserted {
                    if !merged { alternatives.append(termQuery(z)) }
                    let bare = String(z.dropFirst(TermPrefix.stem.count))
                    if seen.insert(bare).inserted { alternatives.append(termQuery(bare)) }
                }
            }
        }
        let bigrams = CJKBigrams.bigrams(word)
        if !bigrams.isEmpty { alternatives.append(.and(bigrams.map { termQuery($0) })) }
        return alternatives.count == 1 ? alternatives[0] : .synonym(alternatives)
    }

    private func termQuery(_ term: String) -> Query { .term(DocumentBuilder.clip(term)) }

    private func build(_ node: QueryNode) throws -> Piece? {
        switch node {
        case .word(let w):
            let analysis = analyzer.analyze(w)
            let stop = analysis.tokens.count == 1 && analysis.tokens[0].kind == .word
                && isStopword(analysis.tokens[0].normalized)
            return words(w, asPhrase: false).map {
                Piece(query: $0, isFilter: false, isNegation: false, isStopword: stop)
            }
        case .phrase(let p):
            return words(p, asPhrase: true).map { Piece(query: $0, isFilter: false, isNegation: false) }
        case .hashtag(let h):
            return Piece(query: termQuery(TermPrefix.hashtag + Normalizer.fold(h)), isFilter: false, isNegation: false)
        case .mention(let m):
            return Piece(query: termQuery(TermPrefix.mention + Normalizer.fold(m)), isFilter: false, isNegation: false)
        case .cashtag(let c):
            return Piece(query: termQuery(TermPrefix.cashtag + Normalizer.fold(c)), isFilter: false, isNegation: false)
        case .field(let f, let v):
            return Piece(query: try field(f, v), isFilter: true, isNegation: false)
        case .not(let inner):
            guard let p = try build(inner) else { return nil }
            return Piece(query: p.query, isFilter: p.isFilter, isNegation: true)
        case .and(let children):
            return try conjunction(children.compactMap { try build($0) })
        case .or(let children):
            let pieces = try children.compactMap { try build($0) }
            guard !pieces.isEmpty else { return nil }
            let qs = pieces.map { $0.isNegation ? Query.andNot(.matchAll, $0.query) : $0.query }
            return Piece(query: qs.count == 1 ? qs[0] : .or(qs), isFilter: pieces.allSatisfy(\.isFilter),
                         isNegation: false)
        }
    }

    /// AND of pieces: scoring pieces are ANDed, filters applied with OP_FILTER, negations with AND_NOT.
    private func conjunction(_ pieces: [Piece]) throws -> Piece? {
        guard !pieces.isEmpty else { return nil }
        var scoring = pieces.filter { !$0.isNegation && !$0.isFilter && !$0.isStopword }.map(\.query)
        // Stopwords only add weight when other words are required; alone they are required themselves.
        let stopwords = pieces.filter { !$0.isNegation && !$0.isFilter && $0.isStopword }.map(\.query)
        var optional: Query?
        if scoring.isEmpty { scoring = stopwords } else if !stopwords.isEmpty {
            optional = stopwords.count == 1 ? stopwords[0] : .or(stopwords)
        }
        let filters = pieces.filter { !$0.isNegation && $0.isFilter }.map(\.query)
        let negations = pieces.filter(\.isNegation).map(\.query)
        var q: Query
        var filterOnly = false
        if !scoring.isEmpty {
            q = scoring.count == 1 ? scoring[0] : .and(scoring)
            if let optional { q = .andMaybe(q, optional) }
            if !filters.isEmpty { q = .filter(q, filters.count == 1 ? filters[0] : .and(filters)) }
        } else if !filters.isEmpty {
            q = filters.count == 1 ? filters[0] : .and(filters)
            filterOnly = true
        } else {
            // Only negations: everything except them.
            q = .matchAll
            filterOnly = true
        }
        if !negations.isEmpty { q = .andNot(q, negations.count == 1 ? negations[0] : .or(negations)) }
        return Piece(query: q, isFilter: filterOnly, isNegation: false)
    }

    /// Words typed bare or in quotes, analysed like post text. Several tokens from one bare word (`e-mail`)
    /// must stand together, so they become a phrase too.
    private func words(_ text: String, asPhrase: Bool) -> Query? {
        let analysis = analyzer.analyze(text)
        var parts: [Query] = []
        for t in analysis.tokens {
            switch t.kind {
            case .word:
                parts.append(asPhrase || analysis.tokens.count > 1 ? termQuery(t.normalized) : wordQuery(t.normalized))
            case .number, .emoji, .hashtag:
                parts.append(termQuery(t.normalized))
            case .mention:
                parts.append(termQuery(TermPrefix.mention + t.normalized))
            case .cashtag:
                parts.append(termQuery(TermPrefix.cashtag + t.normalized))
            case .url:
                parts.append(termQuery(TermPrefix.url + t.normalized))
            }
        }
        if parts.isEmpty { return nil }
        if parts.count == 1 { return parts[0] }
        let positional = analysis.tokens.allSatisfy { [.word, .number, .emoji, .hashtag].contains($0.kind) }
        if positional, parts.count == 2, let index, !index.pairWords.isEmpty,
           case .term(let a, _, _) = parts[0], case .term(let b, _, _) = parts[1],
           index.pairWords.contains(a) || index.pairWords.contains(b) {
            // Two adjacent words, one of them common: the index holds the pair as a term (PhraseStage).
            let pair = TermPrefix.pair + a + " " + b
            if pair.utf8.count <= DocumentBuilder.maxTermBytes { return .term(pair) }
        }
        if positional { return .phrase(parts) }
        return .and(parts)
    }

    private func field(_ f: QueryField, _ value: String) throws -> Query {
        switch f {
        case .from:
            let v = value.hasPrefix("@") ? String(value.dropFirst()) : value
            return termQuery(TermPrefix.author + Normalizer.fold(v))
        case .lang:
            return termQuery(TermPrefix.language + (LanguageCodes.normalizePlatformTag(value) ?? Normalizer.fold(value)))
        case .entity:
            return termQuery(TermPrefix.entity + value)
        case .domain:
            var d = Normalizer.fold(value)
            if d.hasPrefix("www.") { d.removeFirst(4) }
            while d.hasSuffix(".") || d.hasSuffix("/") { d.removeLast() }
            return termQuery(TermPrefix.domain + d)
        case .url:
            let canonical = analyzer.configuration.urls.canonicalize(value)?.canonical ?? value
            return termQuery(TermPrefix.url + canonical)
        case .has:
            return termQuery(TermPrefix.flag + Normalizer.fold(value))
        case .is:
            var v = Normalizer.fold(value)
            if v == "retweet" || v == "rt" || v == "boost" || v == "reblog" { v = "reshare" }
            return termQuery(TermPrefix.flag + v)
        case .since, .until:
            guard let day = PostTime.parse(value) else {
                throw QueryCompileError(message: "\(f.rawValue): '\(value)' is not a date (YYYY-MM-DD)")
            }
            let t = day.timeIntervalSince1970
            if f == .since { return .valueGreaterOrEqual(slot: ValueSlot.createdAt, Sortable.serialise(t)) }
            // until: is exclusive, as on the platforms: posts before that day.
            return .valueLessOrEqual(slot: ValueSlot.createdAt, Sortable.serialise(t - 0.001))
        case .emoji:
            return termQuery(TermPrefix.emojiName + EmojiTable.nameTerm(value))
        }
    }
}
