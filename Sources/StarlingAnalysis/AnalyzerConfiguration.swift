// Where the analyser's data comes from: the analyzers/ folder of the repository and Debian's data packages.
import Foundation

/// The data tables an analyser needs, loaded once and shared by every analyser instance.
public struct AnalyzerConfiguration: Sendable {
    /// Canonicalises links.
    public var urls: URLCanonicalizer
    /// The TLDs a scheme-less URL may end in (analyzers/url/tlds.txt).
    public var tlds: TopLevelDomains
    /// Emoji names and keywords (analyzers/emoji/emoji.tsv).
    public var emoji: EmojiTable
    /// Word frequencies for splitting one-case hashtags (analyzers/hashtags/words.tsv).
    public var hashtagWords: HashtagSegmenter

    /// A configuration from its parts; missing tables mean no scheme-less URLs, no emoji names and no
    /// segmentation of one-case hashtags.
    public init(urls: URLCanonicalizer, tlds: TopLevelDomains = TopLevelDomains(), emoji: EmojiTable = EmojiTable(),
                hashtagWords: HashtagSegmenter = HashtagSegmenter()) {
        self.urls = urls
        self.tlds = tlds
        self.emoji = emoji
        self.hashtagWords = hashtagWords
    }

    /// The analyzers/ folder: `$STARLING_ANALYZERS`, else the first `analyzers/` found upwards from the executable
    /// or from the working directory.
    public static func locateAnalyzersFolder() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["STARLING_ANALYZERS"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var starts = [URL(fileURLWithPath: fm.currentDirectoryPath)]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        starts.insert(exe.deletingLastPathComponent(), at: 0)
        if let link = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.insert(URL(fileURLWithPath: link).deletingLastPathComponent(), at: 0)
        }
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("analyzers")
                if fm.fileExists(atPath: candidate.appendingPathComponent("url/tracking-parameters.txt").path) {
                    return candidate
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    /// Reads a list file: one item a line, `#` comments and blank lines ignored.
    public static func readList(_ url: URL) throws -> [String] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.isEmpty || t.hasPrefix("#") ? nil : t
        }
    }

    /// The standard configuration from analyzers/ and the system's public suffix list.
    /// A missing analyzers/ folder is an error that says where it looked.
    public static func standard() throws -> AnalyzerConfiguration {
        guard let folder = locateAnalyzersFolder() else {
            throw AnalyzerSetupError(
                message: "cannot find the analyzers/ folder (set STARLING_ANALYZERS, or run from the Starling checkout)")
        }
        let tracking = try readList(folder.appendingPathComponent("url/tracking-parameters.txt"))
        let pslPath = "/usr/share/publicsuffix/public_suffix_list.dat"
        let psl = (try? String(contentsOfFile: pslPath, encoding: .utf8)).map(PublicSuffixList.init(text:))
            ?? PublicSuffixList()
        let tlds = TopLevelDomains(text: try String(contentsOf: folder.appendingPathComponent("url/tlds.txt"), encoding: .utf8))
        let emoji = EmojiTable(text: try String(contentsOf: folder.appendingPathComponent("emoji/emoji.tsv"), encoding: .utf8))
        let words = HashtagSegmenter(
            text: try String(contentsOf: folder.appendingPathComponent("hashtags/words.tsv"), encoding: .utf8))
        return AnalyzerConfiguration(urls: URLCanonicalizer(trackingParameters: tracking, suffixes: psl), tlds: tlds,
                                     emoji: emoji, hashtagWords: words)
    }

    /// Loaded once per process.
    public static let shared: Result<AnalyzerConfiguration, Error> = Result { try standard() }
}

/// The analyser could not be set up (missing data files).
public struct AnalyzerSetupError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
