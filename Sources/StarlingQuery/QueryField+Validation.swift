// The value rules of each `field:` filter: closed sets with their synonyms, dates, language codes, hosts.
// A value that breaks a rule is a syntax error that names what was expected.

extension QueryField {
    /// Why a value was refused, worded for the user.
    struct Problem: Error { let message: String }

    /// Synonyms people bring from the platforms, mapped to the canonical `has:` values.
    static let hasSynonyms: [String: String] = [
        "url": "url", "urls": "url", "link": "url", "links": "url",
        "media": "media",
        "hashtag": "hashtag", "hashtags": "hashtag",
        "mention": "mention", "mentions": "mention",
        "cashtag": "cashtag", "cashtags": "cashtag",
        "emoji": "emoji", "emojis": "emoji",
    ]

    /// Synonyms for `is:` values: each platform names a reshare differently.
    static let isSynonyms: [String: String] = [
        "reshare": "reshare", "retweet": "reshare", "rt": "reshare", "boost": "reshare",
        "reblog": "reshare", "repost": "reshare",
        "reply": "reply", "replies": "reply",
    ]

    /// An example to append to "expected a value" messages.
    var example: String {
        switch self {
        case .from: return ", e.g. from:BBCNews"
        case .lang: return ", e.g. lang:en"
        case .entity: return ", e.g. entity:Q42"
        case .domain: return ", e.g. domain:bbc.co.uk"
        case .url: return ", e.g. url:bbc.in/1uXxOfo"
        case .has: return "; one of " + Self.hasValues.joined(separator: ", ")
        case .is: return "; one of " + Self.isValues.joined(separator: ", ")
        case .since: return ", e.g. since:2014-08-15"
        case .until: return ", e.g. until:2014-08-31"
        case .emoji: return ", e.g. emoji:fire"
        }
    }

    /// Checks `value` against this field's rules and returns the value to store (see ``QueryField``).
    /// `name` is the field as the user typed it, for messages.
    func validate(_ value: String, as name: String) -> Result<String, Problem> {
        switch self {
        case .from:
            var handle = Substring(value)
            if handle.first == "@" || handle.first == "\u{FF20}" { handle = handle.dropFirst() }
            guard QueryTerms.isHandle(String(handle)) else {
                return .failure(Problem(message: "expected a user name after '\(name)'\(example)"))
            }
            return .success(String(handle))
        case .lang:
            guard Self.isLanguageTag(value) else {
                return .failure(Problem(message:
                    "expected a 2–3 letter language code or 'und' after '\(name)'\(example)"))
            }
            return .success(value)
        case .entity, .url, .emoji:
            return .success(value)
        case .domain:
            if value.contains("/") {
                return .failure(Problem(message:
                    "expected a host name after '\(name)', not a URL\(example); use url: to match a link"))
            }
            guard QueryTerms.isHostName(Substring(value)) else {
                return .failure(Problem(message: "expected a host name after '\(name)'\(example)"))
            }
            return .success(value)
        case .has:
            guard let canonical = Self.hasSynonyms[value.lowercased()] else {
                return .failure(Problem(message: "unknown value '\(value)' for '\(name)'\(example)"))
            }
            return .success(canonical)
        case .is:
            guard let canonical = Self.isSynonyms[value.lowercased()] else {
                return .failure(Problem(message: "unknown value '\(value)' for '\(name)'\(example)"))
            }
            return .success(canonical)
        case .since, .until:
            return checkDate(value, name: name).map { value }
        }
    }

    /// ISO 639 code (2–3 ASCII letters, which covers `und`), optionally followed by `-` subtags of 2–8
    /// letters or digits (`zh-Hant`, `pt-BR`).
    static func isLanguageTag(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count),
              primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { part in
            (2...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    /// A real Gregorian calendar date written `YYYY-MM-DD`.
    func checkDate(_ value: String, name: String) -> Result<Void, Problem> {
        let characters = Array(value)
        let shapeOK = characters.count == 10 && characters[4] == "-" && characters[7] == "-"
            && [0, 1, 2, 3, 5, 6, 8, 9].allSatisfy { characters[$0].isASCII && characters[$0].isNumber }
        guard shapeOK else {
            return .failure(Problem(message: "expected a date written YYYY-MM-DD after '\(name)'\(example)"))
        }
        let number = { (range: Range<Int>) in Int(String(characters[range]))! }
        let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
        guard (1...12).contains(month) else {
            return .failure(Problem(message: "invalid date '\(value)': the month must be 01 to 12"))
        }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...lengths[month - 1]).contains(day) else {
            return .failure(Problem(message:
                "invalid date '\(value)': month \(characters[5])\(characters[6]) of \(year) has days 01 to \(lengths[month - 1])"))
        }
        return .success(())
    }
}
