// XapianError.swift: the one error type of XapianKit, and the helper that turns CXapian's `xc_error **`
// out-parameter into a thrown Swift error.
import CXapian

/// A failure reported by Xapian (or by the C shim around it), carrying Xapian's error type name.
///
/// `type` is Xapian's `get_type()`, e.g. `"DatabaseNotFoundError"`, `"DatabaseLockError"`,
/// `"DatabaseModifiedError"`, `"DocNotFoundError"`, `"InvalidArgumentError"`; `"std::bad_alloc"`,
/// `"std::exception"` or `"UnknownError"` for failures that did not come from Xapian's own hierarchy.
public struct XapianError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Xapian's error type name, e.g. `"DatabaseNotFoundError"`.
    public let type: String
    /// Xapian's description of the failure (`get_description()`).
    public let message: String

    /// Makes an error by hand (used for failures detected on the Swift side, and by tests).
    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }

    /// Takes over an `xc_error` and releases it.
    init(consuming error: OpaquePointer) {
        defer { xc_error_free(error) }
        type = String(cString: xc_error_type(error))
        message = String(cString: xc_error_message(error))
    }

    /// `"Type: message"`; Xapian's descriptions usually start with the type already, so it is not repeated.
    public var description: String {
        message.hasPrefix(type) ? message : "\(type): \(message)"
    }
}

/// Runs one CXapian call and throws the error it reported, if any.
///
/// The shim reports through an out-parameter rather than a return code, so every call site reads the same:
/// `try call { xc_something(handle, $0) }`.
@inline(__always)
func call<R>(_ body: (UnsafeMutablePointer<OpaquePointer?>) -> R) throws(XapianError) -> R {
    var error: OpaquePointer?
    let result = body(&error)
    if let error { throw XapianError(consuming: error) }
    return result
}

/// Like `call`, for the few Swift APIs that cannot throw: returns the error instead.
@inline(__always)
func callCapturingError<R>(_ body: (UnsafeMutablePointer<OpaquePointer?>) -> R) -> (R, XapianError?) {
    var error: OpaquePointer?
    let result = body(&error)
    return (result, error.map { XapianError(consuming: $0) })
}
