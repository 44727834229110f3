// analysis-bench: measures Starling's analyser on the shared corpora, on one core.
//
//   analysis-bench throughput FILE [--seconds S] [--dump OUT]
//                                                   posts/s of Analyzer.analyze, of entity extraction alone and of
//                                                   URL extraction alone; OUT gets each post's URLs (JSON lines)
//   analysis-bench hashtags FILE [--dump OUT]       one-case hashtag segmentation: accuracy against the corpora's
//                  [--model WORDS.tsv]              CamelCase hashtags lower-cased, over a fixed dev half, a test
//                  [--unknown-penalty X]            half and all, and hashtags/s; --model and the knobs override
//                  [--word-penalty X] [--beta X]    the standard model and the segmenter's defaults (for trying
//                  [--hashtag-weight X]             values: try them with --only dev, so the test half stays unseen)
//                  [--boundary-beta X] [--only dev]
//
// FILE is native NDJSON (tools/bench/build_corpus.py's real.jsonl). Posts are read and decoded before timing starts;
// each measurement repeats the whole set until S seconds (default 3) of the thread's CPU time have passed and
// reports the rate per CPU second (one core, unaffected by other load on the machine). Output is
// one JSON object, so tools/analysis-bench/run.py can put it beside the Python peers.
import Foundation
import StarlingAnalysis
import StarlingModel

struct Options {
    var command = ""
    var file = ""
    var seconds = 3.0
    var dump: String?
    /// Overrides of the segmenter's knobs, for trying values (`hashtags` only).
    var unknownPenalty: Float?
    var wordPenalty: Float?
    var beta: Double?
    var hashtagWeight: Double?
    var boundaryBeta: Double?
    var model: String?
    /// Measure only this half (`dev` while tuning, so the test half stays unseen).
    var only: String?
}

func parseOptions() -> Options {
    var o = Options()
    var args = CommandLine.arguments.dropFirst()
    guard let cmd = args.popFirst(), let file = args.popFirst() else {
        FileHandle.standardError.write("usage: analysis-bench throughput|hashtags FILE [--seconds S] [--dump OUT]\n".data(using: .utf8)!)
        exit(2)
    }
    o.command = cmd
    o.file = file
    while let a = args.popFirst() {
        switch a {
        case "--seconds": o.seconds = Double(args.popFirst() ?? "") ?? 3
        case "--dump": o.dump = args.popFirst()
        case "--unknown-penalty": o.unknownPenalty = Float(args.popFirst() ?? "")
        case "--word-penalty": o.wordPenalty = Float(args.popFirst() ?? "")
        case "--beta": o.beta = Double(args.popFirst() ?? "")
        case "--model": o.model = args.popFirst()
        case "--hashtag-weight": o.hashtagWeight = Double(args.popFirst() ?? "")
        case "--boundary-beta": o.boundaryBeta = Double(args.popFirst() ?? "")
        case "--only": o.only = args.popFirst()
        default:
            FileHandle.standardError.write("unknown option \(a)\n".data(using: .utf8)!)
            exit(2)
        }
    }
    return o
}

func loadPosts(_ path: String) throws -> [Post] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    var posts = [Post]()
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
        var start = 0
        let n = raw.count
        while start < n {
            var end = start
            while end < n && raw[end] != 0x0A { end += 1 }
            if end > start {
                let line = UnsafeRawBufferPointer(rebasing: raw[start..<end])
                posts.append(try Post.fromNative(try JSONParser.parse(line)))
            }
            start = end + 1
        }
    }
    return posts
}

