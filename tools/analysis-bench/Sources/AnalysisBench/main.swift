// analysis-bench: measures Starling's analyser on the shared corpora, on one core.
//
//   analysis-bench throughput FILE [--seconds S] [--dump OUT]
//                                                   posts/s of Analyzer.analyze, of entity extraction alone and of
//                                                   URL extraction alone; OUT gets each post's URLs (JSON lines)
//   analysis-bench hashtags FILE [--dump OUT]       one-case hashtag segmentation: accuracy against the corpora's
//                  [--unknown-penalty X]            CamelCase hashtags lower-cased, and hashtags/s; the penalties
//                  [--word-penalty X]               override the segmenter's defaults (for trying values)
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

/// The corpora's CamelCase hashtags as ground truth, lower-cased, against the one-case segmentation.
/// Two truths: `strict` (capitalised words only: `BlackLivesMatter`) and `loose` (any ASCII-letter tag that
/// HashtagWords splits in two or more, capital runs included: `NASAMission`, `RNCinCLE`, whose split is a guess).
func hashtags(_ o: Options) throws {
    let posts = try loadPosts(o.file)
    let extractor = try SocialExtractor()
    var model = try AnalyzerConfiguration.shared.get().hashtagWords
    if let v = o.unknownPenalty { model.unknownPenalty = v }
    if let v = o.wordPenalty { model.wordPenalty = v }
    var occurrences: [String: Int] = [:]  // body -> count
    for p in posts {
        for h in extractor.hashtags(in: p.text) { occurrences[h.value, default: 0] += 1 }
    }
    var result: [String: Any] = ["model_words": model.count]
    var lines = [String]()
    var allInputs = [String]()
    for strict in [true, false] {
        var truth: [(lower: String, words: [String], count: Int)] = []
        for (body, count) in occurrences {
            guard body.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }) else { continue }
            guard body.utf8.contains(where: { $0 >= 0x61 }) else { continue }  // all capitals: no word marks
            if strict && !isStrictCamelCase(body) { continue }
            let words = HashtagWords.split(body[...]).map { $0.lowercased() }
            guard words.count >= 2 else { continue }
            truth.append((body.lowercased(), words, count))
        }
        truth.sort { $0.lower < $1.lower }
        var exact = 0
        var exactWeighted = 0
        var total = 0
        for t in truth {
            let got = HashtagWords.words(t.lower[...], segmenter: model).map(String.init)
            total += t.count
            if got == t.words {
                exact += 1
                exactWeighted += t.count
            }
            if strict {
                lines.append("\(got == t.words ? "ok" : "MISS")\t\(t.lower)\t\(t.words.joined(separator: " "))\t"
                             + "\(got.joined(separator: " "))\t\(t.count)")
            }
        }
        let key = strict ? "strict" : "loose"
        result["\(key)_distinct_tags"] = truth.count
        result["\(key)_occurrences"] = total
        result["\(key)_exact_share"] = Double(exact) / Double(max(1, truth.count))
        result["\(key)_exact_share_weighted"] = Double(exactWeighted) / Double(max(1, total))
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
