// `starling analyze`: show what the analyser makes of a text or of posts — every decision, as JSON.
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingModel

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Show how texts or posts are analysed: tokens, hashtags, mentions, cashtags, URLs, emoji.",
        discussion: """
            Reads TEXT, or standard input one item a line: a line starting with '{' is read as a native post
            (its id and urls are used), anything else as plain text. Writes one JSON object per input.
            """
    )

    @Flag(help: "JSON output (the default when reading standard input).")
    var json = false

    @Argument(help: "The text to analyse (omit to read standard input).")
    var text: String?

    func run() throws {
        try reportingErrors {
            let analyzer = try Analyzer()
            if let text {
                let a = analyzer.analyze(text)
                if json { emit(Self.json(a, id: nil).jsonText) } else { printHuman(a) }
                return
            }
            var lineNumber = 0
            var failed = false
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                if line.hasPrefix("{") {
                    do {
                        let v = try JSONParser.parse(line)
                        let post = try Post.fromNative(v)
                        emit(Self.json(analyzer.analyze(post.text, links: post.urls), id: post.id, post: post).jsonText)
                    } catch {
                        printError("stdin:\(lineNumber): \(error)")
                        failed = true
                    }
                } else {
                    emit(Self.json(analyzer.analyze(line), id: nil).jsonText)
                }
            }
            if failed { throw ExitCode(3) }
        }
    }

    /// The analysis as DESIGN.md's `analyze` JSON.
    static func json(_ a: Analysis, id: String?, post: Post? = nil) -> JSONValue {
        var o: [(String, JSONValue)] = []
        if let id { o.append(("id", .string(id))) }
        o.append(("text", .string(a.text)))
        o.append(("normalized", .string(a.normalized)))
        o.append(("tokens", .array(a.tokens.map { t in
            .object([("text", .string(t.text)), ("normalized", .string(t.normalized)), ("kind", .string(t.kind.rawValue)),
                     ("start", .int(Int64(t.start))), ("end", .int(Int64(t.end))), ("position", .int(Int64(t.position)))])
        })))
        o.append(("hashtags", .array(a.hashtags.map { h in
            .object([("text", .string(h.text)), ("normalized", .string(h.normalized)),
                     ("words", .array(h.words.map { .string($0) }))])
        })))
        o.append(("mentions", .array(a.mentions.map { .object([("text", .string($0.text)), ("normalized", .string($0.normalized))]) })))
        o.append(("cashtags", .array(a.cashtags.map { .object([("text", .string($0.text)), ("normalized", .string($0.normalized))]) })))
        o.append(("urls", .array(a.urls.map { u in
            .object([("text", .string(u.text)), ("canonical", .string(u.canonical)),
                     ("expanded", u.expanded.map { .string($0) } ?? .null), ("domains", .array(u.domains.map { .string($0) }))])
        })))
        o.append(("emoji", .array(a.emoji.map { .object([("text", .string($0.text)), ("folded", .string($0.folded))]) })))
        o.append(("reshare", .bool(a.isReshare || post?.reshareOf != nil || post?.isReshare == true)))
        if let ra = a.reshareAuthor ?? post?.reshareAuthor { o.append(("reshare_author", .string(ra))) }
        // Language identification is not built yet: the platform's tag is reported as a hint, else `und`.
        if let lang = post?.lang {
            o.append(("language", .object([("code", .string(lang)), ("confidence", .double(0)), ("evidence", .string("platform tag"))])))
        } else {
            o.append(("language", .object([("code", .string("und")), ("confidence", .double(0)), ("evidence", .string("none"))])))
        }
        o.append(("entities", .array([])))
        return .object(o)
    }

    private func printHuman(_ a: Analysis) {
        emit("normalized: \(a.normalized)")
        emit("tokens:     " + a.tokens.map { t in
            t.kind == .word ? t.normalized : "\(t.kind.rawValue):\(t.normalized)"
        }.joined(separator: " "))
        if !a.hashtags.isEmpty {
            emit("hashtags:   " + a.hashtags.map { "#\($0.text) -> \($0.words.joined(separator: " "))" }.joined(separator: ", "))
        }
        if !a.mentions.isEmpty { emit("mentions:   " + a.mentions.map { "@\($0.text)" }.joined(separator: ", ")) }
        if !a.cashtags.isEmpty { emit("cashtags:   " + a.cashtags.map { "$\($0.text)" }.joined(separator: ", ")) }
        if !a.urls.isEmpty {
            emit("urls:       " + a.urls.map { "\($0.canonical) (\($0.domains.joined(separator: ", ")))" }.joined(separator: "; "))
        }
        if !a.emoji.isEmpty { emit("emoji:      " + a.emoji.map(\.text).joined(separator: " ")) }
        if a.isReshare { emit("reshare of: @\(a.reshareAuthor ?? "?")") }
    }
}
