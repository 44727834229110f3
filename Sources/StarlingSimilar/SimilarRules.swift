// Business rules for recommendations: boost or bury posts by author, hashtag, domain or entity, read from a
// JSON file (the project carries no YAML parser). A rule multiplies a hit's score by its factor.
import Foundation
import StarlingAnalysis
import StarlingModel

/// One rule: posts carrying `value` (of `kind`) have their score multiplied by `factor`.
public struct SimilarRule: Sendable, Equatable {
    /// What a rule looks at.
    public enum Kind: String, Sendable, CaseIterable {
        case author, hashtag, domain, entity
    }

    /// What the rule looks at.
    public var kind: Kind
    /// The author handle, hashtag (with or without `#`), domain (subdomains match: a post linking to
    /// `news.bbc.co.uk` also carries `bbc.co.uk`) or entity id, compared case-folded.
    public var value: String
    /// Above 1 boosts, below 1 buries, 0 removes the post from the results.
    public var factor: Double

    /// A rule; `value` is folded the way the index folds it.
    public init(kind: Kind, value: String, factor: Double) {
        self.kind = kind
        var v = value.trimmingCharacters(in: .whitespaces)
        if kind == .hashtag, v.hasPrefix("#") { v.removeFirst() }
        if kind == .author, v.hasPrefix("@") { v.removeFirst() }
        switch kind {
        case .author, .hashtag: self.value = Normalizer.fold(v)
        case .domain: self.value = v.lowercased()
        case .entity: self.value = v
        }
        self.factor = factor
    }

    /// The index term the rule matches.
    public var term: String {
        switch kind {
        case .author: return TermPrefix.author + value
        case .hashtag: return TermPrefix.hashtag + value
        case .domain: return TermPrefix.domain + value
        case .entity: return TermPrefix.entity + value
        }
    }
}

/// A set of rules, applied together: the factors of every matching rule multiply.
public struct SimilarRules: Sendable, Equatable {
    /// The rules, in file order.
    public var rules: [SimilarRule]

    /// Rules from a list.
    public init(_ rules: [SimilarRule] = []) {
        self.rules = rules
    }

    /// Whether there are no rules.
    public var isEmpty: Bool { rules.isEmpty }

    /// Index terms whose posts are removed outright (factor 0): the candidate query leaves them out.
    public var excludedTerms: [String] { rules.filter { $0.factor == 0 }.map(\.term) }

    /// The product of the factors of the rules matching a post that carries `terms` (index terms).
    ///
    /// - Complexity: O(r) set look-ups for r rules.
    public func factor(for terms: Set<String>) -> (factor: Double, applied: [SimilarRule]) {
        var f = 1.0
        var applied: [SimilarRule] = []
        for r in rules where terms.contains(r.term) {
            f *= r.factor
            applied.append(r)
        }
        return (f, applied)
    }

    /// Reads rules from JSON text:
    /// ```json
    /// {"rules": [{"author": "bbcnews", "factor": 1.5}, {"hashtag": "ad", "factor": 0}]}
    /// ```
    /// Each rule names exactly one of `author`, `hashtag`, `domain`, `entity`, and a `factor` >= 0.
    /// A bare array of rules is accepted too.
    ///
    /// - Throws: `SimilarError.badRules` naming the rule and the problem.
    public static func parse(json text: String) throws -> SimilarRules {
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch {
            throw SimilarError.badRules("not valid JSON: \(error)")
        }
        guard let list = root["rules"]?.arrayValue ?? root.arrayValue else {
            throw SimilarError.badRules("expected {\"rules\": [...]} or a JSON array of rules")
        }
        var rules: [SimilarRule] = []
        for (i, item) in list.enumerated() {
            guard item.objectValue != nil else { throw SimilarError.badRules("rule \(i + 1) is not an object") }
            let named = SimilarRule.Kind.allCases.compactMap { k in item[k.rawValue].map { (k, $0) } }
            guard named.count == 1, let (kind, v) = named.first, let value = v.stringValue, !value.isEmpty else {
                throw SimilarError.badRules(
                    "rule \(i + 1) must name exactly one of author, hashtag, domain, entity (a non-empty string)")
            }
            guard let factor = item["factor"]?.doubleValue, factor >= 0, factor.isFinite else {
                throw SimilarError.badRules("rule \(i + 1) needs a \"factor\" (a number >= 0)")
            }
            rules.append(SimilarRule(kind: kind, value: value, factor: factor))
        }
        return SimilarRules(rules)
    }

    /// Reads rules from a JSON file.
    public static func load(path: String) throws -> SimilarRules {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SimilarError.badRules("cannot read the rules file '\(path)'")
        }
        do {
            return try parse(json: String(decoding: data, as: UTF8.self))
        } catch SimilarError.badRules(let m) {
            throw SimilarError.badRules("\(path): \(m)")
        }
    }
}
