// What language-aware indexing and querying share: the detector, a Snowball stemmer for every language Xapian
// has, and per-language stopword lists (analyzers/stopwords, with provenance). Loaded once per process.
import Foundation
import StarlingAnalysis
import StarlingModel
import XapianKit

/// Stemmers, stopwords and the detector. Immutable; share it between threads.
public struct LanguageResources: Sendable {
    /// The language detector.
    public let detector: LanguageDetector
    /// A stemmer per ISO code, for every language Xapian can stem.
    public let stemmers: [String: Stemmer]
    /// Stopwords per ISO code (folded).
    public let stopwords: [String: Set<String>]

    /// ISO codes that Xapian 1.4's Snowball stemmers might accept; those it refuses are skipped.
    static let stemmerCandidates = [
        "ar", "hy", "eu", "ca", "da", "nl", "en", "fi", "fr", "de", "el", "hi", "hu", "id", "ga", "it", "lt", "ne",
        "no", "nb", "nn", "pt", "ro", "ru", "es", "sr", "sv", "ta", "tr", "yi", "et", "pl", "cs",
    ]

    /// Resources from explicit parts.
    public init(detector: LanguageDetector, stemmers: [String: Stemmer], stopwords: [String: Set<String>]) {
        self.detector = detector
        self.stemmers = stemmers
        self.stopwords = stopwords
    }

    /// The standard resources: the model and stopword lists from analyzers/, every stemmer Xapian has.
    public static func standard() throws -> LanguageResources { try shared.get() }

    private static let shared: Result<LanguageResources, Error> = Result {
        let detector = try LanguageDetector.standard()
        var stemmers: [String: Stemmer] = [:]
        for code in stemmerCandidates {
            if let s = try? Stemmer(language: code) { stemmers[code] = s }
        }
        var stopwords: [String: Set<String>] = [:]
        if let folder = AnalyzerConfiguration.locateAnalyzersFolder()?.appendingPathComponent("stopwords"),
           let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) {
            for f in files where f.hasSuffix(".txt") {
                let code = String(f.dropLast(4))
                let words = try AnalyzerConfiguration.readList(folder.appendingPathComponent(f))
                stopwords[code] = Set(words.map { Normalizer.fold($0) })
            }
        }
        return LanguageResources(detector: detector, stemmers: stemmers, stopwords: stopwords)
    }

    /// Whether `word` (folded) is a stopword of `language`.
    public func isStopword(_ word: String, language: String) -> Bool {
        stopwords[language]?.contains(word) ?? false
    }

    /// The stemmed term (`Z` + stem) of a folded word in `language`, or nil when the language has no stemmer or
    /// the word is not one to stem (numbers, words with no letters, stopwords).
    public func stemTerm(_ word: String, language: String) -> String? {
        guard let stemmer = stemmers[language], let first = word.unicodeScalars.first,
              !(first.value >= 0x30 && first.value <= 0x39), !isStopword(word, language: language) else { return nil }
        return TermPrefix.stem + stemmer(word)
    }
}

/// Character bigrams of CJK words, so that words are found whatever the segmenter did at index or query time.
public enum CJKBigrams {
    /// The overlapping bigrams of a word written in han, kana or hangul that is longer than two characters;
    /// empty for other words.
    ///
    /// - Complexity: O(n) in the word's length.
    public static func bigrams(_ word: String) -> [String] {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count > 2, scalars.allSatisfy({ Script.of($0.value).isCJK }) else { return [] }
        var out: [String] = []
        out.reserveCapacity(scalars.count - 1)
        for i in 0..<(scalars.count - 1) {
            var s = String.UnicodeScalarView()
            s.append(scalars[i])
            s.append(scalars[i + 1])
            out.append(String(s))
        }
        return out
    }
}
