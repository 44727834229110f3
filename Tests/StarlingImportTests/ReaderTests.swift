// Cutting files into records: line numbers, CRLF, blank lines, top-level arrays, pretty-printed values, CSV
// records spanning lines, oversized records (with bounded memory), empty and unreadable files.
import Foundation
import StarlingModel
import Testing
@testable import StarlingImport

@Suite("Reading records")
struct ReaderTests {
    @Test("NDJSON: blank lines are skipped, CRLF and trailing spaces handled, lines counted")
    func ndjsonLines() throws {
        let text = "\u{FEFF}{\"id\":\"1\",\"text\":\"a\"}\r\n\r\n   \n\t \r\n{\"id\":\"2\",\"text\":\"b\"}  \r\n{\"id\":\"3\",\"text\":\"c\"}"
        let r = try importText(text)
        #expect(r.format == .native)
        #expect(r.issues.isEmpty)
        #expect(r.posts.map(\.id) == ["1", "2", "3"])
        #expect(r.posts.map(\.text) == ["a", "b", "c"])
    }

    @Test("broken lines among good ones: every good record, one issue per bad one, with its line")
    func brokenLines() throws {
        let lines = [
            #"{"id":"1","text":"good one"}"#,
            #"{"id":"2","text":"unterminated}"#,
            #"{"id":"3","text":"good two"}"#,
            #"not json at all"#,
            #"{"id":"5"}"#,
            #"{"id":"6","text":42}"#,
            #"{"id":"7","text":"good three"} trailing"#,
            #"{"id":8,"text":"good four"}"#,
            #"{"id":"9","text":"a","text2":}"#,
            #"["#,
            #"{"id":"11","text":"good five"}"#,
        ]
        let r = try importText(lines.joined(separator: "\n"))
        #expect(r.posts.map(\.id) == ["1", "3", "8", "11"])
        #expect(r.issues.map(\.line) == [2, 4, 5, 6, 7, 9, 10])
        #expect(r.issues[0].description.hasPrefix("\(r.issues[0].file):2: malformed JSON: unterminated string"))
        #expect(r.issues[2].reason == "field 'text': required field is missing")
        #expect(r.issues[3].reason == "field 'text': expected string, found number")
        #expect(r.issues[4].reason.contains("unexpected data after the JSON value"))
    }

    @Test("invalid UTF-8 is reported with its byte and a hint; the other records still come")
    func invalidUTF8Records() throws {
        var bytes = Array(#"{"id":"1","text":"caf"#.utf8) + [0xE9] + Array("\"}\n".utf8)
        bytes += Array(#"{"id":"2","text":"ok"}"#.utf8)
        let r = try importAll(try temporaryFile(bytes))
        #expect(r.posts.map(\.id) == ["2"])
        #expect(r.issues.count == 1)
        #expect(r.issues.first?.line == 1)
        #expect(r.issues.first?.reason == "invalid UTF-8 at byte 21 (is the file Latin-1? try --encoding latin1)")
        let latin = try importAll(try temporaryFile(bytes), ImportOptions(encoding: .latin1))
        #expect(latin.posts.map(\.text) == ["café", "ok"])
    }

    @Test("a top-level array is streamed element by element, with each element's line")
    func topLevelArray() throws {
        let text = """
            [
              {"id": "1", "text": "one, with [brackets] and \\"quotes\\" and } braces"},
              {"id": "2",
               "text": "two"},
              {"id": "3", "text": 3},
              {"id": "4", "text": "four"}
            ]

            """
        let r = try importText(text, name: "array.json")
        #expect(r.posts.map(\.id) == ["1", "2", "4"])
        #expect(r.posts.first?.text == "one, with [brackets] and \"quotes\" and } braces")
        #expect(r.issues.map(\.line) == [5])
    }

    @Test("array problems: a truncated array and data after it are reported, the elements still come")
    func arrayProblems() throws {
        let truncated = try importText("[{\"id\":\"1\",\"text\":\"a\"},\n{\"id\":\"2\",\"text\":\"b\"}", name: "t.json")
        #expect(truncated.posts.map(\.id) == ["1", "2"])
        #expect(truncated.issues.count == 1)
        #expect(truncated.issues.first?.reason.contains("missing ']'") == true)

        let trailing = try importText("[{\"id\":\"1\",\"text\":\"a\"}]\nrubbish\n", name: "t.json")
        #expect(trailing.posts.map(\.id) == ["1"])
        #expect(trailing.issues.map(\.line) == [2])

        let empty = try importText("[ ]", name: "t.json", ImportOptions(format: .native))
        #expect(empty.posts.isEmpty && empty.issues.isEmpty)
    }

    @Test("pretty-printed JSON values one after another")
    func prettyValues() throws {
        let text = """
            {
              "id": "1",
              "text": "first"
            }
            {
              "id": "2",
              "text": "second\\n{not a brace}"
            }
            """
        let r = try importText(text)
        #expect(r.posts.map(\.id) == ["1", "2"])
        #expect(r.issues.isEmpty)
    }

    @Test("an oversized line is skipped without loading more than the limit; reading resumes after it")
    func oversizedLine() throws {
        let limit = 4096
        let huge = "{\"id\":\"big\",\"text\":\"" + String(repeating: "x", count: 3_000_000) + "\"}"
        let text = "{\"id\":\"1\",\"text\":\"a\"}\n" + huge + "\n{\"id\":\"3\",\"text\":\"c\"}\n"
        let r = try importText(text, ImportOptions(maxRecordBytes: limit))
        #expect(r.posts.map(\.id) == ["1", "3"])
        #expect(r.issues.count == 1)
        #expect(r.issues.first?.line == 2)
        #expect(r.issues.first?.reason.contains("larger than the limit of 4096 bytes") == true)
        #expect(r.peakBufferedBytes <= limit + RecordReader.chunkSize)
    }

    @Test("an oversized array element or CSV record is skipped and the next one read")
    func oversizedStructured() throws {
        let big = String(repeating: "y", count: 200_000)
        let array = "[{\"id\":\"1\",\"text\":\"a\"},{\"id\":\"2\",\"text\":\"\(big)\"},{\"id\":\"3\",\"text\":\"c\"}]"
        let r = try importText(array, name: "a.json", ImportOptions(maxRecordBytes: 1000))
        #expect(r.posts.map(\.id) == ["1", "3"])
        #expect(r.issues.count == 1)
        #expect(r.peakBufferedBytes <= 1000 + RecordReader.chunkSize)

        let csv = "id,text\n1,a\n2,\"\(big)\nstill quoted\n\"\n3,c\n"
        let c = try importText(csv, name: "a.csv", ImportOptions(maxRecordBytes: 1000))
        #expect(c.posts.map(\.id) == ["1", "3"])
        #expect(c.issues.map(\.line) == [3])
    }

    @Test("an empty file is one issue, not an error")
    func emptyFile() throws {
        for (name, content) in [("e.jsonl", ""), ("e.csv", "\n\n"), ("e.txt", "  \n")] {
            let r = try importText(content, name: name)
            #expect(r.posts.isEmpty)
            #expect(r.issues.map(\.reason) == ["the file is empty"])
        }
    }

    @Test("files that cannot be read are errors that say why")
    func fileErrors() throws {
        #expect {
            try ImportStream(path: "/nonexistent/x.jsonl", options: ImportOptions())
        } throws: { error in
            (error as? ImportError)?.message.contains("cannot open") == true
        }
        let dir = FileManager.default.temporaryDirectory.path
        #expect {
            try ImportStream(path: dir, options: ImportOptions())
        } throws: { error in
            (error as? ImportError)?.message.contains("directory") == true
        }
    }

