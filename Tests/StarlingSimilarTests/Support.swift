// Helpers for the similarity tests: a real on-disk index built by the real ingest pipeline from native posts,
// and an independent reference implementation of TF-IDF cosine to check the engine against.
import Foundation
import StarlingImport
import StarlingIndex
import StarlingModel
import StarlingSimilar
import XapianKit

/// A temporary index, removed with `remove()`.
struct TestIndex {
    let dir: URL
    var path: String { dir.appendingPathComponent("idx").path }

    /// Indexes native NDJSON `lines` into a fresh index.
    static func make(_ lines: [String], name: String = "similar") throws -> TestIndex {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("starling-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let index = TestIndex(dir: dir)
        try index.add(lines)
        return index
    }

    /// Indexes more posts into the index (upserting by id).
    func add(_ lines: [String]) throws {
        let file = dir.appendingPathComponent("posts-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        var options = IngestOptions()
        options.workers = 1
        let ingestor = try Ingestor(path: path, options: options)
        _ = try ingestor.ingest(paths: [file.path], importOptions: ImportOptions(format: .native),
                                onIssue: { _ in }, onFileError: { _, _ in }, onProgress: { _ in })
    }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// One native post as a JSON line.
func post(_ id: String, _ text: String, author: String? = nil, lang: String? = nil, created: String? = nil,
          reshareOf: String? = nil) -> String {
    var fields: [(String, JSONValue)] = [("id", .string(id)), ("text", .string(text))]
    if let author { fields.append(("author", .string(author))) }
    if let lang { fields.append(("lang", .string(lang))) }
    if let created { fields.append(("created_at", .string(created))) }
    if let reshareOf { fields.append(("reshare_of", .string(reshareOf))) }
    return JSONValue.object(fields).jsonText
}

/// TF-IDF cosine written the plain way (dictionaries, no caching, its own term filter), from the index's term
/// lists and term frequencies: the reference the engine must agree with.
struct ReferenceCosine {
    let database: Database

    private func counts(_ term: String) -> Bool {
        guard let f = term.unicodeScalars.first else { return false }
        if !("A"..."Z").contains(f) { return true }
        return ["XH", "XD", "XE"].contains(where: { term.hasPrefix($0) })
            && !(term.count > 2 && ("A"..."Z").contains(term.unicodeScalars[term.unicodeScalars.index(term.unicodeScalars.startIndex, offsetBy: 2)]))
    }

    func vector(_ terms: [(term: String, wdf: UInt32)]) throws -> [String: Double] {
        let n = Double(try database.documentCount())
        var v: [String: Double] = [:]
        for (t, wdf) in terms where counts(t) {
            let tf = wdf <= 1 ? 1.0 : 1.0 + log(Double(wdf))
            let df = Double(try database.termFrequency(t))
            v[t] = tf * (log((1 + n) / (1 + df)) + 1)
        }
        let norm = v.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return v.mapValues { $0 / norm }
    }

    /// Document `docid`'s terms with raw frequencies (the index stores them folded: TermWeighting).
    func termList(_ docid: UInt32) throws -> [(term: String, wdf: UInt32)] {
        let list = try database.termList(docid)
        return try database.termWeighting()?.unfold(list) ?? list
    }

    func cosine(_ a: [String: Double], _ b: [String: Double]) -> Double {
        a.reduce(0) { $0 + $1.value * (b[$1.key] ?? 0) }
    }

    /// Cosines of the query docid with every other document, best first (ties by docid).
    func ranking(query: UInt32) throws -> [(docid: UInt32, cosine: Double)] {
        let q = try vector(try termList(query))
        var out: [(UInt32, Double)] = []
        for d in UInt32(1)...(try database.lastDocID()) where d != query {
            let c = cosine(q, try vector(try termList(d)))
            if c > 0 { out.append((d, c)) }
        }
        return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}
