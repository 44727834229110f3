// Generic occurrence cues: how the alias is written, the words beside it, organisation words after it, the post's
// language against the description's, and the plural-aware stemmer. None of them is set per entity.
import StarlingAnalysis
import Testing
@testable import StarlingEntities

@Suite struct CueTests {
    static let yaml = appleYAML + """

          - id: gap_inc
            name: Gap Inc.
            aliases: [gap]
            domains: [gap.com]
            description: American clothing retailer that sells jeans and apparel in its stores.
          - id: cuatro
            name: Cuatro
            aliases: [cuatro]
            domains: [cuatro.com]
            description: Cadena de televisión española que emite series y programas de entretenimiento, y que es de las más vistas.
          - id: warner_bros
            name: Warner Bros.
            aliases: [warner, warner bros]
            domains: [warnerbros.com]
            description: American film studio that makes movies.
        """

    let linker: EntityLinker
    let analyzer: Analyzer

    init() throws {
        linker = try makeLinker(Self.yaml)
        analyzer = try Analyzer()
    }

    func candidate(_ text: String, _ id: String) throws -> EntityCandidate {
        let post = linker.matcher.candidates(in: analyzer.analyze(text))
        return try #require(post.candidates.first { linker.matcher.entities[$0.entity].entity.id == id }, "\(text)")
    }

    func confidence(_ text: String, _ id: String) -> (Double, [String]) {
        let m = linker.link(analyzer.analyze(text), all: true).first { $0.entityID == id }
        return (m?.confidence ?? 0, m?.evidence ?? [])
    }

    @Test func caseOfTheAlias() throws {
        #expect(try candidate("Yesterday I went shopping at Gap with my sister", "gap_inc").shape.contains("~cap"))
        #expect(try candidate("Yesterday I went shopping at Gap with my sister", "gap_inc").cues.capitalisedMidSentence)
        #expect(try candidate("Gap is having a sale. Nice jeans", "gap_inc").shape.contains("~capstart"))
        #expect(try candidate("@friend Gap is having a sale", "gap_inc").shape.contains("~capstart"))
        #expect(try candidate("Mind The Gap Between Train And Platform", "gap_inc").shape.contains("~title"))
        let low = try candidate("There is a gap between them, said Tom", "gap_inc")
        #expect(low.shape.contains("~low") && low.cues.lowerCase)
        #expect(try candidate("there is a gap between them", "gap_inc").shape.contains("~lowpost"))
        #expect(try candidate("MIND THE GAP NOW", "gap_inc").shape.contains("~shout"))
    }

    /// Inside a check-in's venue name the capitals are the venue's: the occurrence is `^venue` (learnt once, not as
    /// the writer's case), whatever the post's casing.
    @Test func checkInVenues() throws {
        for text in ["Take me back @ Warner Bros. Studio Tour Hollywood", "Studio tour! (@ Warner Bros. Museum in Burbank, CA)",
                     "I'm at Old Warner Theatre. http://4sq.com/x", "I\u{2019}m at Warner Center"] {
            let c = try candidate(text, "warner_bros")
            #expect(c.shape.contains("^venue") && !c.shape.contains { $0.hasPrefix("~") }, "\(text): \(c.shape)")
            #expect(!c.cues.capitalisedMidSentence && !c.cues.lowerCase, "\(text)")
        }
        for text in ["Working @ home, Warner keynote later", "Lunch @ noon. Warner Bros called",
                     "Meet me @ the studio where Warner Bros shot the whole first season of it",
                     "Kurt Warner To Reveal Plans Friday", "I'm at home watching Warner films"] {
            let c = try candidate(text, "warner_bros")
            #expect(!c.shape.contains("^venue"), "\(text): \(c.shape)")
        }
        #expect(EntityMatcher.inCheckInVenue("@ Apple Store", at: 2))
        #expect(!EntityMatcher.inCheckInVenue("Apple Store", at: 0))
    }

    @Test func neighboursAreCollocations() throws {
        let c = try candidate("I hate time warner cable so much", "warner_bros")
        #expect(c.shape.contains("<tim"))  // stems: a final "e" goes
        #expect(c.shape.contains(">cabl"))
        // Not across punctuation.
        let d = try candidate("It is time. Warner, call me", "warner_bros")
        #expect(!d.shape.contains { $0.hasPrefix("<") || $0.hasPrefix(">") }, "\(d.shape)")
    }

    @Test func organisationWordsRaiseTheConfidence() throws {
        let (withWord, evidence) = confidence("gap shares fell after the results", "gap_inc")
        let (without, _) = confidence("gap widened after the results", "gap_inc")
        #expect(withWord > without)
        #expect(evidence.contains("organisation word: shares"), "\(evidence)")
        let (possessive, why) = confidence("Gap's new jeans are out", "gap_inc")
        #expect(possessive > without)
        #expect(why.contains("organisation word: 's"), "\(why)")
    }

    @Test func languageMismatchLowersTheConfidence() throws {
        let spanish = try candidate("Esta noche en Cuatro ponen la serie que más me gusta y no me la pierdo por nada del mundo", "cuatro")
        #expect(spanish.cues.language == "es")
        let english = try candidate("the cuatro is a small guitar from Venezuela and I love to play it", "cuatro")
        #expect(english.cues.language == "en")
        let (es, _) = confidence("Esta noche en Cuatro ponen la serie que más me gusta y no me la pierdo por nada del mundo", "cuatro")
        let (en, why) = confidence("the cuatro is a small guitar from Venezuela and I love to play it", "cuatro")
        #expect(es > en)
        #expect(why.contains("post in en, description in es"), "\(why)")
        #expect(linker.matcher.entities.first { $0.entity.id == "cuatro" }?.language == "es")
        #expect(linker.matcher.entities.first { $0.entity.id == "gap_inc" }?.language == "en")
    }

    @Test func languageGuessNeedsEnoughFunctionWords() {
        let f = linker.matcher.featurizer
        #expect(f.language(of: "el tren de cercanías está lleno y yo no puedo sentarme porque hay mucha gente"
            .split(separator: " ").map(String.init)) == "es")
        // Too few function words, shared between Romance languages: no guess rather than a wrong one.
        #expect(f.language(of: ["el", "tren", "de", "la", "estación", "está", "lleno"]) == nil)
        #expect(f.language(of: ["the", "train", "is", "at", "the", "station"]) == "en")
        #expect(f.language(of: ["iphone", "ipad"]) == nil)
    }

    @Test func pluralsMeetTheirSingulars() {
        let f = linker.matcher.featurizer
        #expect(f.feature("phones") == f.feature("phone"))
        #expect(f.feature("airlines") == f.feature("airline"))
        #expect(f.feature("business") == "busine")  // "ss" is not a plural
        // Spanish plurals in -es meet their singulars too, because a final "e" is dropped after the "s".
        #expect(f.feature("trenes") == f.feature("tren"))
        #expect(f.feature("ciudades") == f.feature("ciudad"))
        #expect(f.feature("stores") == f.feature("store"))
    }

    @Test func appleStillRight() throws {
        let apple = try makeLinker(appleYAML)
        #expect(apple.link(analyzer.analyze("Apple announced a new iPhone and iPad today")).first?.entityID == "apple_inc")
        #expect(apple.link(analyzer.analyze("apple pie with apple juice from the orchard")).isEmpty)
        #expect(apple.link(analyzer.analyze("i baked an apple pie, it is the best apple pie")).isEmpty)
    }
}
