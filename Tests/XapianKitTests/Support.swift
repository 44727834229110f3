// Support.swift: shared fixtures for the XapianKit tests: temporary database directories, a small generated
// corpus of posts with a reference model of it, and xapian-tcpsrv servers run as child processes.
import Foundation
import Testing
import XapianKit

/// A fresh directory under the system temp dir, removed when the value is released.
final class TempDir: @unchecked Sendable {
    let url: URL

    init(_ label: String) throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("xapiankit-\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// A path inside the directory (not created).
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Value slots used by the test corpus.
enum Slot {
    static let time: UInt32 = 0
    static let author: UInt32 = 1
    static let language: UInt32 = 2
}

/// One generated post and the terms it is indexed by.
struct Post {
    let id: Int
    let words: [String]
    let author: String
    let language: String
    let time: Double

    var uniqueTerm: String { "Q\(id)" }

    func document() -> Document {
        let doc = Document()
        doc.data = "post \(id): \(words.joined(separator: " "))"
        for (offset, word) in words.enumerated() {
            doc.addPosting(word, position: UInt32(offset + 1))
        }
        doc.addBooleanTerm(uniqueTerm)
        doc.addBooleanTerm("A" + author)
        doc.addBooleanTerm("L" + language)
        doc.setValue(Slot.time, Sortable.serialise(time))
        doc.setValue(Slot.author, author)
        doc.setValue(Slot.language, language)
        return doc
    }
}

/// A deterministic corpus: `count` posts over a small vocabulary, a few authors and languages.
enum Corpus {
    static let vocabulary = [
        "swift", "xapian", "search", "index", "query", "phrase", "fox", "brown", "quick", "lazy",
        "dog", "cat", "server", "shard", "remote", "value", "range", "sort", "facet", "stem",
    ]
    static let authors = ["ann", "bob", "cy", "dee", "eve"]
    static let languages = ["en", "en", "en", "fr", "de", "ja"]

    static func posts(_ count: Int) -> [Post] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            // xorshift64*: enough variety, same sequence on every run.
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 2_685_821_657_736_338_717) >> 33) % bound
        }
        return (0..<count).map { id in
            let length = 3 + next(8)
            let words = (0..<length).map { _ in vocabulary[next(vocabulary.count)] }
            return Post(
                id: id, words: words, author: authors[next(authors.count)],
                language: languages[next(languages.count)], time: 1_700_000_000 + Double(id) * 3600)
        }
    }

    /// Writes `posts` into a new database at `path` and commits.
    @discardableResult
    static func build(at path: String, _ posts: [Post]) throws -> WritableDatabase {
        let db = try WritableDatabase(path: path, mode: .createOrOverwrite)
        for post in posts { try db.replaceDocument(uniqueTerm: post.uniqueTerm, post.document()) }
        try db.commit()
        return db
    }
}

/// A `xapian-tcpsrv` child process serving one database on a loopback port.
final class TCPServer: @unchecked Sendable {
    static let binary = "/usr/bin/xapian-tcpsrv"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    let process: Process
    let port: UInt16

    /// Starts a server for `database`, retrying on another port if the chosen one is taken meanwhile, and
    /// waits (bounded) until it accepts connections.
    init(database: String) throws {
        var lastError: Error = XapianError(type: "TestError", message: "xapian-tcpsrv did not start")
        for _ in 0..<5 {
            let port = try TCPServer.freeLoopbackPort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TCPServer.binary)
            process.arguments = ["--interface", "127.0.0.1", "--port", String(port), database]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline, process.isRunning {
                do {
                    _ = try Database.remote(host: "127.0.0.1", port: port, timeout: 2)
                    self.process = process
                    self.port = port
                    return
                } catch {
                    lastError = error
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }
            TCPServer.stop(process)
        }
        throw lastError
    }

    /// Stops the server: SIGTERM, then SIGKILL after half a second (a child spawned from the test runner may
    /// inherit a blocked SIGTERM), then waits at most two seconds for it to be reaped.
    func stop() { TCPServer.stop(process) }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        waitForExit(process, seconds: 0.5)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        waitForExit(process, seconds: 2)
    }

    private static func waitForExit(_ process: Process, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    }

    deinit { stop() }

    /// A loopback port nobody listens on right now (the kernel picks it for a socket bound to port 0).
    static func freeLoopbackPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw XapianError(type: "TestError", message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw XapianError(type: "TestError", message: "bind() failed") }
        return UInt16(bigEndian: address.sin_port)
    }
}

/// Checks that `body` throws a XapianError of `type`.
func expectXapianError(
    _ type: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    do {
        try body()
        Issue.record("expected \(type), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as XapianError {
        #expect(error.type == type, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected XapianError \(type), got \(error)", sourceLocation: sourceLocation)
    }
}
