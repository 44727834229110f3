// Shared helpers for the entity tests: the repository's paths and a standard analyser.
import Foundation
import StarlingAnalysis
import StarlingEntities

enum Paths {
    /// The package root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    /// ../shared/data beside the package root.
    static let sharedData = root.deletingLastPathComponent().appendingPathComponent("shared/data")
    static var weps3: URL { sharedData.appendingPathComponent("eval/entities/weps3-trial.tsv") }
    static var weps3Available: Bool { FileManager.default.fileExists(atPath: weps3.path) }
    static var sentiment140: URL { sharedData.appendingPathComponent("corpora/sentiment140/sample-10k.latin1.csv") }
}

/// A linker over catalogue `yaml` with the standard analyser and stopwords.
func makeLinker(_ yaml: String, settings: DisambiguationSettings = DisambiguationSettings()) throws -> EntityLinker {
    let catalog = try EntityCatalog.parse(yaml: yaml, file: "test.yaml")
    return EntityLinker(catalog: catalog, analyzer: try Analyzer(), featurizer: .standard(), settings: settings)
}

/// The example catalogue, plus a second entity sharing an alias.
let appleYAML = """
    entities:
      - id: apple_inc
        name: Apple Inc.
        type: organization
        aliases: [apple, apple inc]
        handles: [apple, applesupport]
        cashtags: [AAPL]
        hashtags: [apple]
        domains: [apple.com]
        description: American technology company that makes the iPhone, iPad and Mac.
        keywords: [iphone, ipad, mac, ios]
        negative_keywords: [pie, juice, orchard]
      - id: apple_records
        name: Apple Records
        aliases: [apple records]
        domains: [applerecords.com]
        description: Record label founded by the Beatles.
    """
