// Language identification for short social posts. The text is first cleaned of what misleads detectors (mentions,
// URLs, hashtag marks, emoji, cashtags, the RT prefix, HTML entities); then:
//   - scripts used by one language decide alone (kana -> ja, hangul -> ko, thai -> th, ...), and CLD2 decides
//     among the languages sharing a non-Latin script (Arabic: ar/fa/ur, Cyrillic, Devanagari, Han: zh/ja);
//   - Latin text is scored by Starling's n-gram model (learnt from tweets, including romanised Hindi) combined with
//     CLD2's answer; CLD2 alone decides when it is sure of a language the model does not know;
//   - the platform's own tag and the author's language history are priors that decide when the text is weak.
import Foundation
import StarlingAnalysis

/// What decided a post's language.
public enum LanguageEvidence: String, Sendable, Codable {
    /// The text, through Starling's n-gram model (with CLD2's opinion folded in).
    case text
    /// CLD2 alone (a language the n-gram model does not know, or a script shared by several languages).
    case cld2
    /// The writing system alone (kana, hangul, Thai, ...).
    case script
    /// The platform's own language tag.
    case platform
    /// The author's other posts in this run.
    case author
    /// Nothing: the language is undetermined.
    case none
}

/// A language with a probability.
public struct LanguageScore: Sendable, Equatable {
    /// ISO code.
    public var code: String
    /// Probability, 0...1.
    public var probability: Double
    /// A score from its parts.
    public init(code: String, probability: Double) {
        self.code = code
        self.probability = probability
    }
}

/// The language of a post.
public struct LanguageGuess: Sendable, Equatable {
    /// ISO 639-1 code where one exists (ISO 639-3 otherwise), or `und`.
    public var code: String
    /// How sure, 0...1.
    public var confidence: Double
    /// What decided.
    public var evidence: LanguageEvidence
    /// The best candidates, best first (at most three).
    public var candidates: [LanguageScore]

    /// A guess from its parts.
    public init(code: String, confidence: Double, evidence: LanguageEvidence, candidates: [LanguageScore]) {
        self.code = code
        self.confidence = confidence
        self.evidence = evidence
        self.candidates = candidates
    }

    /// The undetermined language.
    public static let undetermined = LanguageGuess(code: LanguageCodes.undetermined, confidence: 0, evidence: .none,
                                                   candidates: [])
}

/// Detects the language of analysed posts. A value with immutable shared tables: use it from any thread.
public struct LanguageDetector: Sendable {
    /// Tunable weights. The defaults were chosen on the DEV part of the training sets (tools/langid-eval).
    public struct Weights: Sendable {
        /// Multiplies the mean per-feature log-likelihood into logits (calibrates the confidence).
        public var temperature: Double = 6
        /// Added to a language's mean log-likelihood per 100% of CLD2's vote for it.
        public var cld2: Double = 0.1
        /// Added (in the same units) to the platform's tag.
        public var platform: Double = 0.15
        /// Multiplies log P(language | author's earlier posts).
        public var author: Double = 0.08
        /// CLD2 overrides the model with a language the model does not know (one of `overridable`) only when it
        /// calls it reliable, gives it at least this share of the text, ...
        public var cld2OverridePercent: Int = 80
        /// ... scores it at least this (CLD2's normalised score: its misfires on romanised Hindi score below 750,
        /// real Polish or Turkish tweets well above) ...
        public var cld2OverrideScore: Double = 760
        /// ... and saw at least this many letter bytes.
        public var cld2OverrideBytes: Int = 25
        /// Languages written in Latin script that CLD2 may answer over the model: common on social media. CLD2's
        /// rarer answers for short Latin texts (Khasi, Akan, Aymara, Klingon, ...) are nearly always misfires.
        public var overridable: Set<String> = [
            "pl", "id", "ms", "tr", "sv", "fi", "tl", "da", "no", "nn", "cs", "sk", "sl", "hr", "sr", "bs", "hu",
            "ro", "lt", "lv", "et", "sq", "is", "vi", "sw", "af", "cy", "mt", "az", "uz", "la", "eo", "ht", "jv",
            "su", "ceb", "ga", "lb", "fy", "oc", "br", "co", "gd", "haw", "mg", "sn", "yo", "ig", "ha", "zu", "xh",
        ]
        /// Below this many letters, and with no hint, the language is undetermined.
        public var minLetters: Int = 2
        /// Creates the defaults.
        public init() {}
    }

    /// Starling's n-gram model.
    public let model: NGramModel
    /// The weights.
    public var weights: Weights
    private let modelIndex: [String: Int]