/// CPU time of this thread: what one core spent, whatever else runs on the machine.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Runs `body` over and over until `seconds` of this thread's CPU time have passed; returns (iterations, seconds).
func measure(seconds: Double, _ body: () -> Void) -> (Int, Double) {
    let start = threadCPUSeconds()
    var rounds = 0
    var elapsed = 0.0
    repeat {
        body()
        rounds += 1
        elapsed = threadCPUSeconds() - start
    } while elapsed < seconds
    return (rounds, elapsed)
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func throughput(_ o: Options) throws {
    let posts = try loadPosts(o.file)
    let analyzer = try Analyzer()
    let extractor = try SocialExtractor()
    let bytes = posts.reduce(0) { $0 + $1.text.utf8.count }
    var tokens = 0
    var entities = 0
    // Warm up (ICU data, tables) and count what the analyser finds.
    for p in posts {
        let a = analyzer.analyze(p.text, links: p.urls)
        tokens += a.tokens.count
        entities += a.hashtags.count + a.mentions.count + a.cashtags.count + a.urls.count + a.emoji.count
    }
    var sink = 0
    let (rounds, secs) = measure(seconds: o.seconds) {
        for p in posts { sink &+= analyzer.analyze(p.text, links: p.urls).tokens.count }
    }
    let (xRounds, xSecs) = measure(seconds: o.seconds) {
        for p in posts { sink &+= extractor.entities(in: p.text).count }
    }
    let (uRounds, uSecs) = measure(seconds: o.seconds) {
        for p in posts { sink &+= extractor.urls(in: p.text).count }
    }
    if let dump = o.dump {
        // One JSON line per post: the URLs found, for checking against a peer.
        var out = ""
        for p in posts {
            let urls = extractor.urls(in: p.text).map { ["url": $0.value, "indices": [$0.utf16Range.lowerBound, $0.utf16Range.upperBound]] as [String: Any] }
            let data = try JSONSerialization.data(withJSONObject: urls, options: [.sortedKeys, .withoutEscapingSlashes])
            out += String(decoding: data, as: UTF8.self) + "\n"
        }
        try out.write(toFile: dump, atomically: true, encoding: .utf8)
    }
    emit([
        "posts": posts.count, "bytes": bytes, "tokens": tokens, "entities": entities,
        "analyze_posts_per_s": Double(posts.count * rounds) / secs,
        "analyze_mb_per_s": Double(bytes * rounds) / secs / 1e6,
        "extract_posts_per_s": Double(posts.count * xRounds) / xSecs,
        "extract_urls_posts_per_s": Double(posts.count * uRounds) / uSecs,
        "sink": sink & 1,
    ])
}

/// Whether `body` is strict CamelCase: capitalised ASCII words only (`BlackLivesMatter`), at least two.
func isStrictCamelCase(_ body: String) -> Bool {
    var words = 0
    var previousUpper = false
    for c in body.utf8 {
        if c >= 0x41 && c <= 0x5A {
            if previousUpper { return false }  // `NASAMission`, `RNCinCLE`: capitals runs hide the boundaries
            previousUpper = true
            words += 1
        } else if c >= 0x61 && c <= 0x7A {
            if words == 0 { return false }
            previousUpper = false
        } else {
            return false
        }
    }
    return words >= 2 && !previousUpper
}

/// Which half of the ground truth a lower-cased tag belongs to: `dev` (tune on it) or `test` (report it), fixed by a
/// seeded hash of the tag (FNV-1a 64 then the splitmix64 finaliser, top bit), so every run, and the Python
/// re-implementation in tools/gen-tables/gen_wordfreq.py (`half`), puts a tag in the same half. All the case
/// variants of a tag (`GameOfThrones`, `GameofThrones`) share its lower-cased form, hence its half.
func half(_ lower: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in "starling-hashtag-split-1:\(lower)".utf8 {
        h ^= UInt64(c)
        h = h &* 0x0000_0100_0000_01b3
    }
    h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
    h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
    h ^= h >> 31
    return h >> 63 == 0 ? "dev" : "test"
}

/// The corpora's CamelCase hashtags as ground truth, lower-cased, against the one-case segmentation.
/// Two truths: `strict` (capitalised words only: `BlackLivesMatter`) and `loose` (any ASCII-letter tag that
/// HashtagWords splits in two or more, capital runs included: `NASAMission`, `RNCinCLE`, whose split is a guess).
/// Each is reported over the dev half, the test half and all (`strict_dev_exact_share`, ...; the keys without a
/// half, `strict_exact_share`, are all).
func hashtags(_ o: Options) throws {
    let posts = try loadPosts(o.file)
    let extractor = try SocialExtractor()
    // Each half is measured with a model built without that half's hashtag lines (the generator labels the words of
    // every CamelCase hashtag with its half), so no tag's own split is in the model that splits it; the rate and the
    // `*_seen_*` figures use the whole model, as `starling` loads it.
    let text = try String(contentsOfFile: o.model ?? "analyzers/hashtags/words.tsv", encoding: .utf8)
    var settings = HashtagSegmenter.ModelSettings()
    if let v = o.beta { settings.beta = v }
    if let v = o.hashtagWeight { settings.hashtagWeight = v }
    if let v = o.boundaryBeta { settings.boundaryBeta = v }
    func segmenter(excluding: String?) -> HashtagSegmenter {
        var s = settings
        s.excluding = excluding
        var m = HashtagSegmenter(text: text, settings: s)
        if let v = o.unknownPenalty { m.unknownPenalty = v }
        if let v = o.wordPenalty { m.wordPenalty = v }
        return m
    }
    let model = segmenter(excluding: nil)
    let heldOut = ["dev": segmenter(excluding: "dev"), "test": segmenter(excluding: "test")]
    var occurrences: [String: Int] = [:]  // body -> count
    for p in posts {
        for h in extractor.hashtags(in: p.text) { occurrences[h.value, default: 0] += 1 }
    }
    var result: [String: Any] = ["model_words": model.count]
    var lines = [String]()
    var allInputs = [String]()
    for strict in [true, false] {
        var truth: [(lower: String, words: [String], count: Int, half: String)] = []
        for (body, count) in occurrences {
            guard body.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else { continue }
            guard body.utf8.contains(where: { $0 >= 0x61 }) else { continue }  // all capitals: no word marks
            if strict && !isStrictCamelCase(body) { continue }
            let words = HashtagWords.split(body[...]).map { $0.lowercased() }
            guard words.count >= 2 else { continue }
            let lower = body.lowercased()
            let h = half(lower)
            if let only = o.only, only != h { continue }
            truth.append((lower, words, count, h))
        }
        truth.sort { ($0.lower, $0.words.joined(separator: " ")) < ($1.lower, $1.words.joined(separator: " ")) }
        // per half: distinct tags, exact tags, uses, exact uses
        var tally: [String: (tags: Int, exact: Int, uses: Int, exactUses: Int)] = [:]
        for t in truth {
            let got = HashtagWords.words(t.lower[...], segmenter: heldOut[t.half]!).map(String.init)
            let ok = got == t.words
            var keys = [t.half, "all"]
            if HashtagWords.words(t.lower[...], segmenter: model).map(String.init) == t.words { keys.append("seen") }
            for key in keys {
                var v = tally[key, default: (0, 0, 0, 0)]
                if key != "seen" {
                    v.tags += 1
                    v.uses += t.count
                }
                if ok || key == "seen" {
                    v.exact += 1
                    v.exactUses += t.count
                }
                tally[key] = v
            }
            if strict {
                lines.append("\(ok ? "ok" : "MISS")\t\(t.lower)\t\(t.words.joined(separator: " "))\t"
                             + "\(got.joined(separator: " "))\t\(t.count)\t\(t.half)")
            }
        }
        let key = strict ? "strict" : "loose"
        // The whole model on every tag: not held out (each tag's own split is in it), for comparison only.
        let all = tally["all", default: (0, 0, 0, 0)]
        let seen = tally["seen", default: (0, 0, 0, 0)]
        result["\(key)_seen_exact_share"] = Double(seen.exact) / Double(max(1, all.tags))
        result["\(key)_seen_exact_share_weighted"] = Double(seen.exactUses) / Double(max(1, all.uses))
        for part in ["dev", "test", "all"] {
            let v = tally[part, default: (0, 0, 0, 0)]
            let prefix = part == "all" ? key : "\(key)_\(part)"
            result["\(prefix)_distinct_tags"] = v.tags
            result["\(prefix)_occurrences"] = v.uses
            result["\(prefix)_exact_share"] = Double(v.exact) / Double(max(1, v.tags))
            result["\(prefix)_exact_share_weighted"] = Double(v.exactUses) / Double(max(1, v.uses))
        }
        if !strict { allInputs = truth.map(\.lower) }
    }
    if let dump = o.dump { try (lines.joined(separator: "\n") + "\n").write(toFile: dump, atomically: true, encoding: .utf8) }
    var sink = 0
    let (rounds, secs) = measure(seconds: o.seconds) {
        for s in allInputs { sink &+= HashtagWords.words(s[...], segmenter: model).count }
    }
    result["hashtags_per_s"] = Double(allInputs.count * rounds) / secs
    result["sink"] = sink & 1
    emit(result)
}

let options = parseOptions()
do {
    switch options.command {
    case "throughput": try throughput(options)
    case "hashtags": try hashtags(options)
    default:
        FileHandle.standardError.write("unknown command \(options.command)\n".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("analysis-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
