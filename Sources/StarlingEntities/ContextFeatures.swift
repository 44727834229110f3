// The words around an alias, reduced to comparable features: folded, accents stripped, stopwords dropped, and
// truncated to six characters — a crude stemmer that works the same in every language ("airlines" and "airline",
// "televisión" and "television" meet), which matters because catalogues and posts mix languages.
import Foundation
import StarlingAnalysis

/// Turns words into context features. Immutable and thread-safe.
public struct ContextFeaturizer: Sendable {
    /// Words never used as context (function words of the languages in analyzers/stopwords).
    public let stopwords: Set<String>
    /// Features are cut to this many characters.
    public static let stemLength = 6

    /// A featurizer that drops `stopwords` (any case or accents).
    public init(stopwords: Set<String>) {
        self.stopwords = Set(stopwords.map { Normalizer.foldStrippingMarks($0[...]) })
    }

    /// The stopword lists of analyzers/stopwords/*.txt, if that folder exists; else none.
    public static func standard() -> ContextFeaturizer {
        var words = Set<String>()
        if let folder = AnalyzerConfiguration.locateAnalyzersFolder()?.appendingPathComponent("stopwords"),
           let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for name in names where name.hasSuffix(".txt") {
                if let list = try? AnalyzerConfiguration.readList(folder.appendingPathComponent(name)) {
                    words.formUnion(list)
                }
            }
        }
        return ContextFeaturizer(stopwords: words)
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
        let trimmed = key.trimmingCharacters(in: CharacterSet(charactersIn: "'’-_."))
        guard trimmed.count >= 3 else { return nil }
        return trimmed.count > Self.stemLength ? String(trimmed.prefix(Self.stemLength)) : trimmed
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
