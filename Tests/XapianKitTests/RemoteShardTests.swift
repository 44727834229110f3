// RemoteShardTests.swift: two xapian-tcpsrv shards combined with `add` give the same answers as one local
// database holding both halves.
import Foundation
import StarlingTestSupport
import Testing
import XapianKit

@Suite(.serialized) struct RemoteShardTests {
    @Test(.enabled(if: XapianServer.available, "/usr/bin/xapian-tcpsrv is not installed"), .timeLimit(.minutes(1)))
    func remoteShardsMatchALocalDatabase() throws {
        let dir = try TempDir("remote")
        let posts = Corpus.posts(300)
        // Post i goes to shard i % 2, so the combined docid (d - 1) * 2 + shard + 1 equals the local docid.
        try Corpus.build(at: dir.path("even"), posts.filter { $0.id % 2 == 0 }).close()
        try Corpus.build(at: dir.path("odd"), posts.filter { $0.id % 2 == 1 }).close()
        try Corpus.build(at: dir.path("all"), posts).close()

        let even = try XapianServer(database: dir.path("even"))
        defer { even.stop() }
        let odd = try XapianServer(database: dir.path("odd"))
        defer { odd.stop() }

        try withExtendedLifetime((even, odd)) {
            let local = try Database(path: dir.path("all"))
            #expect(local.shardCount == 1)
            let remote = try Database.remote(host: "127.0.0.1", port: even.port)
            try remote.add(Database.remote(host: "127.0.0.1", port: odd.port))
            let combined = try Database.combining([
                Database.remote(host: "127.0.0.1", port: even.port),
                Database.remote(host: "127.0.0.1", port: odd.port),
            ])

            for db in [remote, combined] {
                #expect(try db.documentCount() == posts.count)
                #expect(db.shardCount == 2)
                #expect(try db.termFrequency("swift") == local.termFrequency("swift"))
                #expect(try db.document(7).data == local.document(7).data)
            }

            let queries: [Query] = [
                .term("swift"),
                .or([.term("fox"), .term("shard"), .term("remote")]),
                .and([.term("quick"), .term("brown")]),
                .filter(.term("search"), .term("Len")),
            ]
            for query in queries {
                let (localMSet, localFacets) = try search(local, query)
                let (remoteMSet, remoteFacets) = try search(remote, query)
                #expect(!localMSet.items.isEmpty && !localFacets.isEmpty, "\(query) should match something")
                #expect(remoteMSet.items.map(\.docid) == localMSet.items.map(\.docid), "\(query)")
                #expect(remoteMSet.items.map(\.data) == localMSet.items.map(\.data))
                for (a, b) in zip(remoteMSet.items, localMSet.items) { #expect(abs(a.weight - b.weight) < 1e-9) }
                #expect(remoteMSet.matchesEstimated == localMSet.matchesEstimated)
                #expect(remoteFacets.map(\.value) == localFacets.map(\.value))
                #expect(remoteFacets.map(\.count) == localFacets.map(\.count))
            }
        }
        even.stop()
        odd.stop()
        #expect(!even.process.isRunning && !odd.process.isRunning)
    }

    private func search(_ db: Database, _ query: Query) throws -> (MSet, [(value: [UInt8], count: Int)]) {
        let enquire = Enquire(db)
        try enquire.setQuery(query)
        let spy = enquire.addValueCountSpy(slot: Slot.author)
        let mset = try enquire.mset(first: 0, max: 20, checkAtLeast: 1000)
        return (mset, spy.top(10))
    }
}
