// Errors the service answers with: a stable code, a message, the HTTP status, and extra fields (a query error's
// position). Every failure leaves the service as `{"error": {"code": "...", "message": "...", ...}}`.
import Hummingbird
import StarlingModel

/// An error answered to the client as JSON with a stable `code`.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable, kebab-case identifier clients can branch on (`bad-query`, `unauthorized`, ...).
    public var code: String
    /// What went wrong, for people.
    public var message: String
    /// More fields of the error object (e.g. `position` and `column` of a query error).
    public var details: [(String, JSONValue)]

    /// An error with `status`, `code` and `message`.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [(String, JSONValue)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// `{"error": {"code", "message", ...details}}`.
    public var json: JSONValue {
        .object([("error", .object([("code", .string(code)), ("message", .string(message))] + details))])
    }

    /// The JSON response.
    public var response: Response { JSONResponse.make(json, status: status) }

    // MARK: Common errors

    /// 400 for a bad parameter.
    public static func badParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "bad-parameter", "\(name): \(message)", details: [("parameter", .string(name))])
    }

    /// 400 for a required parameter that is missing.
    public static func missingParameter(_ name: String) -> APIError {
        APIError(.badRequest, "missing-parameter", "the parameter '\(name)' is required",
                 details: [("parameter", .string(name))])
    }

    /// 404 for a post id the index does not hold.
    public static func postNotFound(_ id: String) -> APIError {
        APIError(.notFound, "post-not-found", "no post with id '\(id)' in the index", details: [("id", .string(id))])
    }

    /// 413 for a body over the limit.
    public static func bodyTooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "body-too-large", "the request body is over the limit of \(limit) bytes",
                 details: [("limit", .int(Int64(limit)))])
    }
}

/// Building JSON responses.
public enum JSONResponse {
    /// A response carrying `value` as JSON.
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var text = value.jsonText
        text.append("\n")
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A response carrying `text` with `contentType`.
    public static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
