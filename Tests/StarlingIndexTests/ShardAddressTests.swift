// How `--shard` arguments are read, and the parent folder of an index path (a one-character name once crashed
// `starling index --index A` inside Foundation; EndToEndTests/ShardSearchTests creates such an index).
import Foundation
@testable import StarlingIndex
import Testing
import XapianKit

@Suite struct ShardAddressTests {
    @Test func hostAndPortAreRemoteShards() {
        #expect(ShardAddress.parse("127.0.0.1:33001") == .remote(host: "127.0.0.1", port: 33001))
        #expect(ShardAddress.parse("search-2.example.net:8100") == .remote(host: "search-2.example.net", port: 8100))
        #expect(ShardAddress.parse("[::1]:33001") == .remote(host: "::1", port: 33001))
        #expect(ShardAddress.parse("[::1]:33001").description == "[::1]:33001")
    }

    @Test func anythingElseIsAFolder() {
        for text in ["indexes/a", "/srv/index", "shard-a", "a:b", "host:0", "host:70000", "host:", ":33001", "::1:33001",
                     "dir/host:33001"] {
            #expect(ShardAddress.parse(text) == .folder(text), "\(text)")
        }
    }

    @Test func parentFolders() {
        #expect(IndexLocation.parentFolder("A") == "")
        #expect(IndexLocation.parentFolder("index") == "")
        #expect(IndexLocation.parentFolder("indexes/A") == "indexes")
        #expect(IndexLocation.parentFolder("indexes/A/") == "indexes")
        #expect(IndexLocation.parentFolder("/A") == "/")
        #expect(IndexLocation.parentFolder("/srv/x/y") == "/srv/x")
    }

    @Test func anUnreachableShardSaysWhichAndWhy() throws {
        // A port nothing listens on: bind one, note it, close it.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let port: UInt16 = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                _ = bind(fd, s, length)
                _ = getsockname(fd, s, &length)
            }
            return UInt16(bigEndian: p.pointee.sin_port)
        }
        close(fd)
        #expect(port > 0)
        do {
            _ = try IndexLocation.openShards([.remote(host: "127.0.0.1", port: port)], timeout: 2)
            Issue.record("opened a shard where nothing listens")
        } catch let e as ShardError {
            #expect("\(e)".contains("127.0.0.1:\(port) cannot be reached"))
        }
    }

    @Test func shardsOfAnotherFormatAreRefusedAndEmptyOnesGoLast() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-shards-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        func make(_ name: String, pairs: String?, posts: Int) throws -> ShardAddress {
            let path = dir.appendingPathComponent(name).path
            let db = try IndexLocation.openWriter(path, create: true)
            if let pairs { try db.setMetadata(PhraseStage.metadataKey, pairs) }
            for k in 0..<posts {
                let d = Document()
                d.addTerm("Qpost\(name)\(k)")
                d.addTerm("word")
                _ = try db.addDocument(d)
            }
            try db.commit()
            try db.close()
            return .folder(path)
        }
        let a = try make("a", pairs: "the you for", posts: 2)
        let b = try make("b", pairs: "the you for", posts: 3)
        let other = try make("c", pairs: "the", posts: 1)
        let empty = try make("empty", pairs: nil, posts: 0)
        #expect(try IndexLocation.openShards([a, b]).documentCount() == 5)
        do {
            _ = try IndexLocation.openShards([a, other])
            Issue.record("shards of two formats were combined")
        } catch let e as ShardError {
            #expect("\(e)".contains("shard \(other) was written with another 'phrase.pairs' (the) than \(a)"))
        }
        // An empty shard has no format yet: any goes, and the combined database reads the format of a filled one.
        let combined = try IndexLocation.openShards([empty, a])
        #expect(try combined.documentCount() == 2)
        #expect(try combined.metadata(PhraseStage.metadataKey) == "the you for")
    }

    @Test func partitionsAreParsedAndCoverEveryIdOnce() throws {
        #expect(Partition("0/4") == Partition(index: 0, count: 4))
        for bad in ["4/4", "-1/2", "1/0", "1", "a/b", "1/2/3", "", "/2"] { #expect(Partition(bad) == nil, "\(bad)") }
        // FNV-1a 64, the published test value for "a": the hash must not change between versions or machines.
        #expect(Partition.hash("a") == 0xaf63_dc4c_8601_ec8c)
        let parts = (0..<3).map { Partition(index: $0, count: 3)! }
        var sizes = [0, 0, 0]
        for n in 0..<3_000 {
            let id = "15\(n * 7919)"
            let holders = parts.filter { $0.holds(id: id) }
            #expect(holders.count == 1)
            sizes[holders[0].index] += 1
        }
        #expect(sizes.allSatisfy { $0 > 850 && $0 < 1_150 }, "\(sizes)")
    }
}
