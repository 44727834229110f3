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
        // Measured 0.827 (tools/entities-eval/README.md: dev 0.851, test 0.801); majority 0.60.
        #expect(accuracy >= 0.75, "accuracy \(accuracy), majority \(majority)")
        #expect(accuracy > majority + 0.1)
    }

    /// The EM's estimated share of each organisation, over the WePS-3 tweets alone and with `extra` posts added.
    static func estimatedShares(extra: [String]) throws -> [String: Double] {
        let catalog = try EntityCatalog.load(contentsOf: Paths.root.appendingPathComponent("tools/entities-eval/weps3.yaml"))
        let analyzer = try Analyzer()
        let corpus = CorpusLinker(linker: EntityLinker(catalog: catalog, analyzer: analyzer))
        for (n, text) in extra.enumerated() { corpus.add(id: "extra\(n)", analysis: analyzer.analyze(text)) }
        let tsv = try String(contentsOf: Paths.weps3, encoding: .utf8)
        for (n, line) in tsv.split(separator: "\n").enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            corpus.add(id: "w\(n)", analysis: analyzer.analyze(f[3..<(f.count - 1)].joined(separator: "\t")))
        }
        _ = corpus.finish()
        var out: [String: Double] = [:]
        for s in corpus.summaries where s.profileUsed { out[s.entityID] = s.estimatedShare }
        return out
    }

    /// Ten thousand tweets of the same era about other things (Sentiment140, 2009) must not move what the EM learns
    /// about the organisations much: its smoothing weighs by the posts naming each one, not by the input's whole
    /// vocabulary, which the extra tweets enlarge. Measured: mean change of the estimated shares 0.035 (2026-12-02;
    /// 0.041 when first written);
    /// with the smoothing by vocabulary it was 0.076 (sprint 0.41 → 0.13, rim 0.45 → 0.26).
    @Test(.enabled(if: Paths.weps3Available && FileManager.default.fileExists(atPath: Paths.sentiment140.path),
                   "../shared/data's WePS-3 or Sentiment140 files are absent"))
    func unrelatedPostsBarelyMoveTheLearntShares() throws {
        let csv = try String(contentsOf: Paths.sentiment140, encoding: .isoLatin1)
        // "polarity","id","date","query","user","text": the text is what follows the fifth `","`.
        let tweets: [String] = csv.split(separator: "\n").compactMap { line in
            let parts = line.components(separatedBy: "\",\"")
            guard parts.count >= 6 else { return nil }
            var text = parts[5...].joined(separator: "\",\"")
            if text.hasSuffix("\"") { text.removeLast() }
            return text.replacingOccurrences(of: "\"\"", with: "\"")
        }
        #expect(tweets.count > 9_000)
        let alone = try Self.estimatedShares(extra: [])
        let mixed = try Self.estimatedShares(extra: tweets)
        let both = Set(alone.keys).intersection(mixed.keys).sorted()
        #expect(both.count >= 15, "organisations whose learnt profile is used in both runs: \(both)")
        let changes = both.map { abs(alone[$0]! - mixed[$0]!) }
        let mean = changes.reduce(0, +) / Double(changes.count)
        #expect(mean < 0.06, "mean change \(mean): \(both.map { "\($0) \(alone[$0]!) -> \(mixed[$0]!)" })")
    }
}
