// The two ways an import goes wrong: a single record that cannot be read (an issue: reported, then skipped)
// and a file that cannot be read at all (an error: the file is skipped).

/// A record that could not be imported. The rest of the file still is.
public struct ImportIssue: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it (`-` reads as `<stdin>`).
    public let file: String
    /// The 1-based line where the record starts.
    public let line: Int
    /// What is wrong, in words a user can act on.
    public let reason: String

    /// Makes an issue.
    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    /// "file:line: reason", the way compilers report, so editors can jump to it.
    public var description: String { "\(file):\(line): \(reason)" }
}

/// A file that cannot be imported at all: it cannot be opened or read, or its format cannot be determined.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the user named it.
    public let file: String
    /// Why, with a suggestion where one helps (e.g. "use --format").
    public let message: String

    /// Makes an error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// "file: message".
    public var description: String { "\(file): \(message)" }
}
