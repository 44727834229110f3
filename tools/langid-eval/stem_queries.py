#!/usr/bin/env python3
"""How cross-language stemming behaves at query time (the 'decide, measure' of issue 4).

Indexes the held-out TEST texts of the three sets (native NDJSON, gold language kept in a field) with
`starling index`, then runs 300 seeded one-word queries (words of 5+ letters taken from those texts) three ways:
  exact   "word"          the unstemmed term only
  bare    word            unstemmed OR stems under the query's plausible languages (what Starling does)
  lang    word lang:xx    the stem under the source post's language, filtered to it
and reports the median hit count and 'language precision': the share of hits whose gold language is the language
of the post the word came from (a proxy: a stem that drags in other languages' posts lowers it).

    python3 tools/langid-eval/stem_queries.py [--starling PATH]
"""
import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import langid_data as D  # noqa: E402
from eval import find_starling, ROOT  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--starling")
    args = ap.parse_args()
    binary = args.starling or find_starling()
    rows = []
    for s in D.SETS:
        rows += [(s, r) for r in D.split(s, D.load(s))[2]]
    tmp = tempfile.mkdtemp(prefix="langid-stem-")
    corpus = os.path.join(tmp, "posts.jsonl")
    gold = {}
    with open(corpus, "w", encoding="utf-8") as f:
        for i, (s, (text, lang, _a)) in enumerate(rows):
            pid = f"{s}-{i}"
            gold[pid] = lang
            f.write(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n")
    index = os.path.join(tmp, "index")
    env = dict(os.environ, STARLING_ANALYZERS=os.path.join(ROOT, "analyzers"))
    subprocess.run([binary, "index", "--index", index, "--json", corpus], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    rnd = random.Random(4)
    word_re = re.compile(r"^[^\W\d_]{5,}$")
    picks = []
    while len(picks) < 300:
        s, (text, lang, _a) = rnd.choice(rows)
        words = [w for w in D.prep(text).split() if word_re.match(w)]
        if words:
            picks.append((rnd.choice(words).lower(), lang))
    variants = {"exact": lambda w, l: f'"{w}"', "bare": lambda w, l: w, "lang": lambda w, l: f"{w} lang:{l}"}
    print("| query form | median hits | mean hits | language precision |")
    print("|---|---:|---:|---:|")
    for name, fn in variants.items():
        qfile = os.path.join(tmp, f"{name}.txt")
        with open(qfile, "w", encoding="utf-8") as f:
            for w, l in picks:
                f.write(fn(w, l) + "\n")
        out = subprocess.run([binary, "search", "--index", index, "--limit", "1000", "--json", "--queries", qfile],
                             check=True, env=env, capture_output=True).stdout.decode().splitlines()
        counts, same, total = [], 0, 0
        for line, (w, l) in zip(out, picks):
            r = json.loads(line)
            hits = r.get("hits", [])
            counts.append(r.get("total", len(hits)))
            for h in hits:
                total += 1
                same += gold.get(h["id"]) == l
        print(f"| {name} | {statistics.median(counts):.0f} | {statistics.mean(counts):.1f} | "
              f"{same / max(total, 1):.3f} |")


if __name__ == "__main__":
    main()
