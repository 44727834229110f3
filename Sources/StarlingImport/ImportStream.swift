// One input file (or stdin) as a stream of raw records: opens it, settles its format (detecting it when asked),
// reads any header, and then hands out records in batches for decoders to turn into posts, possibly on other
// threads. Memory stays bounded by `maxRecordBytes` whatever the size of the file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StarlingModel

/// One record as read from a file, not yet decoded.
public struct RawRecord: Sendable, Equatable {
    /// The 1-based line where the record starts.
    public let line: Int
    /// The record's bytes, without its line terminator.
    public let bytes: [UInt8]

    /// Makes a record.
    public init(line: Int, bytes: [UInt8]) {
        self.line = line
        self.bytes = bytes
    }
}

/// Reads one file (or stdin, named `-`) as raw records. Use it from one thread; give `decoder` to others.
///
/// ```swift
/// let stream = try ImportStream(path: "tweets.jsonl", options: ImportOptions())
/// while let batch = stream.nextBatch(maxRecords: 1000) {
///     for item in batch {
///         switch item {
///         case .success(let record): for post in stream.decoder.decode(record, file: stream.file) { ... }
///         case .failure(let issue): print(issue)
///         }
///     }
/// }
/// ```
public final class ImportStream {
    /// The path as given (`-` for stdin).
    public let path: String
    /// The name to report in issues: the path, or `<stdin>`.
    public let file: String
    /// The format of the file, resolved (never `.auto`).
    public let format: ImportFormat
    /// Decodes this file's records; `Sendable`, valid as soon as `init` returns.
    public let decoder: PostDecoder
    /// The size of the file when it is a regular file (not for stdin or pipes), for a progress bar.
    public let totalBytes: Int64?

    private let reader: RecordReader
    /// Records read ahead while detecting the format or reading the header, handed out first.
    private var pending: [Result<RawRecord, ImportIssue>]
    private var finished = false

    /// Bytes of the file consumed so far, for a progress bar or an ETA.
    public var bytesRead: Int64 { reader.consumedBytes }

    /// The most bytes the reader has buffered at once (bounded by `maxRecordBytes` plus one read chunk).
    var peakBufferedBytes: Int { reader.peakBufferedBytes }

    /// Opens `path` (`-` for stdin), settles its format and reads its header.
    /// - Throws: `ImportError` when the file cannot be opened, is a directory, or its format cannot be told
    ///   (the message lists the candidates and suggests `--format`), or a table's columns cannot be resolved.
    public init(path: String, options: ImportOptions) throws(ImportError) {
        self.path = path
        let file = path == "-" ? "<stdin>" : path
        self.file = file
        let fd: Int32
        if path == "-" {
            fd = STDIN_FILENO
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw ImportError(file: file, message: "cannot open: \(String(cString: strerror(errno)))")
            }
        }
        var info = stat()
        if fstat(fd, &info) == 0 {
            if info.st_mode & S_IFMT == S_IFDIR {
                if path != "-" { close(fd) }
                throw ImportError(file: file, message: "is a directory, not a file")
            }
            totalBytes = info.st_mode & S_IFMT == S_IFREG ? Int64(info.st_size) : nil
        } else {
            totalBytes = nil
        }
        let reader = RecordReader(fd: fd, closeWhenDone: path != "-", file: file, maxRecordBytes: options.maxRecordBytes)
        self.reader = reader

