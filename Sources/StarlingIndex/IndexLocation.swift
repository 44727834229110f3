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
            var isFolder: ObjCBool = false
            if !path.isEmpty, FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue {
                throw IndexError.notAFolder(path: path)
            }
            throw IndexError.notFound(path: path, detail: e.message)
        }
    }

    /// A file in the folder `path` that neither Xapian nor Starling wrote, when the folder holds no index yet: a
    /// new index there would be mixed into someone's files (`--index .`, `--index data/` by mistake).
    static func foreignFile(in path: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        if names.contains("iamglass") { return nil }
        return names.sorted().first { name in
            !(name.hasSuffix(".glass") || name == "flintlock" || name.hasPrefix("starling-") || name.hasPrefix("."))
        }
    }

    /// The folder holding `path`, "" for a bare name. (Foundation's `deletingLastPathComponent` traps on a
    /// one-character name such as `A` on Linux, so this is done by hand.)
    static func parentFolder(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        return slash == p.startIndex ? "/" : String(p[..<slash])
    }

    /// Opens the index at `path` as its single writer, creating it (and its parent folders) when `create`.
    /// - Throws: `IndexError.locked` when another writer holds it, `IndexError.notFound` when it is missing and
    ///   `create` is false.
    public static func openWriter(_ path: String, create: Bool) throws -> WritableDatabase {
        if path.isEmpty { throw IndexError.emptyPath }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            if !isFolder.boolValue { throw IndexError.notAFolder(path: path) }
            if create, let stranger = foreignFile(in: path) { throw IndexError.foreignFolder(path: path, example: stranger) }
        }
        if create {
            let parent = parentFolder(path)
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        }
        do {
            return try WritableDatabase(path: path, mode: create ? .createOrOpen : .open)
        } catch let e as XapianError where e.type == "DatabaseLockError" {
            throw IndexError.locked(path: path)
        } catch let e as XapianError where e.type == "DatabaseNotFoundError" || e.type == "DatabaseOpeningError" {
            throw IndexError.notFound(path: path, detail: e.message)
        }
    }
}

/// Errors about the index itself.
public enum IndexError: Error, CustomStringConvertible, Sendable {
    case notFound(path: String, detail: String)
    case locked(path: String)
    /// `--index ''`.
    case emptyPath
    /// The path names a file.
    case notAFolder(path: String)
    /// A new index would go into a folder of other files (`example` is one of them).
    case foreignFolder(path: String, example: String)

    public var description: String {
        switch self {
        case .notFound(let path, _):
            return "no index at '\(path)': create one with `starling index --index \(path) FILE...`"
        case .locked(let path):
            return "the index at '\(path)' is being written by another process (only one writer at a time)"
        case .emptyPath:
            return "the index path is empty: give a folder (default: $STARLING_INDEX, else indexes/default)"
        case .notAFolder(let path):
            return "'\(path)' is a file, not an index folder: give --index a folder (new, or one holding an index)"
        case .foreignFolder(let path, let example):
            return "'\(path)' holds other files ('\(example)', ...) and no index: give --index a new or empty folder, "
                + "so the index is not mixed into them"
        }
    }
}

/// Index upkeep that needs the whole index.
public enum IndexMaintenance {
    /// Whether an import that wrote `written` posts into an index now holding `documents` is a bulk import, worth
    /// compacting right after (`starling index` does, unless told `--no-compact`): at least 10,000 posts and at
    /// least half of the index. Xapian leaves the B-trees of a bulk import half full (random keys split blocks,
    /// every commit rewrites the blocks it touched), about twice the compacted size, and compaction is cheap
    /// beside the import (about 2 s after 75 s for 211k posts). Small imports into a big index are not worth it.
    public static func isBulkImport(written: Int, documents: Int) -> Bool {
        written >= 10_000 && written * 2 >= documents
    }

    /// Rewrites the index at `path` compacted (Xapian compaction: full B-tree blocks, typically 40% smaller) and
    /// swaps it in place. Holds the write lock while compacting, so no writer can change the index meanwhile;
    /// readers that had it open keep their old view until they reopen.
    /// - Returns: the size on disk before and after, in bytes.
    @discardableResult
    public static func compact(path: String) throws -> (before: Int64, after: Int64) {
        let fm = FileManager.default
        let before = IndexStats.directorySize(path)
        let tmp = path + ".compacting-\(getpid())"
        let old = path + ".old-\(getpid())"
        try? fm.removeItem(atPath: tmp)
        do {
            let writer = try IndexLocation.openWriter(path, create: false)
            try writer.compact(to: tmp)
            try copyStarlingFiles(from: path, to: tmp)
            try writer.close()
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
        try swap(in: tmp, for: path, parking: old)
        return (before, IndexStats.directorySize(path))
    }

    /// Copies Starling's own files in the index folder `from` (the unshortening cache, the bucket file, ...) into
    /// `to`, except those named in `except`; Xapian's are the *.glass tables, iamglass and flintlock.
    static func copyStarlingFiles(from: String, to: String, except: Set<String> = []) throws {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: from)) ?? []
        where !name.hasSuffix(".glass") && name != "iamglass" && name != "flintlock" && !except.contains(name) {
            var isDir: ObjCBool = false
            let source = (from as NSString).appendingPathComponent(name)
            guard fm.fileExists(atPath: source, isDirectory: &isDir), !isDir.boolValue else { continue }
            let target = (to as NSString).appendingPathComponent(name)
            try? fm.removeItem(atPath: target)
            try fm.copyItem(atPath: source, toPath: target)
        }
    }

    /// Puts the index folder `fresh` in place of `path` (moved aside to `old`, then deleted); if the second move
    /// fails, `path` is put back.
    static func swap(in fresh: String, for path: String, parking old: String) throws {
        let fm = FileManager.default
        try fm.moveItem(atPath: path, toPath: old)
        do {
            try fm.moveItem(atPath: fresh, toPath: path)
        } catch {
            try? fm.moveItem(atPath: old, toPath: path)
            throw error
        }
        try? fm.removeItem(atPath: old)
    }
}
