// Which index terms make up a post's TF-IDF vector, and how each is weighted: sublinear tf, smoothed idf
// (scikit-learn's TfidfVectorizer(sublinear_tf=True, smooth_idf=True), so the two can be compared term for term).
import Foundation
import StarlingIndex
import StarlingModel
import XapianKit

/// The kinds of index term that count for similarity.
public enum SimilarTermKind: String, Sendable, CaseIterable {
    /// An unprefixed term: a word, number, emoji, a hashtag as one word or a word inside a hashtag.
    case word
    /// A hashtag (`XH`).
    case hashtag
    /// A linked domain (`XD`).
    case domain
    /// A catalogued entity (`XE`).
    case entity
}

/// The vocabulary rules of similarity: which index terms count, how they print, how they weigh.
public enum SimilarTerms {
    /// The kind of an index term if it counts for similarity, else nil (ids, authors, flags, days, mentions, URLs
    /// and any other prefixed term: mentions and URLs are left out because a reply or a shared link says more
    /// about the conversation than about the content, and the domain already carries the link's weight).
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public static func kind(of term: String) -> SimilarTermKind? {
        var it = term.utf8.makeIterator()
        guard let first = it.next() else { return nil }
        // Xapian's convention: a prefix is upper-case ASCII, and Starling's terms are case-folded after it.
        if first < 0x41 || first > 0x5A { return .word }
        guard first == 0x58, let second = it.next() else { return nil }  // "X"
        guard let third = it.next(), third < 0x41 || third > 0x5A else { return nil }  // a longer prefix
        switch second {
        case 0x48: return .hashtag  // H
        case 0x44: return .domain  // D
        case 0x45: return .entity  // E
        default: return nil
        }
    }

    /// The term as a user reads it: `#tag`, `domain:bbc.co.uk`, `entity:Q42`, or the word itself.
    public static func display(_ term: String) -> String {
        switch kind(of: term) {
        case .hashtag: return "#" + term.dropFirst(2)
        case .domain: return "domain:" + term.dropFirst(2)
        case .entity: return "entity:" + term.dropFirst(2)
        case .word, nil: return term
        }
    }

    /// Sublinear term frequency, `1 + ln(wdf)`. Boolean terms (wdf 0, e.g. domains) count as present once.
    @inline(__always)
    public static func tfWeight(_ wdf: UInt32) -> Double {
        wdf <= 1 ? 1 : 1 + log(Double(wdf))
    }

    /// Smoothed inverse document frequency, `ln((1 + N) / (1 + df)) + 1`: never zero, defined for unseen terms.
    @inline(__always)
    public static func idf(documentFrequency df: Int, documents n: Int) -> Double {
        log(Double(1 + n) / Double(1 + df)) + 1
    }

    /// The author term (`A…`) in a term list, without its prefix.
    public static func author(in terms: [(term: String, wdf: UInt32)]) -> String? {
        for (t, _) in terms {
            var it = t.utf8.makeIterator()
            if it.next() == 0x41, let second = it.next(), second < 0x41 || second > 0x5A {
                return String(t.dropFirst(TermPrefix.author.count))
            }
        }
        return nil
    }
}

/// A TF-IDF vector scaled to unit length: the terms, and their weights in the same order.
public struct SimilarVector: Sendable, Equatable {
    /// The index terms, in the order they were given.
    public var terms: [String]
    /// Unit-length weights (`tf * idf / norm`).
    public var weights: [Double]
    /// The length before scaling (0 for a vector with no terms).
    public var norm: Double

    /// Weighs `terms` (index term, wdf) with `idf`, keeping only terms that count for similarity.
    ///
    /// - Complexity: O(t) for t terms, plus the cost of `idf`.
    public init(terms list: [(term: String, wdf: UInt32)], idf: (String) throws -> Double) rethrows {
        var terms: [String] = []
        var raw: [Double] = []
        for (t, wdf) in list where SimilarTerms.kind(of: t) != nil {
            terms.append(t)
            raw.append(SimilarTerms.tfWeight(wdf) * (try idf(t)))
        }
        var sum = 0.0
        for w in raw { sum += w * w }
        let norm = sum.squareRoot()
        self.terms = terms
        self.weights = norm > 0 ? raw.map { $0 / norm } : raw
        self.norm = norm
    }

    /// Whether the vector has no terms (e.g. a post of punctuation only).
    public var isEmpty: Bool { terms.isEmpty }
}

extension Database {
    /// Document `docid`'s term list with raw term frequencies, whichever way the index stores them.
    func termCounts(_ docid: UInt32, _ weighting: TermWeighting?) throws -> [(term: String, wdf: UInt32)] {
        var list = try termList(docid)
        weighting?.unfold(&list)
        return list
    }
}
