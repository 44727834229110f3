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
    /// airline CSV's day-first `24-02-2015 11.35`, US month-first `2/24/2015 11:35` (optionally with AM/PM),
    /// RFC 2822 (`Wed, 27 Aug 2008 13:08:45 +0000`), and Unix epoch seconds or milliseconds (with a fraction).
    /// Times without a zone are taken as UTC.
    /// Returns nil for anything else.
    public static func parse(_ raw: String) -> Date? {
        // Trim on bytes: Foundation's trimmingCharacters costs more than the whole parse (CSV imports call this per row).
        let all = Array(raw.utf8)
        var lo = 0, hi = all.count
        while lo < hi, all[lo] == 0x20 || all[lo] == 0x09 { lo += 1 }
        while hi > lo, all[hi - 1] == 0x20 || all[hi - 1] == 0x09 { hi -= 1 }
        if lo == hi { return nil }
        let b = lo == 0 && hi == all.count ? all : Array(all[lo..<hi])
        let s = String(decoding: b, as: UTF8.self)
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
        // Epoch seconds / milliseconds, perhaps with a fraction.
        let integerDigits = b.firstIndex(of: 0x2E) ?? b.count
        if integerDigits > 0, b[..<integerDigits].allSatisfy({ $0 >= 48 && $0 <= 57 }),
           b[integerDigits...].dropFirst().allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            guard let v = Double(s) else { return nil }
            if integerDigits >= 12 { return Date(timeIntervalSince1970: v / 1000) }
            if integerDigits >= 9 { return Date(timeIntervalSince1970: v) }
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
        // Day-first with dashes (airline CSV's `tweet_created`): "24-02-2015 11.35", "24-02-2015 11:35:20".
        if b.count >= 10, let d = digits(0, 2), b[2] == 0x2D, let mo = digits(3, 2), b[5] == 0x2D, let y = digits(6, 4) {
            if b.count == 10 { return date(year: y, month: mo, day: d) }
            guard b[10] == 0x20 || b[10] == 0x54, let clock = clockTime(b[11...]) else { return nil }
            return date(year: y, month: mo, day: d, hour: clock.h, minute: clock.m, second: clock.s)
        }
        // US month-first with slashes (spreadsheet exports): "2/24/2015 11:35", "2/24/2015 1:05:09 PM", "2/24/2015".
        if let slash = b.firstIndex(of: 0x2F), slash <= 2 {
            let dateEnd = b.firstIndex(of: 0x20) ?? b.count
            let fields = b[0..<dateEnd].split(separator: 0x2F, omittingEmptySubsequences: false)
            guard fields.count == 3, let mo = number(fields[0]), let d = number(fields[1]), let y0 = number(fields[2]),
                  fields[2].count == 4 || fields[2].count == 2 else { return nil }
            let y = fields[2].count == 2 ? 2000 + y0 : y0
            if dateEnd == b.count { return date(year: y, month: mo, day: d) }
            guard let clock = clockTime(b[(dateEnd + 1)...]) else { return nil }
            return date(year: y, month: mo, day: d, hour: clock.h, minute: clock.m, second: clock.s)
        }
        // Twitter v1.1 / Sentiment140: "Wed Aug 27 13:08:45 +0000 2008" or "Mon Apr 06 22:19:45 PDT 2009".
        var parts = s.split(separator: " ", omittingEmptySubsequences: true)
        // RFC 2822 (mail, RSS): "Wed, 27 Aug 2008 13:08:45 +0000" or without the weekday.
        if let first = parts.first, first.hasSuffix(",") { parts.removeFirst() }
        if parts.count == 5, let d = Int(parts[0]), let mIndex = months.firstIndex(of: parts[1].lowercased()),
           let y = Int(parts[2]), let clock = clockTime(ArraySlice(parts[3].utf8)), let offset = zoneOffset(parts[4]) {
            return date(year: y, month: mIndex + 1, day: d, hour: clock.h, minute: clock.m, second: clock.s,
                        offsetSeconds: offset)
        }
        if parts.count == 6, let mIndex = months.firstIndex(of: parts[1].lowercased()), let d = Int(parts[2]),
           let y = Int(parts[5]) {
            let hms = parts[3].split(separator: ":")
            guard hms.count == 3, let h = Int(hms[0]), let mi = Int(hms[1]), let sec = Int(hms[2]) else { return nil }
            guard let offset = zoneOffset(parts[4]) else { return nil }
            return date(year: y, month: mIndex + 1, day: d, hour: h, minute: mi, second: sec, offsetSeconds: offset)
        }
        return nil
    }

    /// A numeric offset (`+0000`, `-0800`) or a known zone abbreviation, in seconds east of UTC.
    private static func zoneOffset(_ z: Substring) -> Int? {
        if let first = z.first, first == "+" || first == "-", z.count == 5, let hh = Int(z.dropFirst().prefix(2)),
           let mm = Int(z.suffix(2)) {
            return (first == "-" ? -1 : 1) * (hh * 3600 + mm * 60)
        }
        return zoneOffsets[z.uppercased()]
    }

    /// A non-empty run of ASCII digits as a number.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.count <= 9 else { return nil }
        var v = 0
        for c in digits {
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// A wall-clock time `H:MM`, `HH:MM:SS` or `HH.MM[.SS]`, with an optional ` AM`/` PM`.
    private static func clockTime(_ b: ArraySlice<UInt8>) -> (h: Int, m: Int, s: Int)? {
        var text = b
        var pmShift: Int?
        if text.count > 3 {
            let tail = text.suffix(2).map { $0 | 0x20 }
            if tail == [0x61, 0x6D] || tail == [0x70, 0x6D] {
                pmShift = tail[0] == 0x70 ? 12 : 0
                text = text.dropLast(2)
                while text.last == 0x20 { text = text.dropLast() }
            }
        }
        let separator: UInt8 = text.contains(0x3A) ? 0x3A : 0x2E
        let fields = text.split(separator: separator, omittingEmptySubsequences: false)
        guard fields.count == 2 || fields.count == 3, fields.allSatisfy({ (1...2).contains($0.count) }),
              var h = number(fields[0]), let m = number(fields[1]) else { return nil }
        let sec = fields.count == 3 ? number(fields[2]) : 0
        guard let sec else { return nil }
        if let pmShift {
            guard (1...12).contains(h) else { return nil }
            h = h % 12 + pmShift
        }
        return (h, m, sec)
    }

    /// Zone abbreviations seen in exports (Sentiment140 uses PDT).
    private static let zoneOffsets: [String: Int] = [
        "UTC": 0, "GMT": 0, "Z": 0, "PST": -8 * 3600, "PDT": -7 * 3600, "MST": -7 * 3600, "MDT": -6 * 3600,
        "CST": -6 * 3600, "CDT": -5 * 3600, "EST": -5 * 3600, "EDT": -4 * 3600, "CET": 3600, "CEST": 7200,
        "BST": 3600,
    ]
}
