// Cuts a byte stream (a file or stdin) into records with bounded memory: one fixed buffer of
// `maxRecordBytes` plus a read chunk, never the whole file. A record bigger than the limit is skipped while
// it streams past, and the reader picks up again at the next record.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a stream is cut into records.
enum RecordFraming: Sendable, Equatable {
    /// One record per line (NDJSON, TSV, plain text). Blank lines are skipped.
    case lines
    /// RFC 4180: a record ends at a newline outside quotes, so quoted fields may span lines. Blank lines skipped.
    case csv
    /// Concatenated JSON values, e.g. pretty-printed objects one after another; a value ends when its
    /// brackets balance. Text outside `{}`/`[]` is cut at the end of its line so garbage cannot swallow the file.
    case jsonValues
    /// The elements of a top-level JSON array, streamed one by one (several arrays in a row are accepted).
    case jsonArray
}

/// Reads records from a file descriptor. Not thread-safe: one reader thread owns it.
final class RecordReader {
    /// Bytes read from the descriptor at a time.
    static let chunkSize = 64 * 1024

    let file: String
    let maxRecordBytes: Int
    var framing: RecordFraming = .lines
    /// Whether a line of spaces and tabs counts as blank. Not in tables: there tabs are empty fields
    /// (Orange's flags line may be nothing but tabs).
    var tabsAreBlank = true

    private let fd: Int32
    private let closeWhenDone: Bool
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// The first byte not consumed yet.
    private var lo = 0
    /// The end of the valid bytes in `buffer`.
    private var hi = 0
    private var eof = false
    /// The line number of the byte at `lo`.
    private var line = 1
    /// Bytes of the stream consumed before `lo` (for progress).
    private(set) var consumedBytes: Int64 = 0
    /// Set when `read(2)` failed; the stream then ends.
    private(set) var readError: String?
    /// The most bytes ever held in the buffer, so tests can check memory stays bounded.
    private(set) var peakBufferedBytes = 0

    private enum ArrayState { case before, first, expectElement, afterElement, after }
    private var arrayState = ArrayState.before

    init(fd: Int32, closeWhenDone: Bool, file: String, maxRecordBytes: Int) {
        self.fd = fd
        self.closeWhenDone = closeWhenDone
        self.file = file
        self.maxRecordBytes = maxRecordBytes
        capacity = maxRecordBytes + RecordReader.chunkSize
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if closeWhenDone { close(fd) }
    }

    // MARK: Buffer management

    /// Moves the unconsumed bytes to the front and reads more. Returns how far the bytes moved.
    @discardableResult
    private func fill() -> Int {
        let shift = lo
        if lo > 0 {
            if hi > lo { memmove(buffer, buffer + lo, hi - lo) }
            hi -= lo
            lo = 0
        }
        guard !eof, hi < capacity else { return shift }
        // Read at most a megabyte at a time, so a generous limit does not mean a file-sized buffer in use.
        let want = min(capacity - hi, max(RecordReader.chunkSize, 1 << 20))
        while true {
            let n = read(fd, buffer + hi, want)
            if n > 0 {
                hi += n
            } else if n == 0 {
                eof = true
            } else if errno == EINTR {
                continue
            } else {
                readError = String(cString: strerror(errno))
                eof = true
            }
            break
        }
        peakBufferedBytes = max(peakBufferedBytes, hi)
        return shift
    }

    /// Marks `buffer[lo..<to]` consumed, keeping the line count.
    private func consume(to end: Int) {
        var k = lo
        while k < end {
            if buffer[k] == 0x0A { line += 1 }
            k += 1
        }
        consumedBytes += Int64(end - lo)
        lo = end
    }

    /// Up to `count` bytes from the current position, reading as needed; nothing is consumed.
    /// Drops a UTF-8 byte order mark at the very start of the stream.
    func peek(_ count: Int) -> [UInt8] {
        let want = min(count, capacity)
        while hi - lo < want && !eof { fill() }
        if consumedBytes == 0, hi - lo >= 3, buffer[lo] == 0xEF, buffer[lo + 1] == 0xBB, buffer[lo + 2] == 0xBF {
            lo += 3
            consumedBytes = 3
        }
        return Array(UnsafeBufferPointer(start: buffer + lo, count: min(want, hi - lo)))
    }

