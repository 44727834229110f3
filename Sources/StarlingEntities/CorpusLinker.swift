// Corpus mode: decisions that learn from the whole input. For each entity, the posts naming it (by alias or
// signal) are split into "about the entity" and "another sense" by expectation–maximisation over a two-class
// naive Bayes model of their context words:
//   - posts with an unambiguous signal are fixed as about the entity, and teach which words go with it;
//   - the description and keywords add pseudo-counts to the entity's side, so even without signals it has a seed;
//   - the "other" side starts from the word distribution of the rest of the input (ordinary language: the posts
//     not naming the entity), then absorbs what the remaining posts of the alias share (the other senses);
//   - the share of the alias's posts that are about the entity is estimated along the way (the prior);
//   - besides the context words, each occurrence contributes how the alias is written (`~cap`, `~low`, ...,
//     counted `caseFeatureCount` times; `^venue`, inside a check-in's venue name, once), the words right beside it
//     (`<time`, `>cable`) and the post's language (`lang:es`), so the model learns per entity whether capitals,
//     collocations or a language go with it.
// The EM's posteriors saturate near 0 or 1, so the final confidence starts from their mix with the catalogue-only
// confidence and is then smoothed over the alias's posts: each post moves towards the mean confidence of the posts
// most like it (cosine of idf-weighted features), since posts sharing rare words usually share the sense. Where the
// EM's posteriors do not correlate with the catalogue-only confidences, the EM found another split of the alias's
// posts than "the entity or not", and it is set aside for that entity.
// Only compact feature ids are kept per candidate post, never the posts themselves.
import Foundation
import StarlingAnalysis
import StarlingModel

/// The decisions for one post.
public struct LabelledPost: Sendable, Equatable {
    /// The post id.
    public var id: String
    /// Mentions at or above the threshold (all when asked), most confident first.
    public var mentions: [EntityMention]

    /// The decisions `mentions` for post `id`.
    public init(id: String, mentions: [EntityMention]) {
        self.id = id
        self.mentions = mentions
    }
}

/// What corpus mode did for one entity: how many posts named it, how many it was decided for, and whether the
/// learnt profile was used.
public struct CorpusEntitySummary: Sendable, Equatable {
    /// The entity's id and display name.
    public var entityID: String
    public var name: String
    /// Posts naming the entity (by alias or signal), and those with an unambiguous signal.
    public var posts: Int
    public var signals: Int
    /// Posts decided to be about it (confidence at or above the threshold).
    public var labelled: Int
    /// The EM's estimate of the share of the alias's posts about the entity.
    public var estimatedShare: Double
    /// Correlation of the EM's posteriors with the catalogue-only confidences (nil: too few posts to say).
    public var agreement: Double?
    /// Whether the learnt profile took part (false: set aside for disagreeing with the catalogue, or because the
    /// input is narrow).
    public var profileUsed: Bool
    /// Whether the posts naming the entity are more than `narrowInputShare` of the input (then the profile is set
    /// aside whatever the agreement).
    public var narrowInput: Bool = false
}

/// A phrase around an entity's name, and what corpus mode decided for the posts holding it.
public struct PhraseSuggestion: Sendable, Equatable {
    /// The phrase, as match keys (folded, accents stripped): what `excluded_phrases` or `aliases` would hold.
    public var phrase: String
    /// Posts holding it (identical contexts, copies, counted once).
    public var posts: Int
    /// Of those, the posts decided about the entity (confidence at or above the threshold).
    public var about: Int
    /// Their mean confidence.
    public var meanConfidence: Double
    /// Ids of the first few of them (at most `CorpusLinker.suggestionExamples`), in input order, to look at.
    public var examples: [String] = []
}

