// Reading an index's stored posts back for corpus-mode entity decisions: the posts are analysed on several
// threads, and the decisions must not depend on how many.
import Foundation
import StarlingAnalysis
import StarlingEntities
import StarlingImport
import Testing
import XapianKit
@testable import StarlingIndex

@Suite struct EntityDecisionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let weps3 = root.deletingLastPathComponent().appendingPathComponent("shared/data/eval/entities/weps3-trial.tsv")

    @Test("the stored posts' decisions are the same on one thread and on three",
          .enabled(if: FileManager.default.fileExists(atPath: weps3.path), "../shared/data is absent: the WePS-3 tweets are needed"))
    func decisionsDoNotDependOnTheWorkers() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-decide-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The 2,296 WePS-3 tweets as native NDJSON, indexed as `starling index` would.
        var lines: [String] = []
        for (n, line) in try String(contentsOf: Self.weps3, encoding: .utf8).split(separator: "\n").enumerated() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 5 else { continue }
            let object = ["id": "w\(n)", "text": f[3..<(f.count - 1)].joined(separator: "\t")]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        let input = dir.appendingPathComponent("weps3.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("index").path
        let ingestor = try Ingestor(path: path)
        let summary = try ingestor.ingest(paths: [input.path], importOptions: ImportOptions(format: .native),
                                          onIssue: { _ in }, onFileError: { _, _ in }, onProgress: { _ in })
        try ingestor.close()
        #expect(summary.added == lines.count)

        let catalog = try EntityCatalog.load(contentsOf: Self.root.appendingPathComponent("tools/entities-eval/weps3.yaml"))
        let linker = EntityLinker(catalog: catalog, analyzer: try Analyzer())
        let database = try Database(path: path)
        let one = try IndexMaintenance.decideEntities(database, linker: linker, workers: 1)
        let three = try IndexMaintenance.decideEntities(database, linker: linker, workers: 3)
        #expect(one.posts == lines.count && three.posts == lines.count)
        #expect(one.decisions.map(\.id) == three.decisions.map(\.id))
        #expect(one.decisions.map(\.entities) == three.decisions.map(\.entities))
        #expect(one.entities == three.entities)
        // Corpus mode decided something, and differently from the catalogue-only terms indexing wrote.
        #expect(one.decisions.contains { !$0.entities.isEmpty })
        #expect(one.decisions.contains { $0.entities != $0.held })
    }
}