    @inline(__always) private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    // MARK: Records

    /// The next record, an issue about a record that could not be cut out, or nil at the end of the stream.
    /// - Complexity: O(record length) amortised; each byte is scanned once (plus one copy into the record).
    func next() -> Result<RawRecord, ImportIssue>? {
        while true {
            switch skipSeparators() {
            case .end: return nil
            case .issue(let issue): return .failure(issue)
            case .record: break
            }
            let startLine = line
            var scanner = Scanner(framing: framing, first: buffer[lo])
            var scan = lo
            var discarded = 0
            while true {
                if let (contentEnd, next) = scanner.findEnd(buffer, from: scan, to: hi) {
                    let size = discarded + contentEnd - lo
                    if framing == .jsonArray { arrayState = .afterElement }
                    if size > maxRecordBytes {
                        consume(to: next)
                        return .failure(oversized(startLine, size))
                    }
                    let record = record(startLine, lo, contentEnd)
                    consume(to: next)
                    if let record { return .success(record) }
                    break  // a blank line: look for the next record
                }
                scan = hi
                if hi - lo > maxRecordBytes {
                    // Too big: let the bytes stream past, still scanning so the reader knows where the record ends.
                    discarded += hi - lo
                    consume(to: hi)
                }
                if eof {
                    let size = discarded + hi - lo
                    if framing == .jsonArray { arrayState = .afterElement }
                    if size > maxRecordBytes {
                        consume(to: hi)
                        return .failure(oversized(startLine, size))
                    }
                    let record = record(startLine, lo, hi)
                    consume(to: hi)
                    if let record { return .success(record) }
                    break
                }
                scan -= fill()
            }
        }
    }

    private func oversized(_ line: Int, _ size: Int) -> ImportIssue {
        ImportIssue(file: file, line: line, reason: "record of \(size) bytes is larger than the limit of "
            + "\(maxRecordBytes) bytes (raise it with --max-record-bytes); skipped")
    }

    /// The bytes of a record, without a trailing CR; nil for a blank line.
    /// (Only CR is dropped: a trailing tab is an empty last field in a TSV row.)
    private func record(_ line: Int, _ start: Int, _ end: Int) -> RawRecord? {
        var e = end
        if e > start, buffer[e - 1] == 0x0D { e -= 1 }
        if framing == .lines || framing == .csv {
            var k = start
            while k < e, buffer[k] == 0x20 || (tabsAreBlank && buffer[k] == 0x09) { k += 1 }
            if k == e { return nil }
        }
        return RawRecord(line: line, bytes: Array(UnsafeBufferPointer(start: buffer + start, count: e - start)))
    }

    private enum SeparatorOutcome { case record, end, issue(ImportIssue) }

    /// Skips what lies between records (blank lines, whitespace, array punctuation) and reports whether a
    /// record starts at `lo`.
    private func skipSeparators() -> SeparatorOutcome {
        while true {
            if lo == hi {
                if eof { return endOfStream() }
                fill()
                continue
            }
            let c = buffer[lo]
            switch framing {
            case .lines, .csv:
                if c == 0x0A { consume(to: lo + 1); continue }
                return .record
            case .jsonValues:
                if RecordReader.isSpace(c) { consume(to: lo + 1); continue }
                return .record
            case .jsonArray:
                if RecordReader.isSpace(c) { consume(to: lo + 1); continue }
                switch arrayState {
                case .before, .after:
                    if c == 0x5B {
                        consume(to: lo + 1)
                        arrayState = .first
                        continue
                    }
                    // Not an array: report it once and skip to the end of its line.
                    let issueLine = line
                    skipLine()
                    return .issue(ImportIssue(file: file, line: issueLine, reason: arrayState == .before
                        ? "expected '[' to start a JSON array" : "unexpected data after the top-level JSON array"))
                case .first:
                    if c == 0x5D { consume(to: lo + 1); arrayState = .after; continue }
                    return .record
                case .expectElement:
                    if c == 0x5D {
                        let issueLine = line
                        consume(to: lo + 1)
                        arrayState = .after
                        return .issue(ImportIssue(file: file, line: issueLine, reason: "trailing ',' before ']' in the JSON array"))
                    }
                    return .record
                case .afterElement:
                    if c == 0x2C { consume(to: lo + 1); arrayState = .expectElement; continue }
                    if c == 0x5D { consume(to: lo + 1); arrayState = .after; continue }
                    arrayState = .expectElement
                    return .issue(ImportIssue(file: file, line: line, reason: "expected ',' or ']' after an array element"))
                }
            }
        }
    }

