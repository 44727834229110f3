// ErrorTests.swift: every kind of failure surfaces as a thrown XapianError with Xapian's error type, and the
// process survives it (no C++ exception ever reaches Swift).
import Foundation
import StarlingTestSupport
import Testing
import XapianKit

@Suite struct ErrorTests {
    @Test func openingAMissingDatabase() throws {
        let dir = try TempDir("missing")
        expectXapianError("DatabaseNotFoundError") { _ = try Database(path: dir.path("nope")) }
        expectXapianError("DatabaseNotFoundError") { _ = try WritableDatabase(path: dir.path("nope"), mode: .open) }
    }

    @Test func aSecondWriterIsLockedOut() throws {
        let dir = try TempDir("lock")
        let first = try WritableDatabase(path: dir.path("db"))
        try first.commit()
        expectXapianError("DatabaseLockError") { _ = try WritableDatabase(path: dir.path("db")) }
        expectXapianError("DatabaseCreateError") { _ = try WritableDatabase(path: dir.path("db"), mode: .create) }
        // Readers are fine while the writer holds the lock.
        #expect(try Database(path: dir.path("db")).documentCount() == 0)
        try first.close()
        // Once the first writer is closed the lock is free.
        _ = try WritableDatabase(path: dir.path("db"), mode: .open)
    }

    @Test func missingDocumentsAndClosedDatabases() throws {
        let dir = try TempDir("docs")
        let writer = try WritableDatabase(path: dir.path("db"))
        try writer.addDocument(Document())
        try writer.commit()
        expectXapianError("DocNotFoundError") { _ = try writer.document(42) }
        expectXapianError("DocNotFoundError") { try writer.deleteDocument(42) }
        let reader = try Database(path: dir.path("db"))
        expectXapianError("DocNotFoundError") { _ = try reader.document(42) }
        expectXapianError("DocNotFoundError") { _ = try reader.documentLength(42) }
        try reader.close()
        expectXapianError("DatabaseClosedError") { _ = try reader.document(1) }
        expectXapianError("DatabaseClosedError") { _ = try reader.postings("x") }
    }

    @Test func badTermsAreReportedWhenTheDocumentIsStored() throws {
        let dir = try TempDir("terms")
        let writer = try WritableDatabase(path: dir.path("db"))

        let empty = Document()
        empty.addTerm("fine")
        empty.addTerm("")
        empty.addPosting("", position: 1)
        #expect(empty.pendingError?.type == "InvalidArgumentError")
        expectXapianError("InvalidArgumentError") { try writer.addDocument(empty) }
        expectXapianError("InvalidArgumentError") { try writer.replaceDocument(uniqueTerm: "Q1", empty) }

        let long = Document()
        long.addTerm(String(repeating: "x", count: 300))
        #expect(long.pendingError == nil, "Xapian checks the length only when storing")
        expectXapianError("InvalidArgumentError") { try writer.addDocument(long) }

        #expect(try writer.documentCount() == 0)
        try writer.addDocument(Document())
        #expect(try writer.documentCount() == 1, "the writer is still usable")
    }

    @Test func rejectedSettingsThrowFromTheNextSearch() throws {
        let dir = try TempDir("settings")
        let writer = try WritableDatabase(path: dir.path("db"))
        let doc = Document()
        doc.addTerm("a")
        try writer.addDocument(doc)
        let enquire = Enquire(writer)
        try enquire.setQuery(.term("a"))

        enquire.setWeighting(.tfidf(normalisation: "xyz"))
        expectXapianError("InvalidArgumentError") { _ = try enquire.mset(first: 0, max: 10) }
        expectXapianError("InvalidArgumentError") { _ = try enquire.mset(first: 0, max: 10) }
        enquire.setWeighting(.bm25())
        #expect(try enquire.mset(first: 0, max: 10).items.count == 1, "a valid setting clears the error")

        expectXapianError("InvalidArgumentError") { try enquire.setQuery(.scaled(.term("a"), factor: -2)) }
        expectXapianError("InvalidArgumentError") { _ = try Stemmer(language: "klingon") }
    }

    @Test func errorsDescribeThemselves() {
        let error = XapianError(type: "DatabaseLockError", message: "DatabaseLockError: Unable to get write lock")
        #expect(error.description == "DatabaseLockError: Unable to get write lock")
        #expect(XapianError(type: "NetworkError", message: "refused").description == "NetworkError: refused")
    }

    @Test func unreachableRemoteIsANetworkError() throws {
        let port = try XapianServer.freeLoopbackPort()
        do {
            _ = try Database.remote(host: "127.0.0.1", port: port, timeout: 2)
            Issue.record("nothing listens on port \(port), yet the connection succeeded")
        } catch let error as XapianError {
            #expect(error.type.hasPrefix("Network"), "\(error)")
        }
    }
}
