#!/usr/bin/env python3
"""Choose the LSH banding (and compare shingle kinds) from measurements.

For each configuration, `starling duplicates --bench` runs the in-memory algorithm Starling uses at ingest
(exact copies grouped, LSH candidates, exact-Jaccard verification); this script scores its pairs against the
exact join over the same shingles, and reports the bucket terms a post costs in the index (= bands), the
candidates verified per post (document reads at ingest) and the throughput.

  python3 tools/dup-eval/sweep.py --starling .build/release/starling
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dup_eval as d  # noqa: E402

CONFIGS = [(16, 4), (20, 4), (32, 4), (12, 3), (10, 3), (8, 3), (10, 2), (8, 2), (6, 2), (4, 2)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(d.ROOT, "tools/bench/out/corpus/real.jsonl"))
    ap.add_argument("--starling", default=os.path.join(d.ROOT, ".build/release/starling"))
    ap.add_argument("--out", default=os.path.join(d.HERE, "out"))
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--shingles", default="word3", help="comma list, e.g. word2,word3,char5")
    ap.add_argument("--configs", help="comma list of BANDSxROWS (default: a built-in sweep)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    configs = CONFIGS
    if args.configs:
        configs = [tuple(int(x) for x in c.split("x")) for c in args.configs.split(",")]
    rows = []
    for kind in args.shingles.split(","):
        truth = None
        for b, r in configs:
            sh = os.path.join(args.out, "sweep-shingles-%s.tsv" % kind)
            pairs = os.path.join(args.out, "sweep-pairs.tsv")
            cmd = [args.starling, "duplicates", "--bench", args.corpus, "--pairs-out", pairs, "--shingle", kind,
                   "--bands", str(b), "--rows", str(r), "--threshold", str(args.threshold)]
            if truth is None:
                cmd += ["--shingles-out", sh]
            bench = d.last_json(d.run(cmd)[0])
            if truth is None:
                ids, sets = d.load_shingles(sh)
                truth = d.exact_join(ids, sets, args.threshold)
            found = d.load_pairs(pairs)
            p, rec = d.pr(found, truth)
            near_truth = sum(1 for _ in truth)
            rows.append((kind, b, r, len(truth), len(found), p, rec, bench["candidates_checked"] / bench["posts"],
                         bench["signature_lsh_posts_per_s"], bench["distinct_sets"]))
            print("%s %2dx%d  exact %6d  found %6d  P %.4f  R %.4f  candidates/post %.3f  sig+LSH %8.0f/s" %
                  rows[-1][:9], flush=True)
            del near_truth
    print("\n| shingles | bands x rows | P(J=0.7 candidate) | exact pairs | found | precision | recall | "
          "candidates verified / post | signature+LSH posts/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for kind, b, r, t, f, p, rec, c, speed, _ in rows:
        curve = 1 - (1 - 0.7 ** r) ** b
        print("| %s | %dx%d | %.3f | %d | %d | %.4f | %.4f | %.3f | %.0f |" % (kind, b, r, curve, t, f, p, rec, c,
                                                                              speed))


if __name__ == "__main__":
    main()
