// The near-duplicate bucket file beside the index: no bucket terms in Xapian, the file in step with each commit,
// and what a writer does with a file a crash left out of step, or that went missing.
import Foundation
import StarlingDuplicates
@testable import StarlingIndex
import StarlingModel
import Testing
import XapianKit

private let text = "the quick brown fox jumps over the lazy dog near the river bank today"
private func post(_ id: String, _ body: String, minute: Int) -> Post {
    Post(id: id, text: body, createdAt: Date(timeIntervalSince1970: 1_400_000_000 + Double(minute) * 60))
}

private func fileURL(_ f: ClusterFixture) -> URL { f.dir.appendingPathComponent(BucketStore.fileName) }

private func recordedLength(_ db: Database) throws -> Int { Int(try db.metadata(BucketStore.lengthKey)) ?? -1 }

/// Sets the bucket file's metadata the way a crash at the wrong moment would leave it, through a writer with no
/// hooks (as if the process had died and another had opened the index).
private func overwriteMetadata(_ f: ClusterFixture, length: Int, covered: UInt32) throws {
    try f.database.close()
    let raw = try WritableDatabase(path: f.dir.path, mode: .open)
    try raw.setMetadata(BucketStore.lengthKey, String(length))
    try raw.setMetadata(BucketStore.coveredKey, String(covered))
    try raw.commit()
    try raw.close()
}

@Suite struct BucketStoreTests {
    @Test func tableHoldsSeveralDocidsPerKeyAndGrows() {
        var table = BucketTable()
        for key in UInt32(0)..<5_000 {
            for docid in UInt32(1)...3 {
                let inserted = table.insert(key * 7919 % (1 << 30), key * 10 + docid)
                #expect(inserted)
            }
        }
        #expect(table.count == 15_000)
        let again = table.insert(7919, 11)
        #expect(!again)  // already there
        let filed = table.docids(7919)
        #expect(filed == [11, 12, 13])
        let present = table.contains(7919 * 2, 22), absent = table.contains(7919 * 2, 24)
        #expect(present && !absent)
        let none = table.docids(3), slots = table.slots.count
        #expect(none.isEmpty)
        #expect(slots >= 15_000 * 10 / 7)
    }

    /// Bucket entries are in the file, committed with the index; Xapian holds no bucket term.
    @Test func entriesLiveInTheFileInStepWithCommits() throws {
        let f = try ClusterFixture()
        try f.write([post("a", text, minute: 0), post("b", "something else about trains and timetables today", minute: 1)])
        #expect(try f.database.allTerms(prefix: TermPrefix.duplicateBucket).isEmpty)
        let size = try FileManager.default.attributesOfItem(atPath: fileURL(f).path)[.size] as? Int
        // Header + 6 bands for each of the two texts.
        #expect(size == BucketStore.header.count + 2 * 6 * 8)
        #expect(try recordedLength(f.database) == size)
        #expect(try f.database.metadata(BucketStore.coveredKey) == "2")
        // A copy gets no entries of its own; a near-duplicate is found through the holder's.
        try f.write([post("c", text, minute: 2), post("d", text + " again", minute: 3)])
        #expect(try f.clusters(["a", "c", "d"]) == ["a", "a", "a"])
        let hits = try DuplicateSearcher(database: f.database).duplicates(ofPost: "d", limit: 10).hits
        #expect(Set(hits.map(\.id)) == ["a", "c"])
        // A reader sees the entries of its own revision only.
        let reader = try Database(path: f.dir.path)
        let mountains = "a brand new text about mountains rivers and lakes up north"
        try f.write([post("e", mountains, minute: 4)])
        #expect(try recordedLength(reader) < recordedLength(f.database))
        // Lookups after the first use the process's sorted copy, extended as commits add entries.
        let searcher = try DuplicateSearcher(path: f.dir.path)
        for _ in 0..<3 {
            #expect(try searcher.duplicates(ofText: mountains + " today", limit: 5).hits.map(\.id) == ["e"])
            #expect(Set(try searcher.duplicates(ofText: text, limit: 5).hits.map(\.id)) == ["a", "c", "d"])
        }
        try f.write([post("g", mountains + " and hills", minute: 5)])
        try searcher.database.reopen()
        #expect(Set(try searcher.duplicates(ofText: mountains + " today", limit: 5).hits.map(\.id)) == ["e", "g"])
    }

