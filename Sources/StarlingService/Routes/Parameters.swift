// Reading query-string parameters with the service's limits and JSON errors.
import Foundation
import Hummingbird
import StarlingIndex
import StarlingModel
import StarlingQuery

/// The query-string parameters of a request, decoded as HTML forms encode them: `+` is a space and `%XX` a
/// byte (Hummingbird's own map keeps `+`, which would turn `q=office+another` into one odd word).
struct Parameters {
    let request: Request
    private let values: [String: String]

    init(_ request: Request) {
        self.request = request
        values = Self.decode(request.uri.query ?? "")
    }

    /// `a=1&b=x+y` -> ["a": "1", "b": "x y"]; the first of repeated names wins.
    static func decode(_ query: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func clean(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let name = clean(parts[0])
            if out[name] == nil { out[name] = parts.count > 1 ? clean(parts[1]) : "" }
        }
        return out
    }

    /// The decoded value, if given (an empty value counts as given).
    func string(_ name: String) -> String? {
        values[name]
    }

    /// A required, non-empty value.
    func required(_ name: String) throws -> String {
        guard let v = string(name), !v.isEmpty else { throw APIError.missingParameter(name) }
        return v
    }

    /// An integer in `range`, or `defaultValue` when absent.
    func int(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let raw = string(name), !raw.isEmpty else { return defaultValue }
        guard let v = Int(raw) else { throw APIError.badParameter(name, "'\(raw)' is not an integer") }
        guard range.contains(v) else {
            throw APIError.badParameter(name, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return v
    }

    /// A number in `range`, or `defaultValue` when absent.
    func double(_ name: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let raw = string(name), !raw.isEmpty else { return defaultValue }
        guard let v = Double(raw), range.contains(v) else {
            throw APIError.badParameter(name, "must be a number between \(range.lowerBound) and \(range.upperBound)")
        }
        return v
    }

    /// `true`/`1`/`yes` or `false`/`0`/`no`; a bare `?collapse` means true.
    func bool(_ name: String, default defaultValue: Bool = false) throws -> Bool {
        guard let raw = string(name) else { return defaultValue }
        switch raw.lowercased() {
        case "", "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw APIError.badParameter(name, "expected true or false")
        }
    }

    /// One of the raw values of `T`.
    func choice<T: RawRepresentable & CaseIterable>(_ name: String, default defaultValue: T) throws -> T where T.RawValue == String {
        guard let raw = string(name), !raw.isEmpty else { return defaultValue }
        guard let v = T(rawValue: raw) else {
            throw APIError.badParameter(name, "expected one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return v
    }

    /// The query `q`, checked against the length limit; nil or empty when absent.
    func query(limits: ServiceLimits, required: Bool) throws -> String {
        let q = string("q") ?? ""
        if required && q.trimmingCharacters(in: .whitespaces).isEmpty { throw APIError.missingParameter("q") }
        if q.count > limits.maxQueryLength {
            throw APIError(.badRequest, "query-too-long", "the query is over \(limits.maxQueryLength) characters")
        }
        return q
    }
}

extension APIError {
    /// A query the parser or compiler refused: 400 with the parser's position.
    static func badQuery(_ error: Error, query: String) -> APIError? {
        if let e = error as? QuerySyntaxError {
            return APIError(.badRequest, "bad-query", e.message, details: [
                ("reason", .string(e.code.rawValue)), ("position", .int(Int64(e.position))),
                ("column", .int(Int64(e.column))), ("length", .int(Int64(e.length))), ("query", .string(query)),
                ("caret", .string(e.description)),
            ])
        }
        if let e = error as? QueryCompileError {
            return APIError(.badRequest, "bad-query", e.message, details: [("query", .string(query))])
        }
        return nil
    }
}