    private func endOfStream() -> SeparatorOutcome {
        if let readError {
            self.readError = nil
            return .issue(ImportIssue(file: file, line: line, reason: "read error: \(readError); the rest of the file is lost"))
        }
        if framing == .jsonArray, arrayState == .first || arrayState == .expectElement || arrayState == .afterElement {
            arrayState = .after
            return .issue(ImportIssue(file: file, line: line, reason: "the JSON array is not closed (missing ']'); is the file truncated?"))
        }
        return .end
    }

    private func skipLine() {
        while true {
            while lo < hi {
                let isNewline = buffer[lo] == 0x0A
                consume(to: lo + 1)
                if isNewline { return }
            }
            if eof { return }
            fill()
        }
    }
}

/// Finds where a record ends, resumable across buffer refills.
private struct Scanner {
    let framing: RecordFraming
    /// JSON: bracket depth, and whether the value is a bracketed one at all.
    var depth = 0
    let bracketed: Bool
    var inString = false
    var escaped = false
    /// CSV: 0 at a field start, 1 in an unquoted field, 2 inside quotes, 3 just after a quote inside quotes.
    var csvState: UInt8 = 0

    init(framing: RecordFraming, first: UInt8) {
        self.framing = framing
        bracketed = first == 0x7B || first == 0x5B
    }

    /// Returns (end of content, start of what follows) when the record ends in `buffer[from..<to]`.
    @inline(__always)
    mutating func findEnd(_ b: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> (Int, Int)? {
        switch framing {
        case .lines:
            return newline(b, from, to)
        case .csv:
            var k = from
            while k < to {
                let c = b[k]
                switch csvState {
                case 2: if c == 0x22 { csvState = 3 }
                case 3: csvState = c == 0x22 ? 2 : (c == 0x2C ? 0 : (c == 0x0A ? 0 : 1))
                default: csvState = c == 0x22 && csvState == 0 ? 2 : (c == 0x2C ? 0 : 1)
                }
                if c == 0x0A && csvState != 2 { return (k, k + 1) }
                k += 1
            }
            return nil
        case .jsonValues:
            if !bracketed { return newline(b, from, to) }
            return json(b, from, to, stopAtSeparator: false)
        case .jsonArray:
            return json(b, from, to, stopAtSeparator: true)
        }
    }

    @inline(__always)
    private func newline(_ b: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int) -> (Int, Int)? {
        guard from < to, let p = memchr(b + from, 0x0A, to - from) else { return nil }
        let k = b.distance(to: p.assumingMemoryBound(to: UInt8.self))
        return (k, k + 1)
    }

    private mutating func json(_ b: UnsafeMutablePointer<UInt8>, _ from: Int, _ to: Int,
                               stopAtSeparator: Bool) -> (Int, Int)? {
        var k = from
        while k < to {
            let c = b[k]
            if inString {
                if escaped { escaped = false } else if c == 0x5C { escaped = true } else if c == 0x22 { inString = false }
            } else {
                switch c {
                case 0x22: inString = true
                case 0x7B, 0x5B: depth += 1
                case 0x7D, 0x5D:
                    if depth == 0 && stopAtSeparator && c == 0x5D { return (k, k) }
                    if depth > 0 { depth -= 1 }
                    if depth == 0 && !stopAtSeparator { return (k + 1, k + 1) }
                case 0x2C where depth == 0 && stopAtSeparator: return (k, k)
                default: break
                }
            }
            k += 1
        }
        return nil
    }
}
