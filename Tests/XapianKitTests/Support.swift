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
