// Near-duplicate clusters on a real on-disk Xapian index: assignment at write time in any arrival order,
// merges applied by flush, and the repair the writer calls before deleting or replacing a post.
import Foundation
import StarlingAnalysis
import StarlingDuplicates
import StarlingIndex
import StarlingModel
import Testing
import XapianKit

/// A temporary index written post by post the way the Ingestor does it (build, prepare, beforeWrite, replace).
final class ClusterFixture {
    let dir: URL
    private(set) var database: WritableDatabase
    private(set) var stage: DuplicateStage
    let analyzer: Analyzer = try! Analyzer()

    /// A new index whose buckets are kept as `buckets` says (the standard: in the bucket file).
    init(buckets: BucketStorage = .file) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("dup-clusters-\(UUID().uuidString)")
        database = try WritableDatabase(path: dir.path, mode: .createOrOverwrite)
        var p = DuplicateParameters.standard
        p.buckets = buckets
        stage = DuplicateStage(parameters: p)
    }

    /// Closes the writer and opens the index again with a new stage, as the next `starling index` run would.
    func reopen() throws {
        try database.close()
        database = try WritableDatabase(path: dir.path, mode: .open)
        stage = DuplicateStage(parameters: stage.parameters)
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    func write(_ posts: [Post]) throws {
        for post in posts {
            let analysis = analyzer.analyze(post.text, links: post.urls)
            let doc = DocumentBuilder().build(post, analysis: analysis)
            stage.prepare(post, analysis: analysis, document: doc)
            try stage.beforeWrite(id: post.id, document: doc, database: database)
            let docid = try database.replaceDocument(uniqueTerm: TermPrefix.id + post.id, doc)
            try stage.afterWrite(id: post.id, docid: docid, database: database)
        }
        try database.commit()
        try stage.afterCommit(database: database)
    }

    func delete(_ id: String) throws {
        let docid = try #require(try database.postings(TermPrefix.id + id).first)
        try stage.beforeDelete(id: id, docid: docid, database: database)
        try database.deleteDocument(docid)
        try database.commit()
        try stage.afterCommit(database: database)
    }

    func cluster(_ id: String) throws -> String {
        let docid = try #require(try database.postings(TermPrefix.id + id).first)
        return try database.document(docid).stringValue(ValueSlot.cluster)
    }

    func clusters(_ ids: [String]) throws -> [String] { try ids.map(cluster) }
}

private let base = "the quick brown fox jumps over the lazy dog near the river bank today"
private func post(_ id: String, _ text: String, minute: Int? = nil, reshareOf: String? = nil) -> Post {
    Post(id: id, text: text, createdAt: minute.map { Date(timeIntervalSince1970: 1_400_000_000 + Double($0) * 60) },
         reshareOf: reshareOf)
}

/// Three texts where A~B (10/13) and B~C (13/16) reach 0.7 but A~C (10/16) does not: B bridges them.
private let chainA = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
private let chainB = chainA + " nu xi omicron"
private let chainC = chainB + " pi rho sigma"

@Suite struct DuplicateClustersTests {
    static let family: [Post] = [
        post("o", base, minute: 0),
        post("rt", "RT @someone: " + base, minute: 5),
        post("link", base + " http://t.co/xyz", minute: 7),
        post("near", base + " again", minute: 9),
        post("other", "a completely different post about cooking pasta at home tonight", minute: 1),
    ]

