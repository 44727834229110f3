// Turns an analysed post into a Xapian document: which terms, which positions, which values.
// The term prefixes and slots are fixed in StarlingModel/Schema.swift; the query compiler relies on the same ones.
import StarlingAnalysis
import StarlingModel
import XapianKit

/// Builds Xapian documents from posts. Stateless apart from its configuration; one per thread is not needed.
public struct DocumentBuilder: Sendable {
    /// Xapian refuses terms longer than this many bytes; longer ones (very long URLs) are cut at a character boundary.
    public static let maxTermBytes = 240

    public init() {}

    /// Cuts a term to what Xapian accepts.
    @inline(__always)
    public static func clip(_ term: String) -> String {
        guard term.utf8.count > maxTermBytes else { return term }
        var out = ""
        for ch in term {
            if out.utf8.count + ch.utf8.count > maxTermBytes { break }
            out.append(ch)
        }
        return out
    }

    /// The flags (`is:` and `has:`) a post carries.
    public static func flags(of post: Post, analysis: Analysis) -> [String] {
        var flags: [String] = []
        if post.isReshare || post.reshareOf != nil || analysis.isReshare { flags.append("reshare") }
        if post.replyTo != nil { flags.append("reply") }
        if !analysis.urls.isEmpty || !post.urls.isEmpty { flags.append("url") }
        if post.hasMedia { flags.append("media") }
        if !analysis.hashtags.isEmpty || !post.hashtags.isEmpty { flags.append("hashtag") }
        if !analysis.mentions.isEmpty || !post.mentions.isEmpty { flags.append("mention") }
        if !analysis.cashtags.isEmpty { flags.append("cashtag") }
        if !analysis.emoji.isEmpty { flags.append("emoji") }
        return flags
    }

    /// The document for `post`. The stored data is the post's native JSON object (StoredPost), so it comes back
    /// whole.
    ///
    /// - Complexity: O(tokens).
    public func build(_ post: Post, analysis: Analysis) -> Document {
        let doc = Document()
        var stored = post
        if stored.reshareAuthor == nil, let ra = analysis.reshareAuthor { stored.reshareAuthor = ra }
        if !stored.isReshare && analysis.isReshare && stored.reshareOf == nil { stored.isReshare = true }
        doc.dataBytes = StoredPost.encode(stored)
        doc.addBooleanTerm(Self.clip(TermPrefix.id + post.id))

        // Text terms: words and emoji carry positions (phrase search); social entities are prefixed terms.
        var hashtagTerms = Set<String>()
        for t in analysis.tokens {
            switch t.kind {
            case .word, .number, .emoji:
                doc.addPosting(Self.clip(t.normalized), position: t.position)
                // The accent-free form at the same position: `cafe` finds café, phrases still hold.
                if let u = t.unaccented, u != t.normalized { doc.addPosting(Self.clip(u), position: t.position) }
            case .hashtag:
                hashtagTerms.insert(t.normalized)
                // The tag as one word, and the words inside it, so `ferguson` and `black lives` find the tag.
                doc.addPosting(Self.clip(t.normalized), position: t.position)
                if let h = analysis.hashtags.first(where: { $0.normalized == t.normalized }), h.words.count > 1 {
                    for (k, w) in h.words.enumerated() where w != t.normalized {
                        doc.addPosting(Self.clip(w), position: t.position + UInt32(k))
                    }
                }
            case .mention:
                doc.addTerm(Self.clip(TermPrefix.mention + t.normalized))
            case .cashtag:
                doc.addTerm(Self.clip(TermPrefix.cashtag + t.normalized))
                doc.addTerm(Self.clip(t.normalized))
            case .url:
                break
            }
        }
        for h in hashtagTerms { doc.addTerm(Self.clip(TermPrefix.hashtag + h)) }
        // Emoji by CLDR name and keywords (`emoji:fire`, `emoji:"thumbs up"`).
        for e in analysis.emoji { for n in e.nameTerms { doc.addBooleanTerm(Self.clip(TermPrefix.emojiName + n)) } }
        // Hashtags the platform listed but the text does not show (truncated retweets) still count.
        for h in post.hashtags {
            let folded = Normalizer.fold(h)
            if !hashtagTerms.contains(folded) { doc.addTerm(Self.clip(TermPrefix.hashtag + folded)) }
        }
        for m in post.mentions {
            doc.addBooleanTerm(Self.clip(TermPrefix.mention + Normalizer.fold(m)))
        }
        var domains = Set<String>()
        for link in analysis.urls {
            doc.addBooleanTerm(Self.clip(TermPrefix.url + link.canonical))
            domains.formUnion(link.domains)
        }
        for d in domains { doc.addBooleanTerm(Self.clip(TermPrefix.domain + d)) }

        if let author = post.author, !author.isEmpty {
            let a = Normalizer.fold(author)
            doc.addBooleanTerm(Self.clip(TermPrefix.author + a))
            doc.setValue(ValueSlot.author, a)
        }
        if let lang = post.lang, !lang.isEmpty {
            let l = Normalizer.fold(lang)
            doc.addBooleanTerm(TermPrefix.language + l)
            doc.setValue(ValueSlot.language, l)
        }
        if let platform = post.platform, !platform.isEmpty {
            doc.addBooleanTerm(Self.clip(TermPrefix.platform + Normalizer.fold(platform)))
        }
        for f in Self.flags(of: post, analysis: analysis) { doc.addBooleanTerm(TermPrefix.flag + f) }
        if let r = post.reshareOf { doc.addBooleanTerm(Self.clip(TermPrefix.reshareOf + r)) }
        if let r = post.replyTo { doc.addBooleanTerm(Self.clip(TermPrefix.replyTo + r)) }
        if let t = post.createdAt {
            doc.setValue(ValueSlot.createdAt, Sortable.serialise(t.timeIntervalSince1970))
            let iso = PostTime.iso8601(t)
            let day = iso.prefix(10).replacingOccurrences(of: "-", with: "")
            doc.addBooleanTerm(TermPrefix.day + day)
        }
        let engagement = post.metrics.values.reduce(Int64(0), +)
        if engagement > 0 { doc.setValue(ValueSlot.engagement, Sortable.serialise(Double(engagement))) }
        // Until near-duplicate clustering lands, a reshare collapses into the post it reshares.
        doc.setValue(ValueSlot.cluster, post.reshareOf ?? post.id)
        return doc
    }
}
