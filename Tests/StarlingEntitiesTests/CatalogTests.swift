// Catalogue loading: the issue's shape parses; unknown keys, missing keys and wrong types fail naming file and line.
import Foundation
import Testing
@testable import StarlingEntities

@Suite struct CatalogTests {
    @Test func parsesTheFullShape() throws {
        let catalog = try EntityCatalog.parse(yaml: appleYAML, file: "apple.yaml")
        #expect(catalog.entities.count == 2)
        let apple = try #require(catalog.entities.first)
        #expect(apple.id == "apple_inc")
        #expect(apple.name == "Apple Inc.")
        #expect(apple.type == "organization")
        #expect(apple.aliases == ["apple", "apple inc"])
        #expect(apple.handles == ["apple", "applesupport"])
        #expect(apple.cashtags == ["AAPL"])
        #expect(apple.hashtags == ["apple"])
        #expect(apple.domains == ["apple.com"])
        #expect(apple.description == "American technology company that makes the iPhone, iPad and Mac.")
        #expect(apple.keywords == ["iphone", "ipad", "mac", "ios"])
        #expect(apple.negativeKeywords == ["pie", "juice", "orchard"])
        #expect(apple.excludedPhrases.isEmpty)
        let excluding = try EntityCatalog.parse(
            yaml: "entities:\n  - id: a\n    name: A\n    aliases: [apple, apple inc]\n    excluded_phrases: [big apple, Adam's Apple]\n",
            file: "a.yaml")
        #expect(excluding.entities.first?.excludedPhrases == ["big apple", "Adam's Apple"])
        #expect(excluding.entities.first?.threshold == nil)
        let strict = try EntityCatalog.parse(yaml: "entities:\n  - id: a\n    name: A\n    aliases: [a]\n    threshold: 0.35\n",
                                             file: "a.yaml")
        #expect(strict.entities.first?.threshold == 0.35)
        let records = catalog.entities[1]
        #expect(records.handles.isEmpty && records.keywords.isEmpty && records.type == nil)
    }

    /// (YAML, expected line, words the message must hold)
    static let badCatalogues: [(String, Int?, [String])] = [
        ("entities:\n  - id: a\n    name: A\n    aliases: [a]\n    homepage: a.com\n", 5, ["unknown key 'homepage'"]),
        ("entities:\n  - id: a\n    aliases: [a]\n", 2, ["missing required key 'name'"]),
        ("entities:\n  - name: A\n    aliases: [a]\n", 2, ["missing required key 'id'"]),
        ("entities:\n  - id: a\n    name: A\n", 2, ["missing required key 'aliases'"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: a\n", 4, ["'aliases' must be a list"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: []\n", 4, ["'aliases' must not be empty"]),
        ("entities:\n  - id: a\n    name: [A]\n    aliases: [a]\n", 3, ["'name' must be a non-empty string"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [a, [b]]\n", 4, ["only non-empty strings"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [a]\n  - id: a\n    name: B\n    aliases: [b]\n", 5,
         ["defined twice", "line 2"]),
        ("entities:\n  - id: a b\n    name: A\n    aliases: [a]\n", 2, ["may hold only"]),
        ("things: []\n", 1, ["unknown key 'things'"]),
        ("entities: {a: 1}\n", 1, ["'entities' must be a list"]),
        ("entities:\n  - id: a\n    name: \"A\n", nil, ["not valid YAML"]),
        ("", nil, ["empty"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [apple]\n    excluded_phrases: [big apple, pineapple]\n", 5,
         ["excluded phrase 'pineapple' holds none of the aliases (apple)"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [apple]\n    excluded_phrases: big apple\n", 5,
         ["'excluded_phrases' must be a list"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [apple]\n    threshold: 1.5\n", 5,
         ["'threshold' must be a number from 0 to 1"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [apple]\n    threshold: high\n", 5,
         ["'threshold' must be a number from 0 to 1"]),
        ("entities:\n  - id: a\n    name: A\n    aliases: [apple]\n    threshold: [0.4]\n", 5,
         ["'threshold' must be a number from 0 to 1"]),
    ]

    @Test(arguments: badCatalogues.indices)
    func rejectsBadCatalogues(_ i: Int) {
        let (yaml, line, words) = Self.badCatalogues[i]
        do {
            _ = try EntityCatalog.parse(yaml: yaml, file: "bad.yaml")
            Issue.record("case \(i) parsed")
        } catch let error as EntityCatalogError {
            #expect(error.file == "bad.yaml")
            if let line { #expect(error.line == line, "case \(i): \(error)") }
            for w in words { #expect(error.description.contains(w), "case \(i): \(error)") }
            if let line { #expect(error.description.hasPrefix("bad.yaml:\(line): ")) }
        } catch {
            Issue.record("case \(i): unexpected \(error)")
        }
    }

    @Test func loadsAFolderOfCataloguesAndRejectsDuplicateIDs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("entities-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "entities:\n  - id: a\n    name: A\n    aliases: [a]\n".write(to: dir.appendingPathComponent("one.yaml"), atomically: true, encoding: .utf8)
        try "entities:\n  - id: b\n    name: B\n    aliases: [b]\n".write(to: dir.appendingPathComponent("two.yml"), atomically: true, encoding: .utf8)
        try "not a catalogue".write(to: dir.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        #expect(try EntityCatalog.load(folder: dir).entities.map(\.id) == ["a", "b"])

        try "entities:\n  - id: a\n    name: A2\n    aliases: [a]\n".write(to: dir.appendingPathComponent("three.yaml"), atomically: true, encoding: .utf8)
        #expect(throws: EntityCatalogError.self) { try EntityCatalog.load(folder: dir) }
        #expect(try EntityCatalog.load(folder: dir.appendingPathComponent("absent")).isEmpty)
    }

    @Test func theRepositoryCataloguesLoad() throws {
        let catalog = try EntityCatalog.load(folder: Paths.root.appendingPathComponent("analyzers/entities"))
        #expect(Set(catalog.entities.map(\.id)) == ["apple_inc", "amazon_com", "jaguar_cars", "delta_air_lines"])
        #expect(catalog.entities.allSatisfy { !$0.aliases.isEmpty && $0.description != nil })
        // The evaluation catalogue stays with its tool.
        let weps = try EntityCatalog.load(contentsOf: Paths.root.appendingPathComponent("tools/entities-eval/weps3.yaml"))
        #expect(weps.entities.count == 23)
    }
}
