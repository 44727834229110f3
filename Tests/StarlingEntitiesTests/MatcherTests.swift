// Finding candidates: aliases as token sequences (accent- and case-blind, in hashtags, as mentions) and signals.
import StarlingAnalysis
import StarlingModel
import Testing
@testable import StarlingEntities

@Suite struct MatcherTests {
    let linker: EntityLinker
    let analyzer: Analyzer

    init() throws {
        linker = try makeLinker(appleYAML + """

              - id: el_pais
                name: El País
                aliases: [país, el pais]
                domains: [elpais.com]
                description: Diario español.
              - id: real_madrid
                name: Real Madrid
                aliases: [madrid, real madrid]
                domains: [realmadrid.com]
                description: Club de fútbol.
            """)
        analyzer = try Analyzer()
    }

    func candidates(_ text: String, links: [PostURL] = []) -> [String: EntityCandidate] {
        let found = linker.matcher.candidates(in: analyzer.analyze(text, links: links))
        var out: [String: EntityCandidate] = [:]
        for c in found.candidates { out[linker.matcher.entities[c.entity].entity.id] = c }
        return out
    }

    /// (text, entity, surface, occurrence, signal > 0)
    static let cases: [(String, String, String, OccurrenceKind?, Bool)] = [
        ("I love my Apple watch", "apple_inc", "Apple", .text, false),
        ("APPLE INC reported earnings", "apple_inc", "APPLE INC", .text, false),
        ("Leí el PAIS hoy", "el_pais", "el PAIS", .text, false),
        ("el país de las maravillas", "el_pais", "el país", .text, false),
        ("Gran partido #RealMadrid", "real_madrid", "#RealMadrid", .hashtag, true),
        ("Going to #madrid tomorrow", "real_madrid", "#madrid", .hashtag, false),
        ("cc @Apple please fix it", "apple_inc", "@Apple", .mention, true),
        ("$AAPL up 3% today", "apple_inc", "$AAPL", nil, true),
        ("new album on Apple Records", "apple_records", "Apple Records", .text, false),
        ("ask @realmadrid", "real_madrid", "@realmadrid", nil, true),
    ]

    @Test(arguments: cases.indices)
    func findsCandidates(_ i: Int) throws {
        let (text, id, surface, kind, signal) = Self.cases[i]
        let c = try #require(candidates(text)[id], "\(text)")
        #expect(c.surface == surface)
        #expect(c.occurrence == kind)
        #expect((c.signal > 0) == signal)
        let bytes = Array(text.utf8)
        #expect(String(decoding: bytes[c.start..<c.end], as: UTF8.self) == surface)
    }

    @Test func multiWordAliasesNeedAdjacentTokens() {
        #expect(candidates("apple juice records")["apple_records"] == nil)
        #expect(candidates("apple records")["apple_records"]?.multiword == true)
        #expect(candidates("pineapple juice").isEmpty)
    }

    /// A fuller name than the ambiguous word counts as specific only with two content words (`apple records`,
    /// `apple inc`), not when the other word is a stopword (`el pais`).
    @Test func specificAliasesNeedTwoContentWords() throws {
        #expect(candidates("apple records")["apple_records"]?.specificAlias == true)
        #expect(candidates("shares of Apple Inc. rose")["apple_inc"]?.specificAlias == true)
        #expect(candidates("an apple a day")["apple_inc"]?.specificAlias == false)
        let pais = try makeLinker("""
            entities:
              - id: el_pais
                name: El País
                aliases: [pais, el pais]
                description: Periódico español.
            """)
        let post = pais.matcher.candidates(in: try Analyzer().analyze("La economía de el país crece"))
        let c = try #require(post.candidates.first)
        #expect(c.multiword && !c.specificAlias)
    }

    @Test func homepageLinksCountBehindShortLinks() throws {
        let links = [PostURL(url: "https://t.co/abc", expanded: "https://www.apple.com/iphone/")]
        let c = try #require(candidates("look https://t.co/abc", links: links)["apple_inc"])
        #expect(c.signal > 0.9)
        #expect(c.evidence.contains("link to apple.com"))
        #expect(c.occurrence == nil)
    }

    @Test func contextExcludesTheAliasWords() throws {
        let post = linker.matcher.candidates(in: analyzer.analyze("Apple unveils the new iPhone in Cupertino"))
        let apple = try #require(post.candidates.first)
        let context = linker.matcher.context(post, candidate: apple)
        #expect(!context.contains("appl"))
        #expect(context.contains("iphon"))
        #expect(context.contains("cupert"))  // truncated to six characters
        #expect(!context.contains("the"))  // stopword
    }

    @Test func onlyTheMatchedAliasWordsLeaveTheContext() throws {
        // "Cercanías Renfe" is an alias; when only "cercanías" occurs, "renfe" (stem `renf`) is context and profile.
        let yaml = """
            entities:
              - id: cercanias
                name: Cercanías Renfe
                aliases: [cercanias, cercanias renfe]
                description: Servicio de trenes de cercanías de Renfe.
            """
        let m = try makeLinker(yaml).matcher
        #expect(m.entities[0].profile.contains("renf") && !m.entities[0].profile.contains("cercan"))
        let one = m.candidates(in: analyzer.analyze("Renfe oferta plazas de cercanías para el carnaval"))
        let c = try #require(one.candidates.first)
        #expect(c.matchedFeatures == ["cercan"])
        #expect(m.context(one, candidate: c).contains("renf"))
        #expect(!m.context(one, candidate: c).contains("cercan"))
        let both = m.candidates(in: analyzer.analyze("Retrasos en Cercanías Renfe esta mañana"))
        let d = try #require(both.candidates.first)
        #expect(d.multiword && Set(d.matchedFeatures) == ["cercan", "renf"])
        #expect(!m.context(both, candidate: d).contains("renf"))
        // A handle spelt like the alias leaves as a mention feature.
        let at = m.candidates(in: analyzer.analyze("@cercanias otra vez tarde"))
        let e = try #require(at.candidates.first)
        #expect(e.matchedFeatures.contains("@cercanias"))
        #expect(!m.context(at, candidate: e).contains("@cercanias"))
    }

    @Test func featuresAreLeftOutOnlyWhereNothingIsNamed() {
        // Ingest asks for the features only when a post names an entity; corpus mode always.
        let named = analyzer.analyze("Apple unveils the new iPhone #WWDC @tim_cook https://example.com/x")
        let always = linker.matcher.candidates(in: named)
        for f in ["appl", "iphon", "#wwdc", "@tim_cook", "d:example.com"] { #expect(always.features.contains(f)) }
        #expect(linker.matcher.candidates(in: named, alwaysFeatures: false).features == always.features)
        let plain = analyzer.analyze("Nothing catalogued in this cheerful post #sunday")
        #expect(linker.matcher.candidates(in: plain, alwaysFeatures: false).features.isEmpty)
        #expect(linker.matcher.candidates(in: plain).features.contains("cheerf"))
    }
}
