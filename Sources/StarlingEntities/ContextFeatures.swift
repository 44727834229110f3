// The words around an alias, reduced to comparable features: folded, accents stripped, stopwords dropped, a plural
// "s" and a final "e" dropped and truncated to six characters — a crude stemmer that works the same in every
// language ("airlines" and "airline", "phones" and "phone", "trenes" and "tren", "televisión" and "television"
// meet), which matters because catalogues and posts mix languages. The stopword lists also give a rough language
// guess (which language's function words a text uses), so a post can be compared with the language its entity is
// described in.
import Foundation
import StarlingAnalysis

/// Turns words into context features. Immutable and thread-safe.
public struct ContextFeaturizer: Sendable {
    /// Words never used as context (function words of the languages in analyzers/stopwords).
    public let stopwords: Set<String>
    /// Features are cut to this many characters.
    public static let stemLength = 6
    /// For each stopword, the languages whose lists hold it, as the weight of one occurrence per language
    /// (1 / number of languages): "the" counts fully for English, "de" a little for each Romance language.
    private let languageWeights: [String: [(language: String, weight: Double)]]

    /// A featurizer that drops `stopwords` (any case or accents); `languages` (language code → its stopwords)
    /// enables `language(of:)`.
    public init(stopwords: Set<String>, languages: [String: Set<String>] = [:]) {
        var all = Set(stopwords.map { Normalizer.foldStrippingMarks($0[...]) })
        var holders: [String: [String]] = [:]
        for (language, words) in languages {
            for w in words {
                let k = Normalizer.foldStrippingMarks(w[...])
                all.insert(k)
                holders[k, default: []].append(language)
            }
        }
        self.stopwords = all
        languageWeights = holders.mapValues { langs in langs.sorted().map { ($0, 1 / Double(langs.count)) } }
    }

    /// The stopword lists of analyzers/stopwords/*.txt (one per language), if that folder exists; else none.
    public static func standard() -> ContextFeaturizer {
        var languages: [String: Set<String>] = [:]
        if let folder = AnalyzerConfiguration.locateAnalyzersFolder()?.appendingPathComponent("stopwords"),
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names where name.hasSuffix(".txt") {
                if let list = try? AnalyzerConfiguration.readList(folder.appendingPathComponent(name)) {
                    languages[String(name.dropLast(4)), default: []].formUnion(list)
                }
            }
        }
        return ContextFeaturizer(stopwords: [], languages: languages)
    }

    /// A rough guess of the language of `words` (folded words) from the stopwords they use, or nil when too few
    /// function words say it or two languages are close. Each stopword votes for the languages listing it,
    /// shared equally; the best language needs at least 1.5 votes and a lead of 1 over the next.
    ///
    /// - Complexity: O(w) for w words.
    public func language<S: Sequence>(of words: S) -> String? where S.Element == String {
        var votes: [String: Double] = [:]
        for w in words {
            for (l, weight) in languageWeights[Self.matchKey(w)] ?? [] { votes[l, default: 0] += weight }
        }
        let ranked = votes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        guard let best = ranked.first, best.value >= 1.5 else { return nil }
        if ranked.count > 1, best.value - ranked[1].value < 1 { return nil }
        return best.key
    }

    /// The key an alias token or post token is matched by: folded with accents stripped.
    public static func matchKey(_ normalized: String) -> String {
        var key = Normalizer.foldStrippingMarks(normalized[...])
        // English possessives: "Ford's" names Ford.
        if key.hasSuffix("'s") || key.hasSuffix("\u{2019}s") { key.removeLast(2) }
        return key
    }

    /// The feature of a word (already folded by the analyser), or nil for stopwords, numbers and short words.
    ///
    /// - Complexity: O(length of the word).
    public func feature(_ word: String) -> String? {
        let key = Self.matchKey(word)
        var letters = 0
        for ch in key.unicodeScalars where ch.properties.isAlphabetic { letters += 1 }
        guard letters >= 3, !stopwords.contains(key) else { return nil }
        let trimmed = Self.trimmingPunctuation(key)
        guard trimmed.count >= 3 else { return nil }
        return Self.stem(trimmed)
    }

    /// `key` without apostrophes, hyphens, underscores and dots at either end.
    static func trimmingPunctuation(_ key: String) -> String {
        func isTrimmed(_ u: Unicode.Scalar) -> Bool {
            u == "'" || u == "\u{2019}" || u == "-" || u == "_" || u == "."
        }
        let scalars = key.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isTrimmed($0) }) ?? first
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return key }
        return String(scalars[first...last])
    }

    /// The crude stem of a match key: a plural `s` dropped (not `ss`, not from short words), then a final `e`
    /// (so Spanish `trenes` meets `tren` as English `phones` meets `phone`), then cut to `stemLength` characters.
    public static func stem(_ key: String) -> String {
        var k = key
        if k.count > 4, k.hasSuffix("s"), !k.hasSuffix("ss") { k.removeLast() }
        if k.count > 3, k.hasSuffix("e") { k.removeLast() }
        return k.count > stemLength ? String(k.prefix(stemLength)) : k
    }

    /// The features of a free text (a description, a keyword list), via the analyser's tokens.
    public func features(ofText text: String, analyzer: Analyzer) -> Set<String> {
        var out = Set<String>()
        for t in analyzer.analyze(text).tokens where t.kind == .word {
            if let f = feature(t.normalized) { out.insert(f) }
        }
        return out
    }
}