    /// Bytes past the recorded length come from a commit that never happened: a new writer keeps only the
    /// entries whose post is there with those shingles, and rewrites the rest.
    @Test func entriesOfAnUncommittedBatchAreDropped() throws {
        let f = try ClusterFixture()
        try f.write([post("a", text, minute: 0)])
        let committed = try recordedLength(f.database)
        // As if a batch's entries were appended and fsynced but Xapian never committed it: docids 2 and 3 are
        // not in the index, and docid 1 is not filed under key 12345.
        let handle = try FileHandle(forWritingTo: fileURL(f))
        try handle.seekToEnd()
        for (key, docid) in [(UInt32(12345), UInt32(2)), (777, 3), (12345, 1)] {
            var e = BucketTable.entry(key, docid).littleEndian
            try handle.write(contentsOf: Data(bytes: &e, count: 8))
        }
        try handle.close()
        try f.reopen()
        try f.write([post("b", text + " again", minute: 1)])
        #expect(try f.clusters(["a", "b"]) == ["a", "a"])
        let entries = try BucketStore.lookup([12345, 777], database: f.database)
        #expect(entries.isEmpty)
        // "b" is a near-duplicate with its own text, so it holds 6 entries of its own.
        #expect(try recordedLength(f.database) == committed + 6 * 8)
    }

    /// Posts committed by one of Xapian's automatic commits (which run no hook) or a lost file: the writer files
    /// their entries again from the posts themselves.
    @Test func missingEntriesAreRebuiltFromThePosts() throws {
        let f = try ClusterFixture()
        try f.write([post("a", text, minute: 0), post("c", text, minute: 1),
                     post("x", "another text entirely about cooking pasta at home tonight", minute: 2)])
        let before = try Data(contentsOf: fileURL(f))
        // The last two posts' entries never reached the file.
        try overwriteMetadata(f, length: BucketStore.header.count + 6 * 8, covered: 1)
        try Data(before.prefix(BucketStore.header.count + 6 * 8)).write(to: fileURL(f))
        try f.reopen()
        try f.write([post("y", "another text entirely about cooking pasta at home tonight again", minute: 3)])
        #expect(try f.clusters(["x", "y"]) == ["x", "x"])
        // The copy "c" did not become a holder.
        #expect(try recordedLength(f.database) == BucketStore.header.count + 3 * 6 * 8)

        // The whole file lost: rebuilt from every post.
        try FileManager.default.removeItem(at: fileURL(f))
        try f.reopen()
        try f.write([post("z", text + " once more", minute: 4)])
        #expect(try f.clusters(["a", "c", "z"]) == ["a", "a", "a"])
        let hits = try DuplicateSearcher(database: f.database).duplicates(ofText: text, limit: 10).hits
        #expect(Set(hits.map(\.id)) == ["a", "c", "z"])
    }

    /// A copy that inherited the buckets when its holder was deleted is a holder too when a lost file is rebuilt.
    @Test func anHeirKeepsItsEntriesWhenTheFileIsRebuilt() throws {
        let f = try ClusterFixture()
        try f.write([post("a", text, minute: 0), post("c", text, minute: 1), post("d", text, minute: 2)])
        try f.delete("a")
        try FileManager.default.removeItem(at: fileURL(f))
        try f.reopen()
        try f.write([post("z", text + " once more", minute: 4)])
        #expect(try f.clusters(["c", "d", "z"]) == ["c", "c", "c"])
        let hits = try DuplicateSearcher(database: f.database).duplicates(ofText: text + " again", limit: 10).hits
        #expect(Set(hits.map(\.id)) == ["c", "d", "z"])
    }

    /// A reader facing a file shorter than its revision records says what is wrong and how to mend it.
    @Test func aDamagedFileIsReportedToReaders() throws {
        let f = try ClusterFixture()
        try f.write([post("a", text, minute: 0)])
        try f.database.close()
        let handle = try FileHandle(forWritingTo: fileURL(f))
        try handle.truncate(atOffset: 20)
        try handle.close()
        let searcher = try DuplicateSearcher(path: f.dir.path)
        do {
            _ = try searcher.duplicates(ofText: text, limit: 10)
            Issue.record("a damaged bucket file must be reported")
        } catch let e as BucketStoreError {
            #expect(e.description.contains(BucketStore.fileName))
            #expect(e.description.contains("rebuilds"))
        }
    }
}
