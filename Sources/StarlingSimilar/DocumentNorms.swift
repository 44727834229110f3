// The L2 norm of every document's TF-IDF vector, by docid, held in memory so the fast path can bound a document's
// cosine from postings alone. Computing them reads every term list (seconds per 100k posts), so they are kept in a
// cache file inside the index directory and extended for documents added since; they are rebuilt when the index
// has grown or shrunk enough that the idf they were computed with has drifted. Stale norms only loosen the bounds:
// every hit is re-scored exactly from its term list.
import Foundation
import XapianKit

/// Document norms by docid (0 for docids with no document).
final class DocumentNorms {
    /// `norms[docid]`.
    private(set) var norms: [Float] = [0]
    /// The document count the norms were computed with.
    private(set) var documentCount = 0

    /// The cache file's name inside the index directory.
    static let fileName = "starling-similar-norms"
    /// Rebuild when the document count has changed by more than this fraction since the norms were computed.
    static let maxDrift = 0.05
    private static let magic: UInt32 = 0x5354_4E31  // "STN1"

    var lastDocID: UInt32 { UInt32(norms.count - 1) }

    /// Loads the cached norms of the index at `directory` (nil: no cache file), computes what is missing, and
    /// writes the cache back when it changed (silently skipped if the directory is read-only).
    init(database: Database, directory: String?, idf: (String) throws -> Double) throws {
        let count = try database.documentCount()
        let last = try database.lastDocID()
        let url = directory.map { URL(fileURLWithPath: $0).appendingPathComponent(Self.fileName) }
        if let url, let (cachedCount, cached) = Self.read(url),
           cached.count <= Int(last) + 1,
           abs(Double(count - cachedCount)) <= Self.maxDrift * Double(max(cachedCount, 1))
        {
            norms = cached
            documentCount = cachedCount
            if try !Self.agrees(norms, database: database, idf: idf) { norms = [0] }
        }
        if norms.count == 1 {
            documentCount = count
        }
        let before = norms.count
        try extend(to: last, database: database, idf: idf)
        if let url, norms.count != before || before == 1 { Self.write(url, documentCount: documentCount, norms: norms) }
    }

    /// Whether a sample of cached norms matches the documents now under those docids (an index rebuilt in place,
    /// or many posts replaced, fails this).
    private static func agrees(_ norms: [Float], database: Database, idf: (String) throws -> Double) throws -> Bool {
        let last = norms.count - 1
        guard last >= 1 else { return true }
        var disagreements = 0
        let samples = min(16, last)
        for k in 0..<samples {
            let docid = UInt32(1 + k * (last - 1) / max(samples - 1, 1))
            let fresh: Double
            do { fresh = try SimilarVector(terms: try database.termList(docid), idf: idf).norm } catch let e
                as XapianError where e.type == "DocNotFoundError"
            {
                fresh = 0
            }
            let cached = Double(norms[Int(docid)])
            if abs(fresh - cached) > 0.1 * max(fresh, cached) { disagreements += 1 }
        }
        return disagreements * 4 <= samples
    }

    /// Computes the norms of docids above the current last one, up to `last`.
    ///
    /// - Complexity: one term-list read per new docid.
    func extend(to last: UInt32, database: Database, idf: (String) throws -> Double) throws {
        guard last > lastDocID else { return }
        norms.reserveCapacity(Int(last) + 1)
        for docid in (lastDocID + 1)...last {
            let list: [(term: String, wdf: UInt32)]
            do { list = try database.termList(docid) } catch let e as XapianError where e.type == "DocNotFoundError" {
                norms.append(0)
                continue
            }
            norms.append(Float(try SimilarVector(terms: list, idf: idf).norm))
        }
    }

    private static func read(_ url: URL) -> (Int, [Float])? {
        guard let data = try? Data(contentsOf: url), data.count >= 16 else { return nil }
        return data.withUnsafeBytes { raw -> (Int, [Float])? in
            guard raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self) == magic else { return nil }
            let count = Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            let n = (raw.count - 16) / 4
            guard n >= 1 else { return nil }
            var norms = [Float](repeating: 0, count: n)
            norms.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[16..<(16 + n * 4)])) }
            return (count, norms)
        }
    }

    private static func write(_ url: URL, documentCount: Int, norms: [Float]) {
        var data = Data(capacity: 16 + norms.count * 4)
        withUnsafeBytes(of: magic.littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(0)) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt64(documentCount).littleEndian) { data.append(contentsOf: $0) }
        norms.withUnsafeBytes { data.append(contentsOf: $0) }
        // Written aside and renamed, so a concurrent reader sees the old file or the new one, never half of one.
        let tmp = url.appendingPathExtension("tmp-\(getpid())")
        do {
            try data.write(to: tmp)
            if rename(tmp.path, url.path) != 0 { try? FileManager.default.removeItem(at: tmp) }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
        }
    }
}