    /// A detector over `model`.
    public init(model: NGramModel, weights: Weights = Weights()) {
        self.model = model
        self.weights = weights
        var index: [String: Int] = [:]
        for (i, l) in model.languages.enumerated() { index[l] = i }
        modelIndex = index
    }

    /// The detector with the model of analyzers/langid/model.tsv.
    public static func standard() throws -> LanguageDetector {
        try LanguageDetector(model: sharedModel.get())
    }

    private static let sharedModel: Result<NGramModel, Error> = Result {
        guard let folder = AnalyzerConfiguration.locateAnalyzersFolder() else {
            throw LanguageSetupError(message: "cannot find the analyzers/ folder (set STARLING_ANALYZERS)")
        }
        return try NGramModel(contentsOf: folder.appendingPathComponent("langid/model.tsv"))
    }

    /// The post's text without what misleads language detection: mentions, URLs, cashtags, emoji, the `#` of
    /// hashtags, HTML entities (`&amp;`) and the `RT @user:` prefix. Keeps the rest as written.
    ///
    /// - Complexity: O(n) in the length of the text.
    public static func cleanText(_ a: Analysis) -> String {
        let utf8 = Array(a.text.utf8)
        var drop = [Bool](repeating: false, count: utf8.count)
        func mark(_ s: Int, _ e: Int) {
            guard s < e else { return }
            for k in max(0, s)..<min(e, utf8.count) { drop[k] = true }
        }
        var firstMentionEnd: Int?
        for t in a.tokens {
            switch t.kind {
            case .mention:
                if firstMentionEnd == nil { firstMentionEnd = t.end }
                mark(t.start, t.end)
            case .url, .emoji, .cashtag:
                mark(t.start, t.end)
            case .hashtag:
                // The mark only: '#' is one byte, the full-width '＃' three.
                mark(t.start, t.start + (utf8[t.start] == 0x23 ? 1 : 3))
            case .word, .number:
                break
            }
        }
        if a.isReshare, var e = firstMentionEnd {
            // "RT @user:" — the colon too.
            while e < utf8.count, utf8[e] == 0x3A || utf8[e] == 0x20 { e += 1 }
            mark(0, e)
        }
        // HTML entities left by some exports: &amp; &lt; &gt; &quot; &#39;
        var i = 0
        while i < utf8.count {
            if utf8[i] == 0x26 {
                var j = i + 1
                while j < utf8.count, j - i <= 8, utf8[j] != 0x3B, utf8[j] != 0x20 { j += 1 }
                if j < utf8.count, utf8[j] == 0x3B, j > i + 1 { mark(i, j + 1); i = j }
            }
            i += 1
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count)
        var lastSpace = true
        for k in 0..<utf8.count {
            if drop[k] {
                if !lastSpace { out.append(0x20); lastSpace = true }
                continue
            }
            let b = utf8[k]
            let space = b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D
            if space {
                if !lastSpace { out.append(0x20) }
                lastSpace = true
            } else {
                out.append(b)
                lastSpace = false
            }
        }
        while out.last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }

    /// The language of an analysed post. `platformTag` is the platform's own language field (`lang`), `author`
    /// the post's author, whose earlier detections in `history` act as a prior; confident text-based answers
    /// are recorded into `history`.
    ///
    /// - Complexity: O(n) in the length of the text (one CLD2 call and one pass of the n-gram model).
    public func detect(_ analysis: Analysis, platformTag: String? = nil, author: String? = nil,
                       history: AuthorLanguageHistory? = nil) -> LanguageGuess {
        let cleaned = Self.cleanText(analysis)
        let tag = LanguageCodes.normalizePlatformTag(platformTag)
        let authorKey = author.flatMap { $0.isEmpty ? nil : $0.lowercased() }
        let past = authorKey.flatMap { history?.tally(for: $0) } ?? [:]
        let guess = decide(cleaned: cleaned, tag: tag, past: past)
        if let authorKey, let history, guess.confidence >= 0.5,
           guess.evidence == .text || guess.evidence == .cld2 || guess.evidence == .script {
            history.record(author: authorKey, language: guess.code)
        }
        return guess
    }

    /// The language of a plain cleaned text with optional hints (used for queries and by `detect`).
    public func detect(cleanedText: String, platformTag: String? = nil) -> LanguageGuess {
        decide(cleaned: cleanedText, tag: LanguageCodes.normalizePlatformTag(platformTag), past: [:])
    }