/// Catalogue edits corpus mode suggests for one entity, for a person to review: the phrases around its name whose
/// posts were nearly all decided one way. They mirror the decisions, errors included; they are not applied.
public struct EntitySuggestions: Sendable, Equatable {
    /// The entity's id and display name.
    public var entityID: String
    public var name: String
    /// Phrases whose posts were nearly all decided not about it (`kurt warner`, `delta tau delta`): candidates for
    /// `excluded_phrases`.
    public var exclusions: [PhraseSuggestion]
    /// Phrases whose posts were nearly all decided about it (`warner bros studio`, `amazon prime`): candidates for
    /// `aliases` or `keywords`.
    public var keywords: [PhraseSuggestion]
}

extension EntitySuggestions {
    /// As `starling entities --suggest --json` prints it and `GET /v1/entities/suggestions` returns it.
    public var json: JSONValue {
        func phrase(_ p: PhraseSuggestion) -> JSONValue {
            .object([("phrase", .string(p.phrase)), ("posts", .int(Int64(p.posts))), ("about", .int(Int64(p.about))),
                     ("mean_confidence", .double((p.meanConfidence * 1000).rounded() / 1000)),
                     ("examples", .array(p.examples.map { .string($0) }))])
        }
        return .object([("id", .string(entityID)), ("name", .string(name)),
                        ("excluded_phrases", .array(exclusions.map(phrase))), ("keywords", .array(keywords.map(phrase)))])
    }
}

/// Collects a corpus, then decides every post with profiles learnt from all of it. Single-threaded.
public final class CorpusLinker {
    /// After `finish`: one summary per entity some post named, in catalogue order.
    public private(set) var summaries: [CorpusEntitySummary] = []
    /// After `finish`: per entity some post named, the phrases around its name whose posts were nearly all decided
    /// one way (see `suggest`), in catalogue order.
    public private(set) var suggestions: [EntitySuggestions] = []
    /// The catalogue and settings.
    public let linker: EntityLinker
    private var ids: [String] = []
    private var records: [Record] = []
    private var featureIDs: [String: Int32] = [:]
    private var featureNames: [String] = []
    private var documentFrequency: [Double] = []
    private var documents = 0.0

    private struct Candidate {
        var candidate: EntityCandidate
        var shape: [Int32]
        var catalogueLogOdds: Double
        var catalogueEvidence: [String]
    }

    private struct Record {
        var post: Int
        var features: [Int32]
        var candidates: [Candidate]
    }

    /// Analysers for `add(id:text:links:)`, one per worker thread.
    private let analyzers: [Analyzer]
    /// Posts given as text and not analysed yet (analysed together, in order, on the analysers' threads).
    private var pending: [(id: String, text: String, links: [PostURL])] = []
    /// Posts analysed per batch of `add(id:text:links:)`.
    static let batchSize = 4_096

    /// A corpus linker deciding with `linker`'s catalogue and settings; `analyzers` (one per thread) let it analyse
    /// the posts given as text on several cores.
    public init(linker: EntityLinker, analyzers: [Analyzer] = []) {
        self.linker = linker
        self.analyzers = analyzers
    }

    /// Number of posts added.
    public var count: Int { ids.count + pending.count }

    private func intern(_ f: String) -> Int32 {
        if let id = featureIDs[f] { return id }
        let id = Int32(featureNames.count)
        featureIDs[f] = id
        featureNames.append(f)
        documentFrequency.append(0)
        return id
    }

    /// Adds one analysed post. Posts without any candidate cost only their id.
    ///
    /// - Complexity: O(t) for t tokens.
    public func add(id: String, analysis: Analysis) {
        analysePending()  // keeps the input order when both ways are mixed
        add(id: id, candidates: linker.matcher.candidates(in: analysis))
    }

    /// Adds one post by its text: posts are analysed in batches, on one thread per analyser given at `init` (at
    /// least one), and taken in the order given, so the decisions are those of adding them one by one.
    public func add(id: String, text: String, links: [PostURL] = []) {
        precondition(!analyzers.isEmpty, "CorpusLinker(linker:analyzers:) needs an analyser to add posts by text")
        pending.append((id, text, links))
        if pending.count >= Self.batchSize { analysePending() }
    }

