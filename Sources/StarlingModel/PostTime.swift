// Timestamps as social exports write them, parsed to Date and printed as ISO 8601 UTC.
import Foundation

/// Parses and prints the timestamps Starling meets. Thread-safe and allocation-light.
public enum PostTime {
    /// Formats a date as ISO 8601 in UTC with a `Z`, seconds precision: `2014-08-15T16:25:33Z`.
    public static func iso8601(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tmv = tm()
        gmtime_r(&t, &tmv)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(tmv.tm_year + 1900)-\(two(tmv.tm_mon + 1))-\(two(tmv.tm_mday))T"
            + "\(two(tmv.tm_hour)):\(two(tmv.tm_min)):\(two(tmv.tm_sec))Z"
    }

    /// Days from 1970-01-01 for a proleptic Gregorian date.
    public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// Builds a UTC date from its parts, or nil when a part is out of range.
    public static func date(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0,
                            offsetSeconds: Int = 0) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour),
              (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = daysFromCivil(year, month, day)
        let secs = days * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(secs))
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Parses the time formats found in social exports:
    /// ISO 8601 (`2014-08-15T16:25:33Z`, with fractions or `+01:00` offsets, or a space instead of `T`),
    /// a bare date (`2014-08-15`), Twitter v1.1 (`Wed Aug 27 13:08:45 +0000 2008`),
    /// Sentiment140 (`Mon Apr 06 22:19:45 PDT 2009`), airline CSV (`2015-02-24 11:35:52 -0800`),
    /// and Unix epoch seconds or milliseconds.
    /// Returns nil for anything else.
    public static func parse(_ raw: String) -> Date? {
        let s = raw.trimmingCharacters(in: .whitespaces)
        if s.isEmpty { return nil }
        let b = Array(s.utf8)
        func digits(_ from: Int, _ n: Int) -> Int? {
            guard from + n <= b.count else { return nil }
            var v = 0
            for i in from..<(from + n) {
                let c = b[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            return v
        }
        // Epoch seconds / milliseconds.
        if b.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let v = Double(s) else { return nil }
            if b.count >= 12 { return Date(timeIntervalSince1970: v / 1000) }
            if b.count >= 9 { return Date(timeIntervalSince1970: v) }
            return nil
        }
        // ISO-like: YYYY-MM-DD[(T| )HH:MM[:SS][.fff][Z|±HH[:]MM| ±HHMM]]
        if b.count >= 10, let y = digits(0, 4), b[4] == 0x2D, let mo = digits(5, 2), b[7] == 0x2D, let d = digits(8, 2) {
            if b.count == 10 { return date(year: y, month: mo, day: d) }
            guard b[10] == 0x54 || b[10] == 0x20 || b[10] == 0x74, let h = digits(11, 2), b.count > 13, b[13] == 0x3A,
                  let mi = digits(14, 2) else { return nil }
            var i = 16
            var sec = 0
            if i < b.count, b[i] == 0x3A {
                guard let sv = digits(i + 1, 2) else { return nil }
                sec = sv
                i += 3
            }
            var frac = 0.0
            if i < b.count, b[i] == 0x2E || b[i] == 0x2C {
                var j = i + 1
                var scale = 0.1
                while j < b.count, b[j] >= 48, b[j] <= 57 { frac += Double(b[j] - 48) * scale; scale /= 10; j += 1 }
                i = j
            }
            while i < b.count, b[i] == 0x20 { i += 1 }
            var offset = 0
            if i < b.count {
                if b[i] == 0x5A || b[i] == 0x7A {
                    i += 1
                } else if b[i] == 0x2B || b[i] == 0x2D {
                    let sign = b[i] == 0x2D ? -1 : 1
                    guard let oh = digits(i + 1, 2) else { return nil }
                    var j = i + 3
                    if j < b.count, b[j] == 0x3A { j += 1 }
                    let om = digits(j, 2) ?? 0
                    if digits(j, 2) != nil { j += 2 }
                    offset = sign * (oh * 3600 + om * 60)
                    i = j
                } else {
                    let rest = String(decoding: b[i...], as: UTF8.self).uppercased()
                    guard let o = zoneOffsets[rest] else { return nil }
                    offset = o
                    i = b.count
                }
            }
            guard i == b.count, let base = date(year: y, month: mo, day: d, hour: h, minute: mi, second: sec,
                                                   offsetSeconds: offset) else { return nil }
            return base.addingTimeInterval(frac)
        }
        // Twitter v1.1 / Sentiment140: "Wed Aug 27 13:08:45 +0000 2008" or "Mon Apr 06 22:19:45 PDT 2009".
        let parts = s.split(separator: " ", omittingEmptySubsequences: true)
        if parts.count == 6, let mIndex = months.firstIndex(of: parts[1].lowercased()), let d = Int(parts[2]),
           let y = Int(parts[5]) {
            let hms = parts[3].split(separator: ":")
            guard hms.count == 3, let h = Int(hms[0]), let mi = Int(hms[1]), let sec = Int(hms[2]) else { return nil }
            var offset = 0
            let z = String(parts[4])
            if let first = z.first, first == "+" || first == "-", z.count == 5, let hh = Int(z.dropFirst().prefix(2)),
               let mm = Int(z.suffix(2)) {
                offset = (first == "-" ? -1 : 1) * (hh * 3600 + mm * 60)
            } else if let o = zoneOffsets[z.uppercased()] {
                offset = o
            } else {
                return nil
            }
            return date(year: y, month: mIndex + 1, day: d, hour: h, minute: mi, second: sec, offsetSeconds: offset)
        }
        return nil
    }

    /// Zone abbreviations seen in exports (Sentiment140 uses PDT).
    private static let zoneOffsets: [String: Int] = [
        "UTC": 0, "GMT": 0, "Z": 0, "PST": -8 * 3600, "PDT": -7 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
        "CST": -6 * 3600, "CDT": -5 * 3600, "EST": -5 * 3600, "EDT": -4 * 3600, "CET": 3600, "CEST": 7200,
        "BST": 3600,
    ]
}