    /// Every arrival order gives the same clusters: the earliest post names the cluster.
    @Test(arguments: [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 3, 4, 1], [3, 1, 4, 2, 0]])
    func orderDoesNotMatter(_ order: [Int]) throws {
        let f = try ClusterFixture()
        // Two batches, so merges cross a commit as well as happen inside one.
        try f.write(order.prefix(2).map { Self.family[$0] })
        try f.write(order.dropFirst(2).map { Self.family[$0] })
        #expect(try f.clusters(["o", "rt", "link", "near", "other"]) == ["o", "o", "o", "o", "other"])
    }

    @Test func bridgeJoinsAndItsDeletionSplits() throws {
        let f = try ClusterFixture()
        try f.write([post("a", chainA, minute: 0), post("c", chainC, minute: 2)])
        #expect(try f.clusters(["a", "c"]) == ["a", "c"])
        try f.write([post("b", chainB, minute: 1)])
        #expect(try f.clusters(["a", "b", "c"]) == ["a", "a", "a"])
        try f.delete("b")
        #expect(try f.clusters(["a", "c"]) == ["a", "c"])
    }

    @Test func deletingTheFirstPostRenamesTheCluster() throws {
        let f = try ClusterFixture()
        try f.write([post("x1", base, minute: 3), post("x0", base, minute: 1), post("x2", base + " again", minute: 4)])
        #expect(try f.clusters(["x0", "x1", "x2"]) == ["x0", "x0", "x0"])
        try f.delete("x0")
        #expect(try f.clusters(["x1", "x2"]) == ["x1", "x1"])
    }

    /// The first copy of a text holds the buckets; deleting it hands them to another copy.
    @Test(arguments: [BucketStorage.file, .terms])
    func bucketsSurviveTheirHoldersDeletion(_ buckets: BucketStorage) throws {
        let f = try ClusterFixture(buckets: buckets)
        try f.write([post("c1", base, minute: 0), post("c2", base, minute: 1), post("c3", base, minute: 2)])
        try f.delete("c1")
        let searcher = try DuplicateSearcher(database: f.database)
        let r = try searcher.duplicates(ofText: base + " again", limit: 10)
        #expect(Set(r.hits.map(\.id)) == ["c2", "c3"])
        #expect(try f.clusters(["c2", "c3"]) == ["c2", "c2"])
        // A near-duplicate written now meets the deleted holder's left-over entries (bucket file) and is not misled.
        try f.write([post("c4", base + " again", minute: 3)])
        #expect(try f.clusters(["c2", "c3", "c4"]) == ["c2", "c2", "c2"])
    }

    /// Later copies of a text store a 5-byte reference to the post holding its shingle set; when that post goes
    /// (deleted, or replaced by another text) the first copy takes the set over and the others refer to it.
    @Test(arguments: [BucketStorage.file, .terms])
    func copiesReferToTheHolderOfTheirText(_ buckets: BucketStorage) throws {
        let f = try ClusterFixture(buckets: buckets)
        func docid(_ id: String) throws -> UInt32 { try #require(try f.database.postings(TermPrefix.id + id).first) }
        func stored(_ id: String) throws -> [UInt8] { try f.database.value(try docid(id), slot: ValueSlot.shingles) }
        func refers(_ id: String) throws -> UInt32? { ShingleCoding.referencedDocid(try stored(id)) }
        func twins(_ id: String) throws -> Set<String> {
            Set(try DuplicateSearcher(database: f.database).duplicates(ofPost: id, limit: 10).hits.map(\.id))
        }
        try f.write([post("h", base, minute: 0), post("k1", base, minute: 1)])
        try f.write([post("k2", base, minute: 2), post("k3", base, minute: 3)])
        let set = try stored("h")
        #expect(set.count >= 4 && ShingleCoding.referencedDocid(set) == nil)
        for k in ["k1", "k2", "k3"] { #expect(try refers(k) == docid("h")) }
        #expect(try twins("k2") == ["h", "k1", "k3"])

        try f.delete("h")
        #expect(try stored("k1") == set)
        #expect(try refers("k2") == docid("k1"))
        #expect(try refers("k3") == docid("k1"))
        #expect(try twins("k3") == ["k1", "k2"])
        #expect(try f.clusters(["k1", "k2", "k3"]) == ["k1", "k1", "k1"])

        // The holder replaced by another text: the set moves on again; a new copy refers to the new holder.
        try f.write([post("k1", "an unrelated post about trains and timetables in winter", minute: 1)])
        #expect(try stored("k2") == set)
        #expect(try refers("k3") == docid("k2"))
        try f.reopen()
        try f.write([post("k4", base, minute: 4)])
        #expect(try refers("k4") == docid("k2"))
        #expect(try twins("k4") == ["k2", "k3"])
        // A copy written again with a new time stays a copy of the same holder.
        try f.write([post("k3", base, minute: 9)])
        #expect(try refers("k3") == docid("k2"))
        #expect(try f.clusters(["k1", "k2", "k3", "k4"]) == ["k1", "k2", "k2", "k2"])
    }

    @Test func resharesJoinTheirOriginalEvenWhenItArrivesLater() throws {
        let f = try ClusterFixture()
        try f.write([post("r1", "RT @bob: short", minute: 5, reshareOf: "orig"),
                     post("r2", "RT @bob: short but cut…", minute: 6, reshareOf: "orig")])
        #expect(try f.clusters(["r1", "r2"]) == ["orig", "orig"])
        try f.write([post("orig", "short but cut off here by the platform", minute: 1)])
        #expect(try f.clusters(["orig", "r1", "r2"]) == ["orig", "orig", "orig"])
    }

    /// A post of a near-duplicate family that is earlier than an original arriving after its reshares wins.
    @Test func lateOriginalIsOrderedByItsRealTime() throws {
        let f = try ClusterFixture()
        try f.write([post("r1", "RT @bob: " + base, minute: 10, reshareOf: "orig"),
                     post("early", base + " again", minute: 0)])
        #expect(try f.clusters(["r1", "early"]) == ["orig", "orig"])  // the absent original counts as first
        try f.write([post("orig", base, minute: 5)])
        #expect(try f.clusters(["orig", "r1", "early"]) == ["early", "early", "early"])
    }

    @Test(arguments: [BucketStorage.file, .terms])
    func upsertKeepsOrLeavesTheCluster(_ buckets: BucketStorage) throws {
        let f = try ClusterFixture(buckets: buckets)
        try f.write([post("u0", base, minute: 0), post("u1", base, minute: 1)])
        try f.write([post("u1", base, minute: 1)])
        #expect(try f.clusters(["u0", "u1"]) == ["u0", "u0"])
        try f.write([post("u1", "now something else entirely, unrelated to foxes", minute: 1)])
        #expect(try f.clusters(["u0", "u1"]) == ["u0", "u1"])
        try f.write([post("u0", "and this one changed as well, about trains", minute: 0)])
        #expect(try f.clusters(["u0", "u1"]) == ["u0", "u1"])
        #expect(try f.database.documentCount() == 2)
    }

    @Test(arguments: [BucketStorage.file, .terms])
    func searcherReportsExactAndEstimatedJaccard(_ buckets: BucketStorage) throws {
        let f = try ClusterFixture(buckets: buckets)
        try f.write(Self.family)
        let r = try DuplicateSearcher(database: f.database).duplicates(ofPost: "o", limit: 10)
        #expect(r.cluster == "o")
        #expect(Set(r.hits.map(\.id)) == ["rt", "link", "near"])
        let near = try #require(r.hits.first { $0.id == "near" })
        #expect(abs(near.jaccard - 12.0 / 13.0) < 1e-9)
        #expect(abs(near.estimatedJaccard - near.jaccard) < 0.25)
        #expect(r.hits.first?.jaccard == 1)
        let clusters = try DuplicateSearcher(database: f.database).largestClusters(limit: 5)
        #expect(clusters.map(\.size) == [4])
        #expect(clusters.first?.id == "o")
        #expect(clusters.first?.first?.id == "o")
    }

    /// An index remembers its near-duplicate settings; writing with others is refused, queries adopt them.
    @Test func settingsAreStoredAndEnforced() throws {
        let f = try ClusterFixture()
        try f.write([post("s1", base, minute: 0)])
        #expect(try f.database.metadata(DuplicateClusterWriter.parametersKey) == DuplicateParameters.standard.metadataText)
        let other = DuplicateStage(parameters: .standard.with(threshold: 0.9))
        let p = post("s2", base, minute: 1)
        let doc = DocumentBuilder().build(p, analysis: f.analyzer.analyze(p.text))
        #expect(throws: DuplicateIndexError.self) {
            try other.beforeWrite(id: p.id, document: doc, database: f.database)
        }
        #expect(try DuplicateSearcher(database: f.database, threshold: 0.9).parameters.threshold == 0.9)
        #expect(try DuplicateSearcher(database: f.database).parameters == .standard)
        // An index written before the bucket file (settings without `buckets=`) is refused for writing too.
        var legacy = DuplicateParameters.standard
        legacy.buckets = .terms
        #expect(throws: DuplicateIndexError.self) {
            try DuplicateStage(parameters: legacy).beforeWrite(id: p.id, document: doc, database: f.database)
        }
    }
}
