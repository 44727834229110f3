// Word segmentation by ICU's UAX #29 rules (with dictionaries for Thai, Japanese, Chinese, ...), over UTF-8.
import CICU

/// What ICU says a segment is.
public enum SegmentKind: Sendable, Equatable {
    /// Spaces, punctuation, symbols (emoji come out here).
    case other
    /// Digits.
    case number
    /// Letters of alphabetic scripts.
    case letter
    /// Kana.
    case kana
    /// Ideographs (Han).
    case ideograph
}

/// One segment: UTF-8 byte offsets into the segmented text.
public struct Segment: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var kind: SegmentKind
}

/// An error from ICU.
public struct ICUError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public var description: String { "ICU error \(String(cString: cicu_error_name(code))) (\(code))" }
}

/// A reusable ICU word breaker. Not thread-safe: give each thread its own.
public final class WordSegmenter {
    private let breaker: OpaquePointer
    private var starts = [Int32](repeating: 0, count: 256)
    private var ends = [Int32](repeating: 0, count: 256)
    private var statuses = [Int32](repeating: 0, count: 256)

    /// Opens a breaker for the root locale.
    public init(locale: String = "") throws {
        var err: Int32 = 0
        guard let b = cicu_word_breaker_open(locale, &err) else { throw ICUError(code: err) }
        breaker = b
    }

    deinit { cicu_word_breaker_close(breaker) }

    /// Segments UTF-8 bytes into words and the runs between them; the segments cover the input exactly.
    ///
    /// - Complexity: O(n).
    public func segments(_ utf8: UnsafeBufferPointer<UInt8>) -> [Segment] {
        guard utf8.count > 0 else { return [] }
        while true {
            var err: Int32 = 0
            let cap = Int32(starts.count)
            let n = utf8.withMemoryRebound(to: CChar.self) { text in
                cicu_word_segments(breaker, text.baseAddress, Int32(text.count), &starts, &ends, &statuses, cap, &err)
            }
            if n < 0 {
                // Should not happen on valid UTF-8; fall back to one segment so no text is lost.
                return [Segment(start: 0, end: utf8.count, kind: .other)]
            }
            if n > cap {
                let grow = Int(n) + 64
                starts = [Int32](repeating: 0, count: grow)
                ends = starts
                statuses = starts
                continue
            }
            var out = [Segment]()
            out.reserveCapacity(Int(n))
            for i in 0..<Int(n) {
                let s = statuses[i]
                let kind: SegmentKind
                switch s {
                case 100..<200: kind = .number
                case 200..<300: kind = .letter
                case 300..<400: kind = .kana
                case 400..<500: kind = .ideograph
                default: kind = .other
                }
                out.append(Segment(start: Int(starts[i]), end: Int(ends[i]), kind: kind))
            }
            return out
        }
    }
}
