// `starling analyze ... | head -1`: when the reader of standard output goes away, the command ends quietly, killed by
// SIGPIPE as Unix tools are, instead of trapping inside Foundation with a crash report on stderr.
import Foundation
import Testing

@Suite struct ClosedPipeTests {
    @Test func aClosedStdoutEndsTheCommandQuietly() throws {
        // Enough output to overflow any pipe buffer, one analysed line per input line; the input comes from a file,
        // so nothing here writes into a pipe the command may have stopped reading.
        let dir = try makeTempDir("closed-pipe")
        defer { try? FileManager.default.removeItem(at: dir) }
        let inputFile = dir.appendingPathComponent("posts.txt")
        try String(repeating: "#starling reads @posts with emoji 👍🏽 and links https://example.com/a\n", count: 5_000)
            .write(to: inputFile, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Starling.binary)
        p.arguments = ["analyze", "--json"]
        let output = Pipe(), errors = Pipe()
        p.standardInput = try FileHandle(forReadingFrom: inputFile)
        p.standardOutput = output
        p.standardError = errors
        try p.run()
        // The reader is gone before anything is read.
        try output.fileHandleForReading.close()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        #expect(p.terminationStatus == SIGPIPE)
        let text = String(decoding: stderr, as: UTF8.self)
        #expect(!text.contains("Fatal error") && !text.contains("crashed"), Comment(rawValue: String(text.prefix(500))))
    }
}
