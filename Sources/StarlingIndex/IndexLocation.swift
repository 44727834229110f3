// Where indexes live and how they are opened, with errors a newcomer understands.
import Foundation
import XapianKit

/// Index paths and opening.
public enum IndexLocation {
    /// `$STARLING_INDEX`, else `indexes/default`.
    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["STARLING_INDEX"], !env.isEmpty { return env }
        return "indexes/default"
    }

    /// Opens an index for reading; a missing one is an `IndexError.notFound` that says how to make it.
    public static func openReader(_ path: String) throws -> Database {
        do {
            return try Database(path: path)
        } catch let e as XapianError where e.type == "DatabaseNotFoundError" || e.type == "DatabaseOpeningError" {
            throw IndexError.notFound(path: path, detail: e.message)
        }
    }
}

/// Errors about the index itself.
public enum IndexError: Error, CustomStringConvertible, Sendable {
    case notFound(path: String, detail: String)
    case locked(path: String)

    public var description: String {
        switch self {
        case .notFound(let path, _):
            return "no index at '\(path)': create one with `starling index --index \(path) FILE...`"
        case .locked(let path):
            return "the index at '\(path)' is being written by another process (only one writer at a time)"
        }
    }
}
