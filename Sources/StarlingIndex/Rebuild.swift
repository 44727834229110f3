// Rebuilding an index in the current format from the posts it stores: the upgrade path for indexes written before
// a format change (they can still be searched, but adding to them is refused with a message to rebuild them).
import Foundation
import StarlingImport
import StarlingModel
import XapianKit

/// What a rebuild did.
public struct RebuildSummary: Sendable {
    /// Posts read back from the old index.
    public var posts = 0
    /// Posts the new index holds.
    public var documents = 0
    /// Stored posts that could not be indexed again (reported through `onIssue`).
    public var rejected = 0
    /// Seconds from the first read to the swap.
    public var seconds = 0.0
    /// Bytes on disk before and after.
    public var bytesBefore: Int64 = 0
    public var bytesAfter: Int64 = 0
}

extension IndexMaintenance {
    /// Indexes every post stored in the index at `path` again, with the current analysis and format, into a new
    /// index beside it, compacts that, and swaps it in. The old index keeps the write lock meanwhile (no writer can
    /// change it; searches go on) and is only replaced once the new one is complete, so an interruption or a failure
    /// leaves it as it was. Files Starling keeps in the folder that are not derived from the index (the
    /// unshortening cache) move to the new one; the near-duplicate bucket file and the similarity store are
    /// made again.
    ///
    /// - Complexity: one full ingest of the stored posts (about as long as the original import), plus a compaction.
    public static func rebuild(path: String, onIssue: @escaping @Sendable (ImportIssue) -> Void = { _ in })
        throws -> RebuildSummary
    {
        let fm = FileManager.default
        let start = Date()
        var summary = RebuildSummary()
        summary.bytesBefore = IndexStats.directorySize(path)
        let lock = try IndexLocation.openWriter(path, create: false)
        let tag = "\(getpid())"
        let postsFile = path + ".rebuild-\(tag).jsonl"
        let fresh = path + ".rebuilding-\(tag)"
        defer {
            try? fm.removeItem(atPath: postsFile)
            try? fm.removeItem(atPath: fresh)
        }
        try? fm.removeItem(atPath: fresh)

        // The stored posts, one native JSON object a line, in docid order (the order they were first written).
        guard fm.createFile(atPath: postsFile, contents: nil),
              let out = FileHandle(forWritingAtPath: postsFile)
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: postsFile])
        }
        let last = try lock.lastDocID()
        // Standing searches mark posts by docid, which the new index numbers afresh: remember each post's old
        // docid to move their marks over (only when there are some).
        let marked = !(try StandingSearchStore(folder: path).list().isEmpty)
        var oldDocids: [(docid: UInt32, id: String)] = []
        var buffer = Data()
        if last > 0 {
            for docid in 1...last {
                let data: [UInt8]
                do {
                    data = try lock.document(docid).dataBytes
                } catch let e as XapianError where e.type == "DocNotFoundError" {
                    continue
                }
                // One line of native JSON, whatever the stored form; data that does not read back goes through
                // as it is (newlines made spaces), so the import reports it with its line instead of losing it.
                let line = StoredPost.jsonText(data).map { Array($0.utf8) }
                    ?? data.map { $0 == UInt8(ascii: "\n") ? UInt8(ascii: " ") : $0 }
                buffer.append(contentsOf: line)
                buffer.append(UInt8(ascii: "\n"))
                if marked, let id = StoredPost.post(data)?.id { oldDocids.append((docid, id)) }
                summary.posts += 1
                if buffer.count >= 1 << 20 {
                    try out.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
        }
        try out.write(contentsOf: buffer)
        try out.close()

        let ingestor = try Ingestor(path: fresh, options: IngestOptions())
        let result = try ingestor.ingest(paths: [postsFile], importOptions: ImportOptions(format: .native),
                                         onIssue: onIssue, onFileError: { _, _ in }, onProgress: { _ in })
        try ingestor.close()
        summary.rejected = result.rejected
        summary.documents = result.documentsAfter
        _ = try compact(path: fresh)

        // Starling's own files that are not made from the index (the unshortening cache) come along.
        try copyStarlingFiles(from: path, to: fresh, except: [BucketStore.fileName, "starling-similar-store"])
        if marked {
            // A mark moves to the new docid of the last post it covered (posts are indexed again in docid order).
            let reader = try Database(path: fresh)
            try StandingSearchStore(folder: fresh).remapMarks { mark in
                // The last post whose old docid is at most the mark (old docids ascend): a binary search.
                var lo = 0, hi = oldDocids.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if oldDocids[mid].docid <= mark { lo = mid + 1 } else { hi = mid }
                }
                var k = lo - 1
                while k >= 0 {
                    if let d = try reader.postings(DocumentBuilder.clip(TermPrefix.id + oldDocids[k].id)).first { return d }
                    k -= 1  // rejected on the way: the post before it
                }
                return 0
            }
            try reader.close()
        }
        try lock.close()
        try swap(in: fresh, for: path, parking: path + ".old-\(tag)")
        summary.bytesAfter = IndexStats.directorySize(path)
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}
