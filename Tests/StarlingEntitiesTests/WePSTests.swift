// The WePS-3 trial set in-process: the repository's catalogue (tools/entities-eval/weps3.yaml) must beat the
// majority baseline by a clear margin. tools/entities-eval reports the full figures; this guards regressions.
import Foundation
import StarlingAnalysis
import Testing
@testable import StarlingEntities

@Suite struct WePSTests {
    static let entityOf = [
        "best buy": "best_buy", "borders": "borders", "cercanias": "cercanias", "cme": "cme_group", "cuatro": "cuatro",
        "delta": "delta_air_lines", "dunkin": "dunkin_donuts", "ford": "ford", "gap": "gap_inc",
        "hormiguero": "el_hormiguero", "leapfrog": "leapfrog", "lennar": "lennar", "madrid": "real_madrid",
        "opera": "opera_software", "overstock": "overstock", "pais": "el_pais", "palm": "palm_inc", "pozo": "elpozo",
        "rim": "research_in_motion", "southwest": "southwest_airlines", "sprint": "sprint_nextel",
        "tam": "tam_airlines", "warner": "warner_bros",
    ]

    @Test(.enabled(if: Paths.weps3Available, "../shared/data/eval/entities/weps3-trial.tsv is absent"))
    func beatsTheMajorityBaseline() throws {
        let catalog = try EntityCatalog.load(contentsOf: Paths.root.appendingPathComponent("tools/entities-eval/weps3.yaml"))
        let analyzer = try Analyzer()
        let corpus = CorpusLinker(linker: EntityLinker(catalog: catalog, analyzer: analyzer))
        var rows: [(org: String, label: String)] = []
        let text = try String(contentsOf: Paths.weps3, encoding: .utf8)
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            try #require(f.count >= 5)
            rows.append((f[0], f[f.count - 1].trimmingCharacters(in: .whitespaces)))
            corpus.add(id: "\(rows.count)", analysis: analyzer.analyze(f[3..<(f.count - 1)].joined(separator: "\t")))
        }
        let out = corpus.finish()
        #expect(out.count == rows.count)
        var right = 0, judged = 0, related = 0
        for (i, row) in rows.enumerated() where row.label == "TRUE" || row.label == "FALSE" {
            let id = try #require(Self.entityOf[row.org])
            let said = out[i].mentions.contains { $0.entityID == id }
            judged += 1
            if row.label == "TRUE" { related += 1 }
            if said == (row.label == "TRUE") { right += 1 }
        }
        let accuracy = Double(right) / Double(judged)
        let majority = Double(max(related, judged - related)) / Double(judged)
        #expect(judged > 2000)
        // Measured 0.825 (tools/entities-eval/README.md: dev 0.842, test 0.807); majority 0.60.
        #expect(accuracy >= 0.75, "accuracy \(accuracy), majority \(majority)")
        #expect(accuracy > majority + 0.1)
    }
}
