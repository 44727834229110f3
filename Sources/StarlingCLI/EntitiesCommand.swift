// `starling entities`: label a whole corpus with catalogued entities. The input is read completely first, so the
// corpus-learnt profiles (CorpusLinker) see every post before any is decided; only compact features are kept.
import ArgumentParser
import Foundation
import StarlingAnalysis
import StarlingEntities
import StarlingIndex
import StarlingModel

struct EntitiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entities",
        abstract: "Label native NDJSON posts (stdin), or an index's posts, with the catalogued entities they are about.",
        discussion: """
            Writes one JSON object per post: {"id": ..., "entities": [{"id", "confidence", "surface"}]}. \
            By default the whole input is read first and each entity's context profile is learnt from it \
            (posts with an unambiguous signal teach the entity's words); --catalog-only decides each post alone, \
            streaming, as indexing does. Without --catalog, every catalogue in analyzers/entities/ is used. \
            In corpus mode a line per entity on stderr says how many posts named it, how many were decided to be \
            about it, and whether the learnt profile took part (--quiet: none).

            With --index DIR, the posts stored in that index are decided instead, all together in corpus mode, and \
            their entity terms (what entity:ID and the entity facet use) are rewritten where the decision changed: \
            indexing decides each post alone, from the catalogue only. Run it after a large import; posts added \
            later are again decided alone until the next run. Prints a summary (--json: as JSON) instead of labels.

            With --suggest (stdin, or the posts of --index DIR, which is then only read), corpus mode's decisions \
            are turned into catalogue edits to review instead of labels: per entity, the phrases around its name (in \
            at least 3 posts, copies counted once) whose posts were nearly all (80 %) decided not about it, \
            candidates for excluded_phrases ("kurt warner", "delta tau delta"), and those nearly all decided about \
            it, candidates for aliases or keywords, each with up to 3 example post ids. They mirror the decisions, \
            errors included: read them before adding any.
            """
    )

    @Option(name: .customLong("catalog"), help: ArgumentHelp("A YAML entity catalogue (repeatable).", valueName: "FILE"))
    var catalogs: [String] = []

    @Option(help: "Report entities with at least this confidence (0...1), every entity alike (default: each entity's catalogue threshold, else 0.5).")
    var threshold: Double?

    @Flag(help: "Decide each post from the catalogue alone (streaming; no corpus-learnt profile).")
    var catalogOnly = false

    @Flag(help: "Add name, offsets and evidence to each entity.")
    var evidence = false

    @Flag(help: "JSON output (the default: this command always writes NDJSON).")
    var json = false

    @Flag(help: "No per-entity summary on stderr.")
    var quiet = false

    @Flag(help: "Instead of labels, suggest excluded phrases and keywords from the corpus-mode decisions (--json: as JSON).")
    var suggest = false

    @Option(name: .customLong("index"), help: ArgumentHelp(
        "Relabel the posts stored in this index (corpus mode) instead of reading stdin (with --suggest: only read them).",
        valueName: "DIR"))
    var indexPath: String?

    func validate() throws {
        if let threshold, !(0...1).contains(threshold) { throw ValidationError("--threshold must be between 0 and 1") }
        if indexPath != nil && catalogOnly {
            throw ValidationError("--index relabels with corpus-learnt profiles; catalogue-only decisions are what indexing already made")
        }
        if suggest && catalogOnly { throw ValidationError("--suggest learns from the whole input: it cannot be used with --catalog-only") }
        if suggest && evidence { throw ValidationError("--evidence applies to labels; --suggest prints phrases (each with example post ids)") }
        if indexPath != nil && evidence { throw ValidationError("--evidence applies to labels on stdout, not to --index") }
    }

    func run() throws {
        try reportingErrors {
            var catalog = EntityCatalog(entities: [])
            if catalogs.isEmpty {
                if let folder = AnalyzerConfiguration.locateAnalyzersFolder()?.appendingPathComponent("entities") {
                    catalog = try EntityCatalog.load(folder: folder)
                }
            } else {
                for file in catalogs {
                    try catalog.merge(EntityCatalog.load(contentsOf: URL(fileURLWithPath: file)), file: file)
                }
            }
            guard !catalog.isEmpty else { throw CommandFailure(message: "no entity catalogue (give --catalog FILE)") }
            var settings = DisambiguationSettings()
            if let threshold {
                settings.threshold = threshold
                settings.thresholdOverridesCatalogue = true
            }
            let analyzer = try Analyzer()
            let linker = EntityLinker(catalog: catalog, analyzer: analyzer, settings: settings)
            if let indexPath, suggest {
                let decided = try IndexMaintenance.decideEntities(path: indexPath, linker: linker, onIssue: printError)
                writeSuggestions(decided.suggestions, summaries: decided.entities, settings: settings)
                return
            }
            if let indexPath {
                try relabel(indexPath, linker: linker, settings: settings)
                return
            }
            // Corpus mode analyses batches of posts on every core (the decisions are those of one thread).
            let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
            let corpus = catalogOnly ? nil
                : CorpusLinker(linker: linker, analyzers: [analyzer] + (try (1..<cores).map { _ in try Analyzer() }))

            var lineNumber = 0
            var failed = false
            while let line = readLine(strippingNewline: true) {
                lineNumber += 1
                if line.allSatisfy(\.isWhitespace) { continue }
                let post: Post
                do {
                    post = try Post.fromNative(JSONParser.parse(line))
                } catch {
                    printError("stdin:\(lineNumber): \(error)")
                    failed = true
                    continue
                }
                if let corpus {
                    corpus.add(id: post.id, text: post.text, links: post.urls)
                } else {
                    write(LabelledPost(id: post.id, mentions: linker.link(analyzer.analyze(post.text, links: post.urls))))
                }
            }
            if let corpus, suggest {
                _ = corpus.finish()
                writeSuggestions(corpus.suggestions, summaries: corpus.summaries, settings: settings)
            } else if let corpus {
                for labelled in corpus.finish() { write(labelled) }
                if !quiet { for s in corpus.summaries { printError(Self.describe(s, settings: settings)) } }
            }
            if failed { throw ExitCode(3) }
        }
    }

    /// `--index`: decides the index's stored posts in corpus mode and rewrites their entity terms.
    private func relabel(_ path: String, linker: EntityLinker, settings: DisambiguationSettings) throws {
        let s: EntityRelabelSummary
        do {
            let showProgress = stderrIsTerminal && !quiet
            s = try IndexMaintenance.relabelEntities(
                path: path, linker: linker,
                onIssue: {
                    if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                    printError($0)
                },
                onProgress: { read, last in
                    if showProgress {
                        FileHandle.standardError.write(Data("\r\u{1B}[Kreading stored posts: \(read)/\(last)".utf8))
                    }
                })
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        } catch IndexError.locked(let locked) {
            throw CommandFailure(message: IndexError.locked(path: locked).description
                + "; if it is a running `starling serve`, ask it instead: POST /v1/entities/relabel (admin key)")
        }
        if !quiet { for e in s.entities { printError(Self.describe(e, settings: settings)) } }
        if json {
            guard case .object(let fields) = s.json else { return }
            emit(JSONValue.object([("index", .string(path))] + fields).jsonText)
        } else {
            let counts = Set(s.before.keys).union(s.after.keys).sorted().map { "\($0) \(s.before[$0] ?? 0) -> \(s.after[$0] ?? 0)" }.joined(separator: ", ")
            printError("relabelled \(path): \(s.posts) stored posts decided together in "
                + String(format: "%.1f", s.seconds) + " s; \(s.changedPosts) posts changed (+\(s.added) / -\(s.removed) "
                + "entity terms)" + (counts.isEmpty ? "" : "; posts per entity: \(counts)")
                + (s.unreadable > 0 ? "; \(s.unreadable) stored posts could not be read back (above) and kept their terms" : ""))
        }
        if s.unreadable > 0 { throw ExitCode(3) }
    }

    /// One line of the stderr summary: what corpus mode decided for an entity, and from what.
    static func describe(_ s: CorpusEntitySummary, settings: DisambiguationSettings) -> String {
        var line = "\(s.entityID) (\(s.name)): \(s.posts) posts name it (\(s.signals) with signals), "
            + "\(s.labelled) about it; "
        let agreement = s.agreement.map { String(format: "%.2f", $0) } ?? "n/a"
        if s.profileUsed {
            line += String(format: "profile learnt from the corpus (estimated share %.2f, ", s.estimatedShare)
                + "agreement with the catalogue \(agreement))"
        } else if s.narrowInput {
            line += "the learnt profile was set aside (the input is mostly posts naming it, no ordinary language to "
                + "learn the other senses from): decided from the catalogue and similar posts"
        } else {
            line += "the learnt profile was set aside (agreement with the catalogue \(agreement) ≤ "
                + String(format: "%.2f", settings.corpusAgreement) + "): decided from the catalogue and similar posts"
        }
        return line
    }

    /// `--suggest`: the per-entity summary on stderr (unless --quiet), the suggestions on stdout.
    private func writeSuggestions(_ suggestions: [EntitySuggestions], summaries: [CorpusEntitySummary],
                                  settings: DisambiguationSettings) {
        if !quiet { for s in summaries { printError(Self.describe(s, settings: settings)) } }
        for s in suggestions { emit(json ? s.json.jsonText : Self.describe(s)) }
    }

    /// `--suggest`, as text: the entity, then one line per suggested phrase.
    static func describe(_ s: EntitySuggestions) -> String {
        func line(_ p: PhraseSuggestion) -> String {
            "    \(p.phrase)  (\(p.posts) posts, \(p.about) decided about it, mean confidence "
                + String(format: "%.2f", p.meanConfidence) + "; e.g. " + p.examples.joined(separator: ", ") + ")"
        }
        var out = ["\(s.entityID) (\(s.name)):"]
        out.append("  excluded_phrases to consider (posts nearly all decided not about it):"
                   + (s.exclusions.isEmpty ? " none" : ""))
        out += s.exclusions.map(line)
        out.append("  aliases or keywords to consider (posts nearly all decided about it):" + (s.keywords.isEmpty ? " none" : ""))
        out += s.keywords.map(line)
        return out.joined(separator: "\n")
    }

    private func write(_ p: LabelledPost) {
        let entities = JSONValue.array(p.mentions.map { $0.json(detailed: evidence) })
        emit(JSONValue.object([("id", .string(p.id)), ("entities", entities)]).jsonText)
    }
}
