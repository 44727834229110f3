#!/usr/bin/env python3
"""Starling's analyser beside Python peers, on the shared corpora, one core each.

1. Hashtag segmentation: the corpora's CamelCase hashtags, lower-cased, split by Starling (HashtagWords +
   HashtagSegmenter, model analyzers/hashtags/words.tsv), by `wordsegment` (Norvig's unigram/bigram segmenter on
   Google's web counts) and by `wordninja` (Wikipedia unigram costs). Exact-split share and hashtags/s.
2. Analyser throughput: posts/s of Analyzer.analyze, and of URL extraction beside the Python port of
   twitter-text's URL extractor (`twitter-text-parser`), with the share of posts where both find the same URLs.

Rates are per CPU second of one thread (Swift: CLOCK_THREAD_CPUTIME_ID; Python: time.thread_time), so other load on
the machine does not move them.

    pip install -r tools/analysis-bench/requirements.txt
    (cd tools/analysis-bench && swift build -c release --scratch-path ../../.build-analysis-bench)
    python3 tools/analysis-bench/run.py [--corpus tools/bench/out/corpus/real.jsonl] [--seconds 3]
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def timed(seconds, fn):
    """Runs fn until `seconds` of this thread's CPU time have passed; returns (rounds, seconds)."""
    start = time.thread_time()
    rounds = 0
    while True:
        fn()
        rounds += 1
        spent = time.thread_time() - start
        if spent >= seconds:
            return rounds, spent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "tools/bench/out/corpus/real.jsonl"))
    ap.add_argument("--bench", default=str(ROOT / ".build-analysis-bench/release/AnalysisBench"))
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    if not pathlib.Path(args.bench).exists():
        print(f"{args.bench} is missing; build it (see --help)", file=sys.stderr)
        return 1
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="analysis-bench-"))

    # 1. Hashtags.
    dump = tmp / "tags.tsv"
    out = subprocess.run([args.bench, "hashtags", args.corpus, "--dump", str(dump), "--seconds", str(args.seconds)],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    starling = json.loads(out)
    truth = []
    for line in dump.read_text().splitlines():
        _, lower, words, _, count, half = line.split("\t")
        truth.append((lower, words.split(" "), int(count), half))
    print(f"Hashtag segmentation: {len(truth)} strict-CamelCase tags ({sum(t[2] for t in truth)} uses), lower-cased; "
          f"exact share of tags / of uses, test half (dev half, all)")
    print(f"  {'segmenter':<12} {'test':>13} {'dev':>13} {'all':>13} {'hashtags/s':>12}")

    def cell(r, part):
        key = "strict" if part == "all" else f"strict_{part}"
        return f"{r[key + '_exact_share']:.3f}/{r[key + '_exact_share_weighted']:.3f}"

    print(f"  {'starling':<12} {cell(starling, 'test'):>13} {cell(starling, 'dev'):>13} {cell(starling, 'all'):>13} "
          f"{starling['hashtags_per_s']:>12,.0f}")
    peers = {}
    try:
        import wordsegment
        wordsegment.load()
        peers["wordsegment"] = wordsegment.segment
    except ImportError:
        print("  (wordsegment not installed)")
    try:
        import wordninja
        peers["wordninja"] = wordninja.split
    except ImportError:
        print("  (wordninja not installed)")
    results = {"starling": starling}
    for name, fn in peers.items():
        r = {}
        for part in ("dev", "test", "all"):
            ok = okw = total = n = 0
            for lower, words, count, half in truth:
                if part != "all" and half != part:
                    continue
                got = [w.lower() for w in fn(lower)]
                n += 1
                total += count
                if got == words:
                    ok += 1
                    okw += count
            key = "strict" if part == "all" else f"strict_{part}"
            r[key + "_exact_share"] = ok / max(1, n)
            r[key + "_exact_share_weighted"] = okw / max(1, total)
        inputs = [t[0] for t in truth]
        rounds, spent = timed(min(args.seconds, 2.0), lambda: [fn(s) for s in inputs])
        rate = len(inputs) * rounds / spent
        r["hashtags_per_s"] = rate
        results[name] = r
        print(f"  {name:<12} {cell(r, 'test'):>13} {cell(r, 'dev'):>13} {cell(r, 'all'):>13} {rate:>12,.0f}   "
              f"(starling x{starling['hashtags_per_s'] / rate:,.1f} faster)")
    print(f"  loose CamelCase truth (capital runs guessed, {starling['loose_distinct_tags']} tags): starling "
          f"test {starling['loose_test_exact_share']:.3f}/{starling['loose_test_exact_share_weighted']:.3f}, "
          f"dev {starling['loose_dev_exact_share']:.3f}/{starling['loose_dev_exact_share_weighted']:.3f}, "
          f"all {starling['loose_exact_share']:.3f}/{starling['loose_exact_share_weighted']:.3f}")
    print(f"  (not held out, the whole model on every tag: strict {starling['strict_seen_exact_share']:.3f}/"
          f"{starling['strict_seen_exact_share_weighted']:.3f})")

    # 2. Throughput.
    urls_dump = tmp / "urls.jsonl"
    out = subprocess.run([args.bench, "throughput", args.corpus, "--dump", str(urls_dump), "--seconds", str(args.seconds)],
                         cwd=ROOT, check=True, capture_output=True, text=True).stdout
    t = json.loads(out)
    results["throughput"] = t
    print(f"\nAnalyser on {t['posts']:,} posts ({t['bytes'] / 1e6:.1f} MB), one core:")
    print(f"  Analyzer.analyze         {t['analyze_posts_per_s']:>12,.0f} posts/s  ({t['analyze_mb_per_s']:.1f} MB/s)")
    print(f"  entity extraction        {t['extract_posts_per_s']:>12,.0f} posts/s")
    print(f"  URL extraction           {t['extract_urls_posts_per_s']:>12,.0f} posts/s")
    try:
        import twitter_text
    except ImportError:
        print("  (twitter-text-parser not installed)")
        twitter_text = None
    if twitter_text is not None:
        texts = [json.loads(line).get("text") or "" for line in open(args.corpus, encoding="utf-8")]
        ours = [json.loads(line) for line in urls_dump.read_text().splitlines()]
        # The Python port counts indices in code points, the suite (and Starling) in UTF-16 units, so posts with
        # astral-plane emoji differ in indices by design: compare the URLs, and the indices where no astral
        # character precedes.
        same = same_indices = comparable = 0
        for text, mine in zip(texts, ours):
            theirs = twitter_text.extract_urls_with_indices(text)
            same += [u["url"] for u in theirs] == [u["url"] for u in mine]
            if all(ord(ch) < 0x10000 for ch in text):
                comparable += 1
                same_indices += [[u["url"], list(u["indices"])] for u in theirs] == [[u["url"], u["indices"]] for u in mine]
        rounds, spent = timed(min(args.seconds, 2.0),
                              lambda: [twitter_text.extract_urls_with_indices(x) for x in texts[:20000]])
        rate = 20000 * rounds / spent
        results["twitter_text_parser"] = {"urls_posts_per_s": rate, "same_urls_share": same / len(texts),
                                          "same_indices_share_bmp": same_indices / max(1, comparable)}
        print(f"  twitter-text-parser URLs {rate:>12,.0f} posts/s  (starling x{t['extract_urls_posts_per_s'] / rate:,.1f}); "
              f"same URLs on {same / len(texts):.4f} of posts, same indices on {same_indices / max(1, comparable):.4f} "
              f"of the {comparable:,} posts without astral characters")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