    /// Analyses the pending posts on the analysers' threads, then adds them in order.
    ///
    /// - Complexity: O(t / a) time on a analysers for t tokens, then O(t) on this thread.
    private func analysePending() {
        guard !pending.isEmpty else { return }
        let posts = pending
        pending.removeAll(keepingCapacity: true)
        let workers = min(analyzers.count, max(1, posts.count / 64))
        let chunk = (posts.count + workers - 1) / workers
        let slots = WorkerSlots<PostCandidates>(count: posts.count)
        let matcher = linker.matcher
        let shared = AnalyzerBox(analyzers)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let analyzer = shared.analyzers[w]
            for i in (w * chunk)..<min(posts.count, (w + 1) * chunk) {
                slots.set(i, matcher.candidates(in: analyzer.analyze(posts[i].text, links: posts[i].links)))
            }
        }
        for (i, post) in posts.enumerated() { add(id: post.id, candidates: slots.take(i)!) }
    }

    /// Adds one post whose candidates (with their context features) were found already, perhaps on another thread:
    /// `linker.matcher.candidates(in:)` of its analysis.
    private func add(id: String, candidates post: PostCandidates) {
        let index = ids.count
        ids.append(id)
        var fids: [Int32] = []
        fids.reserveCapacity(post.features.count)
        for f in post.features {
            let i = intern(f)
            documentFrequency[Int(i)] += 1
            fids.append(i)
        }
        documents += 1
        guard !post.candidates.isEmpty else { return }
        let candidates = post.candidates.map { c -> Candidate in
            let (z, why) = linker.catalogueScore(c, context: linker.matcher.context(post, candidate: c))
            return Candidate(candidate: c, shape: c.shape.map(intern), catalogueLogOdds: z, catalogueEvidence: why)
        }
        records.append(Record(post: index, features: fids, candidates: candidates))
    }

    /// Decides every post added, in input order. Returns mentions at or above the threshold (all when `all`).
    ///
    /// - Complexity: O(i · m) for i iterations and m feature occurrences in candidate posts.
    public func finish(all: Bool = false) -> [LabelledPost] {
        analysePending()
        var out = ids.map { LabelledPost(id: $0, mentions: []) }
        summaries = []
        suggestions = []
        // Documents of each entity: (record, candidate) pairs.
        var byEntity: [Int: [(Int, Int)]] = [:]
        for (ri, r) in records.enumerated() {
            for (ci, c) in r.candidates.enumerated() { byEntity[c.candidate.entity, default: []].append((ri, ci)) }
        }
        let backgroundTotal = documentFrequency.reduce(0, +)
        let settings = linker.settings
        for (entity, docs) in byEntity.sorted(by: { $0.key < $1.key }) {
            let compiled = linker.matcher.entities[entity]
            let threshold = linker.threshold(entity)
            // Each post's context: its features without its own alias words as matched there.
            let context: [[Int32]] = docs.map { ri, ci in
                let own = Set(records[ri].candidates[ci].candidate.matchedFeatures.compactMap { featureIDs[$0] })
                return records[ri].features.filter { !own.contains($0) }
            }
            let profile = compiled.profile.map(intern)
            let x: [[Int32]] = docs.enumerated().map { k, d in
                // Context words once; case features (`~cap`, ...) `caseFeatureCount` times; neighbours and language once.
                var f = context[k]
                for s in records[d.0].candidates[d.1].shape {
                    f += repeatElement(s, count: featureNames[Int(s)].hasPrefix("~") ? max(1, settings.caseFeatureCount) : 1)
                }
                return f
            }
            let clamped: [Double?] = docs.map { ri, ci in
                let s = records[ri].candidates[ci].candidate.signal
                return s > 0 ? s : nil
            }
            var r: [Double] = docs.enumerated().map { k, d in
                clamped[k] ?? EntityLinker.sigmoid(records[d.0].candidates[d.1].catalogueLogOdds)
            }
            // Copies (retweets, bots) would otherwise outvote everything: identical contexts share one vote.
            var copies: [[Int32]: Double] = [:]
            for words in x { copies[words.sorted(), default: 0] += 1 }
            let weight = x.map { 1 / (copies[$0.sorted()] ?? 1) }
            let y = x
            let alpha = settings.additive
            let mass = y.enumerated().reduce(0.0) { $0 + weight[$1.offset] * Double($1.element.count) }
            let muO = settings.backgroundWeight * mass
            // The smoothing's weight in both sides' totals scales with the alias's posts, not with the input's
            // vocabulary: the same posts are decided alike inside a small or a large corpus.
            let smoothingMass = settings.smoothingShare * mass
            // Ordinary language is what the rest of the input says: the posts naming the entity leave the
            // background, so words that come with the name (either sense) do not count as ordinary for it.
            var own: [Int32: Double] = [:]
            var ownTotal = 0.0
            var namingPosts = Set<Int>()
            for (ri, _) in docs where namingPosts.insert(ri).inserted {
                for f in records[ri].features { own[f, default: 0] += 1 }
                ownTotal += Double(records[ri].features.count)
            }
            let rest = backgroundTotal - ownTotal
            var logRatio: [Int32: Double] = [:]
            var prior = 0.0
            for _ in 0..<max(1, settings.iterations) {
                // M-step: word distributions of both sides and the share of the entity.
                var ne: [Int32: Double] = [:], no: [Int32: Double] = [:]
                var te = 0.0, to = 0.0, re = 0.0, total = 0.0
                for (k, words) in y.enumerated() {
                    let w = weight[k]
                    for f in words {
                        ne[f, default: 0] += w * r[k]
                        no[f, default: 0] += w * (1 - r[k])
                    }
                    te += w * r[k] * Double(words.count)
                    to += w * (1 - r[k]) * Double(words.count)
                    re += w * r[k]
                    total += w
                }
                for f in profile { ne[f, default: 0] += settings.profilePseudoCount; te += settings.profilePseudoCount }
                let share = min(0.98, max(0.02, (re + 1) / (total + 2)))
                prior = log(share / (1 - share))
                logRatio.removeAll(keepingCapacity: true)
                for f in Set(ne.keys).union(no.keys) {
                    // "Other" leans on ordinary language (the rest of the input); the entity's side only on its posts.
                    let b = rest > 0 ? max(0, documentFrequency[Int(f)] - (own[f] ?? 0)) / rest : 0
                    let pe = ((ne[f] ?? 0) + alpha) / (te + smoothingMass)
                    let po = ((no[f] ?? 0) + muO * b + alpha) / (to + muO + smoothingMass)
                    logRatio[f] = log(pe / po)
                }
                // E-step: posteriors of the posts without a signal.
                for k in y.indices where clamped[k] == nil {
                    var s = prior
                    for f in y[k] { s += logRatio[f] ?? 0 }
                    r[k] = EntityLinker.sigmoid(s)
                }
            }
            let signals = clamped.compactMap { $0 }.count
            // Start from the EM's posterior mixed with the catalogue-only confidence, then let similar posts pull
            // each other together; signals stay as they are.
            let catalogue = docs.map { EntityLinker.sigmoid(records[$0.0].candidates[$0.1].catalogueLogOdds) }
            let agreement = Self.correlation(docs.indices.filter { clamped[$0] == nil }.map { (r[$0], catalogue[$0]) })
            // An input made mostly of this alias's posts (a stream filtered on the word) has no ordinary language
            // to tell the other senses by: the EM's "other" side would start from the alias's own posts.
            let narrow = Double(docs.count) > settings.narrowInputShare * documents
            // Agreement undefined (fewer than three posts, or one side constant): nothing says the EM went astray.
            let corpusWeight = (agreement ?? 1) > settings.corpusAgreement && !narrow ? settings.corpusWeight : 0
            let start = docs.indices.map { k in
                clamped[k] ?? corpusWeight * r[k] + (1 - corpusWeight) * catalogue[k]
            }
            // Similarity from the context words and the alias's neighbours (`<time`), not from linked domains
            // (`d:bit.ly` says which shortener a poster uses, not what the post is about).
            let vectors = Self.similarityVectors(docs.enumerated().map { k, d in
                context[k].filter { !featureNames[Int($0)].hasPrefix("d:") }
                    + records[d.0].candidates[d.1].shape.filter { featureNames[Int($0)].first.map { "<>".contains($0) } ?? false }
            })
            var (confidence, neighbours) = Self.propagate(start, fixed: clamped.map { $0 != nil }, vectors: vectors,
                                                          beta: settings.propagation, rounds: settings.propagationRounds)
            // The catalogue's keywords and negative keywords are the writer's own word, and so is a fuller name than
            // the ambiguous word (`warner bros`, `apple inc`): a post they decide keeps at least (at most) its
            // catalogue-only confidence, whatever the unlabelled corpus suggests.
            let keywordIDs = Set(compiled.keywords.compactMap { featureIDs[$0] })
            let negativeIDs = Set(compiled.negative.compactMap { featureIDs[$0] })
            var held = [Bool](repeating: false, count: docs.count)
            for k in docs.indices where clamped[k] == nil {
                if records[docs[k].0].candidates[docs[k].1].candidate.excludedBy != nil {
                    // Named only inside an excluded phrase (`big apple`): another thing, whatever the corpus says.
                    // The post still took part in learning as any other (fixing it there moved the decisions of
                    // unrelated posts: on the 211k real posts Apple's labels fell from 96 to 70, mostly right ones).
                    confidence[k] = 0
                } else if context[k].contains(where: negativeIDs.contains) {
                    held[k] = confidence[k] > catalogue[k]
                    confidence[k] = min(confidence[k], catalogue[k])
                } else if records[docs[k].0].candidates[docs[k].1].candidate.specificAlias
                            || context[k].contains(where: keywordIDs.contains) {
                    held[k] = confidence[k] < catalogue[k]
                    confidence[k] = max(confidence[k], catalogue[k])
                }
            }
            suggestions.append(Self.suggest(compiled, phrases: docs.map { records[$0.0].candidates[$0.1].candidate.phrases },
                                            confidence: confidence, copyKeys: x.map { $0.sorted() },
                                            ids: docs.map { ids[records[$0.0].post] }, threshold: threshold))
            summaries.append(CorpusEntitySummary(
                entityID: compiled.entity.id, name: compiled.entity.name, posts: docs.count, signals: signals,
                labelled: confidence.filter { $0 >= threshold }.count,
                estimatedShare: EntityLinker.sigmoid(prior), agreement: agreement, profileUsed: corpusWeight > 0,
                narrowInput: narrow))
            for (k, (ri, ci)) in docs.enumerated() {
                let c = records[ri].candidates[ci]
                guard all || confidence[k] >= threshold else { continue }
                var evidence = c.candidate.evidence
                if let phrase = c.candidate.excludedBy, c.candidate.signal == 0 {
                    evidence.append("inside the excluded phrase '\(phrase)'")
                }
                if clamped[k] == nil {
                    var seen = Set<Int32>()
                    let top = y[k].filter { (logRatio[$0] ?? 0) > 0.5 && seen.insert($0).inserted }
                        .sorted { (logRatio[$0] ?? 0) > (logRatio[$1] ?? 0) }.prefix(4).map { featureNames[Int($0)] }
                    if !top.isEmpty { evidence.append("learnt context: " + top.joined(separator: ", ")) }
                    evidence += c.catalogueEvidence
                    let similar = neighbours[k].map { String(format: "%.2f", $0) } ?? "none"
                    evidence.append(String(format: "corpus posterior %.2f, catalogue %.2f, ", r[k], catalogue[k])
                                    + "similar posts \(similar)")
                    if held[k] {
                        evidence.append("a catalogue keyword or the full name holds the catalogue-only confidence")
                    }
                }
                evidence.append(String(format: "corpus profile from %d posts (%d with signals), estimated share %.2f",
                                       docs.count, signals, EntityLinker.sigmoid(prior))
                                + (agreement.map { String(format: ", agreement with the catalogue %.2f", $0) } ?? "")
                                + (corpusWeight > 0 ? "" : narrow ? " (set aside: the input is mostly posts naming it)" : " (set aside)"))
                out[records[ri].post].mentions.append(linker.mention(c.candidate, confidence: confidence[k], evidence: evidence))
            }
        }
        for i in out.indices where out[i].mentions.count > 1 { out[i].mentions.sort { $0.confidence > $1.confidence } }
        return out
    }

    /// Smallest number of posts (copies counted once) a suggested phrase must hold.
    public static let suggestionMinimumPosts = 3
    /// Share of a suggested phrase's posts that must have been decided the same way.
    public static let suggestionAgreement = 0.8
    /// Suggestions kept per entity and kind.
    public static let suggestionLimit = 10
    /// Example post ids kept per suggestion.
    public static let suggestionExamples = 3

    /// The phrases around an entity's name (`EntityCandidate.phrases`) held by at least `suggestionMinimumPosts`
    /// posts, `suggestionAgreement` of them decided the same way: exclusions when not about it, keywords when about
    /// it. Phrases that are an alias, or hold an alias of more words or an excluded phrase, say nothing new and are
    /// left out, and so is a phrase holding one already suggested. Most posts first, then alphabetical.
    static func suggest(_ entity: CompiledEntity, phrases: [[String]], confidence: [Double], copyKeys: [[Int32]],
                        ids: [String], threshold: Double) -> EntitySuggestions {
        var byPhrase: [String: [[Int32]: Double]] = [:]
        var examples: [String: [String]] = [:]
        for (k, list) in phrases.enumerated() {
            for p in list where byPhrase[p]?[copyKeys[k]] == nil {
                byPhrase[p, default: [:]][copyKeys[k]] = confidence[k]
                if examples[p, default: []].count < suggestionExamples { examples[p, default: []].append(ids[k]) }
            }
        }
        func holds(_ phrase: String, _ part: String) -> Bool { (" " + phrase + " ").contains(" " + part + " ") }
        let known = entity.excludedSequences.map { $0.joined(separator: " ") }
            + entity.aliasSequences.filter { $0.count > 1 }.map { $0.joined(separator: " ") }
        let aliases = Set(entity.aliasSequences.map { $0.joined(separator: " ") })
        var exclusions: [PhraseSuggestion] = [], keywords: [PhraseSuggestion] = []
        for (phrase, posts) in byPhrase where posts.count >= suggestionMinimumPosts && !aliases.contains(phrase)
            && !known.contains(where: { holds(phrase, $0) }) {
            let about = posts.values.filter { $0 >= threshold }.count
            let s = PhraseSuggestion(phrase: phrase, posts: posts.count, about: about,
                                     meanConfidence: posts.values.reduce(0, +) / Double(posts.count),
                                     examples: examples[phrase] ?? [])
            if Double(posts.count - about) >= suggestionAgreement * Double(posts.count) { exclusions.append(s) }
            else if Double(about) >= suggestionAgreement * Double(posts.count) { keywords.append(s) }
        }
        func ranked(_ list: [PhraseSuggestion]) -> [PhraseSuggestion] {
            var kept: [PhraseSuggestion] = []
            // Shorter phrases first among equals, so `kurt warner` is kept and `kurt warner to` then left out.
            for s in list.sorted(by: { ($0.posts, -$0.phrase.count, $1.phrase) > ($1.posts, -$1.phrase.count, $0.phrase) })
            where !kept.contains(where: { holds(s.phrase, $0.phrase) }) {
                kept.append(s)
                if kept.count == suggestionLimit { break }
            }
            return kept
        }
        return EntitySuggestions(entityID: entity.entity.id, name: entity.entity.name,
                                 exclusions: ranked(exclusions), keywords: ranked(keywords))
    }

    /// Pearson's correlation of the pairs; nil when either side is constant or there are fewer than three.
    static func correlation(_ pairs: [(Double, Double)]) -> Double? {
        guard pairs.count > 2 else { return nil }
        let n = Double(pairs.count)
        let mx = pairs.reduce(0) { $0 + $1.0 } / n, my = pairs.reduce(0) { $0 + $1.1 } / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (x, y) in pairs {
            sxy += (x - mx) * (y - my)
            sxx += (x - mx) * (x - mx)
            syy += (y - my) * (y - my)
        }
        return sxx > 1e-12 && syy > 1e-12 ? sxy / (sxx * syy).squareRoot() : nil
    }

    /// Unit vectors of the posts' features weighted by their idf among these posts: log((n + 1) / df) for n posts.
    /// A feature in one post only links nothing and is left out.
    static func similarityVectors(_ posts: [[Int32]]) -> [[(feature: Int32, weight: Double)]] {
        let sets = posts.map { Set($0).sorted() }  // sorted: the same sums, bit for bit, on every run
        var df: [Int32: Double] = [:]
        for s in sets { for f in s { df[f, default: 0] += 1 } }
        let n = Double(posts.count)
        return sets.map { s in
            var v: [(feature: Int32, weight: Double)] = []
            for f in s { if let d = df[f], d > 1 { v.append((f, log((n + 1) / d))) } }
            let norm = sqrt(v.reduce(0) { $0 + $1.weight * $1.weight })
            return norm > 0 ? v.map { ($0.feature, $0.weight / norm) } : []
        }
    }

    /// Moves each post's confidence towards the mean confidence of the other posts weighted by cosine similarity,
    /// `rounds` times: c ← (1 − β) · start + β · Σ_j cos(i, j) · c_j / Σ_j cos(i, j), with `vectors` the posts'
    /// unit vectors. The sums over posts go through the features (Σ_j cos(i, j) c_j = Σ_f x_if Σ_j x_jf c_j), so a
    /// round costs one pass over the posts' features, not a pass over pairs. Posts marked `fixed` keep their
    /// confidence; a post sharing no feature with another keeps its start. Returns the confidences and, per post,
    /// the neighbours' weighted mean in the last round (nil: no neighbour).
    ///
    /// - Complexity: O(r · m) for r rounds and m feature occurrences.
    static func propagate(_ start: [Double], fixed: [Bool], vectors: [[(feature: Int32, weight: Double)]],
                          beta: Double, rounds: Int) -> (confidence: [Double], neighbours: [Double?]) {
        var neighbours = [Double?](repeating: nil, count: start.count)
        let beta = min(1, max(0, beta))
        guard beta > 0, start.count > 1 else { return (start, neighbours) }
        var mass: [Int32: Double] = [:]
        for v in vectors { for (f, x) in v { mass[f, default: 0] += x } }
        var c = start
        for _ in 0..<max(1, rounds) {
            var sum: [Int32: Double] = [:]
            for (k, v) in vectors.enumerated() { for (f, x) in v { sum[f, default: 0] += x * c[k] } }
            var next = c
            for (k, v) in vectors.enumerated() {
                var num = 0.0, den = 0.0
                for (f, x) in v {
                    num += x * ((sum[f] ?? 0) - x * c[k])
                    den += x * ((mass[f] ?? 0) - x)
                }
                guard den > 1e-9 else { continue }
                neighbours[k] = num / den
                if !fixed[k] { next[k] = (1 - beta) * start[k] + beta * num / den }
            }
            c = next
        }
        return (c, neighbours)
    }
}