    @Test("batches respect their size and report progress")
    func batches() throws {
        let text = (1...1000).map { "{\"id\":\"\($0)\",\"text\":\"t\"}" }.joined(separator: "\n")
        let path = try temporaryFile(text)
        let stream = try ImportStream(path: path, options: ImportOptions())
        #expect(stream.totalBytes == Int64(text.utf8.count))
        var sizes: [Int] = []
        while let batch = stream.nextBatch(maxRecords: 300) { sizes.append(batch.count) }
        #expect(sizes == [300, 300, 300, 100])
        #expect(stream.bytesRead == Int64(text.utf8.count))
        #expect(stream.nextBatch(maxRecords: 10) == nil)
    }

    @Test("a decoder for records that do not come from a file")
    func standaloneDecoder() {
        let native = PostDecoder(format: .native, options: ImportOptions(platform: "bluesky"))
        let posts = native.decode(RawRecord(line: 3, bytes: Array(#"[{"id":"1","text":"a"},{"id":"2"}]"#.utf8)), file: "api")
        #expect((try? posts[0].get())?.platform == "bluesky")
        #expect(posts.count == 2)
        if case .failure(let issue) = posts[1] {
            #expect(issue.description == "api:3: [1] field 'text': required field is missing")
        } else {
            Issue.record("the second element has no text")
        }
        let lines = PostDecoder(format: .lines, options: ImportOptions(idPrefix: "q"))
        #expect((try? lines.decode(RawRecord(line: 7, bytes: Array("  hi  ".utf8)), file: "-").first?.get())?.id == "q-7")
    }

    @Test("the decoder can run on other threads than the reader")
    func concurrentDecoding() async throws {
        let text = (1...2000).map { "{\"id\":\"\($0)\",\"text\":\"post \($0)\"}" }.joined(separator: "\n")
        let stream = try ImportStream(path: try temporaryFile(text), options: ImportOptions())
        let decoder = stream.decoder
        let file = stream.file
        var total = 0
        while let batch = stream.nextBatch(maxRecords: 500) {
            let records = batch.compactMap { try? $0.get() }
            total += await withTaskGroup(of: Int.self) { group in
                for chunk in stride(from: 0, to: records.count, by: 100) {
                    let slice = Array(records[chunk..<min(chunk + 100, records.count)])
                    group.addTask { slice.flatMap { decoder.decode($0, file: file) }.filter { (try? $0.get()) != nil }.count }
                }
                return await group.reduce(0, +)
            }
        }
        #expect(total == 2000)
    }
}
