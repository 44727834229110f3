// Helpers shared by the import tests: the shared real-data folder, temporary files, and a whole-file import.
import Foundation
import StarlingModel
import Testing
@testable import StarlingImport

/// The real corpora beside the project (`../shared/data`), which a fresh checkout may not have.
enum SharedData {
    /// `../shared/data`, resolved from this file so the tests run from any working directory.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data")

    static var available: Bool { FileManager.default.fileExists(atPath: root.path) }

    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A file in a fresh temporary directory, removed when the test process ends (the OS cleans /tmp).
func temporaryFile(_ bytes: [UInt8], name: String = "input.jsonl") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("starling-import-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func temporaryFile(_ text: String, name: String = "input.jsonl") throws -> String {
    try temporaryFile(Array(text.utf8), name: name)
}

/// Everything one file yields.
struct Imported {
    var format: ImportFormat
    var posts: [Post]
    var issues: [ImportIssue]
    var records: Int
    var peakBufferedBytes: Int
}

/// Reads and decodes a whole file, the way the CLI does (in batches).
func importAll(_ path: String, _ options: ImportOptions = ImportOptions(), batch: Int = 257) throws -> Imported {
    let stream = try ImportStream(path: path, options: options)
    var out = Imported(format: stream.format, posts: [], issues: [], records: 0, peakBufferedBytes: 0)
    while let items = stream.nextBatch(maxRecords: batch) {
        #expect(items.count <= batch)
        for item in items {
            switch item {
            case .success(let record):
                out.records += 1
                for result in stream.decoder.decode(record, file: stream.file) {
                    switch result {
                    case .success(let post): out.posts.append(post)
                    case .failure(let issue): out.issues.append(issue)
                    }
                }
            case .failure(let issue):
                out.issues.append(issue)
            }
        }
    }
    out.peakBufferedBytes = stream.peakBufferedBytes
    return out
}

/// Imports inline text written to a temporary file named `name`.
func importText(_ text: String, name: String = "input.jsonl", _ options: ImportOptions = ImportOptions()) throws -> Imported {
    try importAll(try temporaryFile(text, name: name), options)
}