        let stem = ImportStream.stem(of: path)
        let prefix = reader.peek(64 * 1024)
        let isEmpty = prefix.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }

        // 1. The format: as asked, else by extension, else by the first JSON record's keys.
        var format = options.format
        if format == .auto {
            format = FormatDetection.byExtension(path: path, prefix: prefix) ?? .auto
        }
        if format == .auto, !isEmpty, prefix.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) })
            .map({ $0 != 0x7B && $0 != 0x5B }) == true {
            throw ImportError(file: file, message: "cannot detect the format: the file is not JSON (it does not start "
                + "with '{' or '[') and its extension is not .csv, .tsv, .tab or .txt; use --format csv|tsv|orange|lines")
        }

        // 2. How records are cut out of the bytes.
        switch format {
        case .csv: reader.framing = .csv
        case .tsv, .orange, .lines: reader.framing = .lines
        case .auto, .native, .twitter, .mastodon: reader.framing = FormatDetection.jsonFraming(prefix)
        }
        reader.tabsAreBlank = !(format == .csv || format == .tsv || format == .orange)

        var pending: [Result<RawRecord, ImportIssue>] = []
        var layout: TableLayout?
        if isEmpty {
            pending.append(.failure(ImportIssue(file: file, line: 1, reason: "the file is empty")))
            if format == .auto { format = .native }
        } else if format == .auto {
            // 3. Detect from the first record that is a JSON object; keep what was read for the caller.
            var detected: ImportFormat?
            while pending.count < 100, let item = reader.next() {
                pending.append(item)
                guard case .success(let record) = item,
                      let object = FormatDetection.firstObject(record.bytes, encoding: options.encoding) else { continue }
                detected = try FormatDetection.jsonFormat(of: object, file: file)
                break
            }
            guard let detected else {
                if pending.isEmpty { throw ImportError(file: file, message: "the file holds no records") }
                throw ImportError(file: file, message: "cannot detect the format: none of the first \(pending.count) "
                    + "records is a JSON object; use --format native|twitter|mastodon|csv|tsv|orange|lines")
            }
            format = detected
        } else if format == .csv || format == .tsv || format == .orange {
            layout = try ImportStream.readHeader(reader, format: format, options: options, file: file, stem: stem,
                                                 pending: &pending)
        }
        self.format = format

        let idPrefix: String? = switch format {
        case .lines, .orange: options.idPrefix ?? stem
        default: options.idPrefix
        }
        decoder = PostDecoder(format: format, encoding: options.encoding, platform: options.platform,
                              idPrefix: idPrefix, layout: layout)
        self.pending = pending
    }

    /// Up to `maxRecords` records (or issues about records that could not be cut out); nil at the end.
    /// - Complexity: O(bytes of the records returned).
    public func nextBatch(maxRecords: Int) -> [Result<RawRecord, ImportIssue>]? {
        precondition(maxRecords > 0, "maxRecords must be positive")
        var batch: [Result<RawRecord, ImportIssue>] = []
        batch.reserveCapacity(min(maxRecords, 4096))
        if !pending.isEmpty {
            let n = min(maxRecords, pending.count)
            batch.append(contentsOf: pending.prefix(n))
            pending.removeFirst(n)
        }
        while batch.count < maxRecords, !finished {
            guard let item = reader.next() else {
                finished = true
                break
            }
            batch.append(item)
        }
        return batch.isEmpty ? nil : batch
    }

    /// The file name without directories and extension (`stdin` for `-`): the default id prefix.
    static func stem(of path: String) -> String {
        if path == "-" { return "stdin" }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { return String(name[..<dot]) }
        return name
    }

    /// Reads a table's header line(s) and resolves its layout; data rows read ahead go to `pending`.
    private static func readHeader(_ reader: RecordReader, format: ImportFormat, options: ImportOptions, file: String,
                                   stem: String, pending: inout [Result<RawRecord, ImportIssue>]) throws(ImportError) -> TableLayout {
        let separator: UInt8 = format == .csv ? 0x2C : 0x09
        func nextRow() -> RawRecord? {
            while let item = reader.next() {
                switch item {
                case .success(let r): return r
                case .failure: pending.append(item)
                }
            }
            return nil
        }
        func fields(_ r: RawRecord) -> [String] {
            let bytes = options.encoding == .latin1 ? TextDecoding.latin1ToUTF8(r.bytes) : r.bytes
            return TableFields.split(bytes, separator: separator).map { String(decoding: $0, as: UTF8.self) }
        }
        guard let first = nextRow() else {
            throw ImportError(file: file, message: "the table has no rows")
        }
        let firstFields = fields(first)
        if format == .orange {
            // Orange: names, then types, then flags; data from the fourth line.
            guard nextRow() != nil, nextRow() != nil else {
                throw ImportError(file: file, message: "an Orange .tab file needs three header lines (names, types, flags)")
            }
            return try TableLayout.resolve(header: firstFields, columnCount: firstFields.count, map: options.columnMap,
                                           idPrefix: options.idPrefix ?? stem, separator: separator, file: file)
        }
        let hasHeader: Bool
        if let given = options.hasHeader {
            hasHeader = given
        } else if options.columnMap.isEmpty || options.columnMap.values.contains(where: { Int($0) == nil }) {
            hasHeader = true
        } else {
            // A map of column numbers only: a first row holding a number is data (Sentiment140 has no header).
            hasHeader = !firstFields.contains { !$0.trimmed.isEmpty && Double($0.trimmed) != nil }
        }
        if !hasHeader { pending.append(.success(first)) }
        return try TableLayout.resolve(header: hasHeader ? firstFields : nil, columnCount: firstFields.count,
                                       map: options.columnMap, idPrefix: options.idPrefix, separator: separator, file: file)
    }
}