    private func decide(cleaned: String, tag: String?, past: [String: Int]) -> LanguageGuess {
        let folded = Normalizer.fold(cleaned)
        // Letters per script.
        var counts = [Int](repeating: 0, count: Script.allCases.count)
        var letters = 0
        for s in folded.unicodeScalars where NGramModel.isLetter(s.value) {
            counts[Script.of(s.value).rawValue] += 1
            letters += 1
        }
        guard letters >= weights.minLetters else { return fromHints(tag: tag, past: past) }
        // One han, kana or hangul character carries about what three Latin letters do (and is three UTF-8 bytes,
        // as CLD2 counts); han and kana count together, so Japanese mixing both is not outvoted by "PC" and "REMIX".
        var weighted = counts
        weighted[Script.han.rawValue] = 3 * (counts[Script.han.rawValue] + counts[Script.kana.rawValue])
        weighted[Script.kana.rawValue] = counts[Script.kana.rawValue] > 0 ? weighted[Script.han.rawValue] + 1 : 0
        weighted[Script.hangul.rawValue] *= 3
        var dominant = Script.latin
        for sc in Script.allCases where weighted[sc.rawValue] > weighted[dominant.rawValue] { dominant = sc }
        let cld = CLD2.detect(cleaned, bestEffort: true)

        switch dominant {
        case .latin:
            return modelDecision(folded: folded, cld: cld, tag: tag, past: past)
        case .other:
            if let top = cld.top { return scored(top, cld.confidence, .cld2) }
            return fromHints(tag: tag, past: past)
        case .han, .kana:
            // Any kana makes it Japanese; han alone is Chinese unless CLD2 or a hint says Japanese.
            if counts[Script.kana.rawValue] > 0 {
                return guessFrom("ja", cld: cld, evidenceIfAgreeing: .cld2, otherwise: .script)
            }
            if tag == "ja" || tag == "zh" { return scored(tag!, 0.8, .platform) }
            if let a = majority(past), a == "ja" || a == "zh" { return scored(a, 0.7, .author) }
            if cld.top == "ja" { return scored("ja", cld.confidence, .cld2) }
            return guessFrom("zh", cld: cld, evidenceIfAgreeing: .cld2, otherwise: .script)
        default:
            // Scripts of one language decide; shared ones (Arabic, Cyrillic, Devanagari) go to CLD2.
            if let top = cld.top, Self.scriptOf(language: top, fallback: .latin) == dominant {
                return scored(top, cld.confidence, .cld2)
            }
            if dominant == .arabic || dominant == .devanagari || dominant == .cyrillic,
               let tag, Self.scriptOf(language: tag, fallback: .latin) == dominant {
                return scored(tag, 0.6, .platform)
            }
            if let lang = dominant.soleLanguage { return scored(lang, 0.6, .script) }
            return fromHints(tag: tag, past: past)
        }
    }

    private func guessFrom(_ lang: String, cld: CLD2Result, evidenceIfAgreeing: LanguageEvidence,
                           otherwise: LanguageEvidence) -> LanguageGuess {
        if cld.top == lang { return scored(lang, max(0.9, cld.confidence), evidenceIfAgreeing) }
        return scored(lang, 0.8, otherwise)
    }

    private func scored(_ code: String, _ p: Double, _ e: LanguageEvidence) -> LanguageGuess {
        LanguageGuess(code: code, confidence: p, evidence: e, candidates: [LanguageScore(code: code, probability: p)])
    }

    /// The language a few scripts imply for a language code (to check CLD2 against the script seen).
    private static func scriptOf(language: String, fallback: Script) -> Script {
        switch language {
        case "ar", "fa", "ur", "ps", "ku", "sd", "ug", "ckb", "dv": .arabic
        case "hi", "mr", "ne", "sa", "bh", "kok", "mai", "bho": .devanagari
        case "ru", "uk", "be", "bg", "mk", "sr", "kk", "ky", "tg", "mn", "tt", "ba", "cv", "ce", "os": .cyrillic
        case "zh": .han
        case "ja": .kana
        case "ko": .hangul
        case "th": .thai
        case "el": .greek
        case "he", "yi": .hebrew
        case "hy": .armenian
        case "ka": .georgian
        case "bn", "as": .bengali
        case "ta": .tamil
        case "te": .telugu
        case "gu": .gujarati
        case "pa": .gurmukhi
        case "kn": .kannada
        case "ml": .malayalam
        case "si": .sinhala
        case "km": .khmer
        case "lo": .lao
        case "my": .myanmar
        case "am", "ti": .ethiopic
        case "bo", "dz": .tibetan
        default: fallback
        }
    }

