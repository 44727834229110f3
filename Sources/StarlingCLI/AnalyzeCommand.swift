// `starling analyze`: show what the analyser makes of a text or of posts — every decision, as JSON.
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingEntities
import StarlingLanguage
import StarlingModel
import StarlingService

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

    @Flag(help: "Print only each input's language (code, confidence, evidence, candidates), one JSON line each.")
    var language = false

    @Flag(help: "With --language: report on stderr the seconds spent analysing and detecting (for benchmarks).")
    var timing = false

    @Argument(help: "The text to analyse (omit to read standard input).")
    var text: String?

    func run() throws {
        if language { return try runLanguageOnly() }
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
        // Language: detected from the cleaned text, with the platform's tag and the author's earlier posts (in
        // this run) as hints. Entities: decided from this post alone, as at indexing.
        ResultJSON.analysis(a, id: id, post: post, language: AnalyzeLanguage.guess(a, post: post),
                            entities: (AnalyzeEntities.linker?.link(a) ?? []).map { $0.json(detailed: true) })
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
        if !a.emoji.isEmpty {
            emit("emoji:      " + a.emoji.map { "\($0.text) (\($0.name ?? "?"))" }.joined(separator: " "))
        }
        let unaccented = a.tokens.compactMap { t in t.unaccented.map { "\(t.normalized) -> \($0)" } }
        if !unaccented.isEmpty { emit("unaccented: " + unaccented.joined(separator: ", ")) }
        if let r = a.replyTo { emit("reply to:   @\(r)") }
        if a.isReshare { emit("reshare of: @\(a.reshareAuthor ?? "?")") }
        for m in AnalyzeEntities.linker?.link(a) ?? [] {
            emit("entity:     \(m.entityID) \"\(m.surface)\" (confidence \(String(format: "%.2f", m.confidence)); "
                 + m.evidence.joined(separator: ", ") + ")")
        }
        let g = AnalyzeLanguage.guess(a, post: nil)
        emit("language:   \(g.code) (confidence \(String(format: "%.2f", g.confidence)), evidence: \(g.evidence.rawValue))")
    }
}

/// The entity linker of analyzers/entities/ (none when the folder has no catalogue or cannot be read).
enum AnalyzeEntities {
    static let linker: EntityLinker? = {
        do { return try EntityLinker.standard() } catch {
            printError("warning: entity catalogues not loaded: \(error)")
            return nil
        }
    }()
}

// MARK: language (issue 4)

/// The language part of `analyze`: one detector and one author history for the whole run.
enum AnalyzeLanguage {
    static let detector: LanguageDetector? = try? LanguageDetector.standard()
    static let history = AuthorLanguageHistory()

    static func guess(_ a: Analysis, post: Post?) -> LanguageGuess {
        guard let detector else {
            // No model (analyzers/langid missing): the platform's tag, else undetermined.
            if let tag = LanguageCodes.normalizePlatformTag(post?.lang) {
                return LanguageGuess(code: tag, confidence: 0.5, evidence: .platform, candidates: [])
            }
            return .undetermined
        }
        return detector.detect(a, platformTag: post?.lang, author: post?.author, history: history)
    }

    static func json(_ g: LanguageGuess) -> JSONValue { ResultJSON.languageJSON(g) }
}

extension AnalyzeCommand {
    /// `--language`: only the language of each input, one JSON object a line (what tools/langid-eval reads).
    func runLanguageOnly() throws {
        try reportingErrors {
            let analyzer = try Analyzer()
            _ = AnalyzeLanguage.detector  // load the model before any timing
            // Thread CPU time, not wall time: a busy machine then does not skew the per-core rate.
            func cpuNow() -> Double {
                var ts = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
                return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
            }
            var analyzing = 0.0
            var detecting = 0.0
            var count = 0
            func one(_ text: String, post: Post?) {
                var o: [(String, JSONValue)] = []
                if let id = post?.id { o.append(("id", .string(id))) }
                let t0 = timing ? cpuNow() : 0
                let analysis = analyzer.analyze(text, links: post?.urls ?? [])
                let t1 = timing ? cpuNow() : 0
                let guess = AnalyzeLanguage.guess(analysis, post: post)
                let t2 = timing ? cpuNow() : 0
                analyzing += t1 - t0
                detecting += t2 - t1
                count += 1
                o.append(("language", AnalyzeLanguage.json(guess)))
                emit(JSONValue.object(o).jsonText)
            }
            defer {
                if timing {
                    printError(#"{"texts":\#(count),"analyze_cpu_seconds":\#(analyzing),"detect_cpu_seconds":\#(detecting)}"#)
                }
            }
            if let text { return one(text, post: nil) }
            var lineNumber = 0
            var failed = false
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                if line.hasPrefix("{") {
                    do {
                        let post = try Post.fromNative(try JSONParser.parse(line))
                        one(post.text, post: post)
                    } catch {
                        printError("stdin:\(lineNumber): \(error)")
                        failed = true
                    }
                } else {
                    one(line, post: nil)
                }
            }
            if failed { throw ExitCode(3) }
        }
    }
}