    private func majority(_ past: [String: Int]) -> String? {
        let total = past.values.reduce(0, +)
        guard total >= 2, let best = past.max(by: { $0.value < $1.value }), Double(best.value) >= 0.6 * Double(total)
        else { return nil }
        return best.key
    }

    /// No usable text: the platform tag, else a clear author habit, else undetermined.
    private func fromHints(tag: String?, past: [String: Int]) -> LanguageGuess {
        if let tag { return scored(tag, 0.5, .platform) }
        if let a = majority(past) { return scored(a, 0.4, .author) }
        return .undetermined
    }

    /// Latin (and unknown-script) text: the n-gram model, CLD2, and the hints, combined as logits.
    private func modelDecision(folded: String, cld: CLD2Result, tag: String?, past: [String: Int]) -> LanguageGuess {
        let scores = model.score(folded: folded)
        // CLD2 sure of a language the model does not know (Indonesian, Tagalog, Polish, ...).
        if let top = cld.languages.first, modelIndex[top.code] == nil, cld.isReliable,
           weights.overridable.contains(top.code), top.percent >= weights.cld2OverridePercent,
           top.score >= weights.cld2OverrideScore, cld.textBytes >= weights.cld2OverrideBytes {
            return scored(top.code, cld.confidence, .cld2)
        }
        guard scores.features > 0 else {
            if let top = cld.top { return scored(top, cld.confidence * 0.5, .cld2) }
            return fromHints(tag: tag, past: past)
        }
        let L = model.languages.count
        let n = Double(scores.features)
        var text = [Double](repeating: 0, count: L)
        for i in 0..<L { text[i] = Double(scores.logLikelihood[i]) / n }
        for c in cld.languages { if let i = modelIndex[c.code] { text[i] += weights.cld2 * Double(c.percent) / 100 } }
        var withTag = text
        if let tag, let i = modelIndex[tag] { withTag[i] += weights.platform }
        var final = withTag
        let pastTotal = Double(past.values.reduce(0, +))
        if pastTotal > 0 {
            for i in 0..<L {
                let p = (Double(past[model.languages[i]] ?? 0) + 0.5) / (pastTotal + 0.5 * Double(L))
                final[i] += weights.author * log(p)
            }
        }
        let probs = softmax(final)
        var order = Array(0..<L)
        order.sort { probs[$0] > probs[$1] }
        let best = order[0]
        let argText = argmax(text)
        let argTag = argmax(withTag)
        let evidence: LanguageEvidence = best == argText ? .text : (best == argTag ? .platform : .author)
        // A tag for a language the model does not know, with weak text: trust the platform.
        if let tag, modelIndex[tag] == nil, probs[best] < 0.5, cld.languages.contains(where: { $0.code == tag }) {
            return scored(tag, 0.5, .platform)
        }
        let candidates = order.prefix(3).map { LanguageScore(code: model.languages[$0], probability: probs[$0]) }
        return LanguageGuess(code: model.languages[best], confidence: probs[best], evidence: evidence,
                             candidates: candidates)
    }

    private func softmax(_ v: [Double]) -> [Double] {
        let t = weights.temperature
        let m = v.max() ?? 0
        let e = v.map { exp(($0 - m) * t) }
        let s = e.reduce(0, +)
        return e.map { $0 / s }
    }

    private func argmax(_ v: [Double]) -> Int {
        var b = 0
        for i in v.indices where v[i] > v[b] { b = i }
        return b
    }
}

extension CLD2Result {
    /// A rough confidence from CLD2's answer: the top language's share, halved when CLD2 is not sure.
    var confidence: Double {
        guard let top = languages.first else { return 0 }
        return Double(top.percent) / 100 * (isReliable ? 1 : 0.6)
    }
}

/// Per-author language tallies kept during one ingest run: which languages each author's posts were detected in.
/// Thread-safe (one lock; the critical sections are a dictionary update).
public final class AuthorLanguageHistory: @unchecked Sendable {
    private let lock = NSLock()
    private var tallies: [String: [String: Int]] = [:]

    /// An empty history.
    public init() {}

    /// Counts one post of `author` in `language`.
    public func record(author: String, language: String) {
        lock.lock()
        tallies[author, default: [:]][language, default: 0] += 1
        lock.unlock()
    }

    /// The author's tally so far.
    public func tally(for author: String) -> [String: Int]? {
        lock.lock()
        defer { lock.unlock() }
        return tallies[author]
    }

    /// Number of authors seen.
    public var authorCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return tallies.count
    }
}
