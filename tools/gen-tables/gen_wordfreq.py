#!/usr/bin/env python3
"""Generate analyzers/hashtags/words.tsv: word and word-pair frequencies for splitting one-case hashtags.

Sources, both:
- the shared corpora as native NDJSON (tools/bench/build_corpus.py writes them to tools/bench/out/corpus/real.jsonl
  from ../shared/data). Only *non-hashtag* words are counted: hashtags, mentions, cashtags and URLs are cut out of
  each text first, so the CamelCase hashtags used to evaluate the segmenter (tools/analysis-bench) never feed the
  model. Words are runs of ASCII letters, lower-cased, apostrophes dropped (don't -> dont, as hashtags write it).
  Word pairs are two such words next to each other with only spaces between them (punctuation, digits and the
  cut-out entities break a run), counted for the segmenter's bigram term (`build the wall` beats `buildthe wall`).
- a dictionary, Debian's wamerican (/usr/share/dict/american-english): it vouches for rare corpus words and adds
  the words the corpus lacks (count 1).
Filters, each against a failure seen on the corpora:
- corpus words seen fewer than --min-count times are noise;
- of one-letter words only `a` and `i` (tweets' `u`, `r`, `b` would chop tags into letters); two-letter words need
  --two-letter-min occurrences (`ng`, `tt`, `rs` are fragments, not words);
- a corpus word the dictionary does not know that splits into dictionary words of 3+ letters (`goodmorning`,
  `donaldtrump`) is a run-together compound when the corpus writes those words apart at least as often as it
  writes them joined (`good morning` 576 times, `goodmorning` 23): it is left out, or it would swallow the tags it
  is made of. One the corpus writes joined (`mayweather`, `bannon`, `congrats`, `labour`) is a word and is kept.
- word pairs seen fewer than --pair-min-count times are left out (a pair seen once is mostly noise, and size).
Only the standard library is used.

    apt-get install wamerican                                              # the dictionary, once
    python3 tools/bench/build_corpus.py --out tools/bench/out/corpus      # the corpus, once
    python3 tools/gen-tables/gen_wordfreq.py [--corpus ...] [--dictionary ...] [--min-count 3]
"""
import argparse
import collections
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
ENTITY = re.compile(r"(?:https?://|www\.)\S+|[#＃@＠$][\w\u00c0-\u024f]+|\S+\.(?:com|org|net|co|ly|gl|be|us|uk|me|tv|io|in)(?:/\S*)?", re.I)
WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")
# What breaks a run of adjacent words for pair counting: anything but letters, apostrophes and spaces.
RUN_BREAK = re.compile(r"[^a-z'\s]+")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "tools/bench/out/corpus/real.jsonl"))
    ap.add_argument("--out", default=str(ROOT / "analyzers/hashtags/words.tsv"))
    ap.add_argument("--dictionary", default="/usr/share/dict/american-english")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--two-letter-min", type=int, default=200)
    ap.add_argument("--pair-min-count", type=int, default=2)
    args = ap.parse_args()
    corpus = pathlib.Path(args.corpus)
    if not corpus.exists():
        print(f"{corpus} is missing: run python3 tools/bench/build_corpus.py --out {corpus.parent}", file=sys.stderr)
        return 1
    counts = collections.Counter()
    runs = []  # runs of adjacent words, for pairs and for the compound test
    posts = 0
    digest = hashlib.sha256()
    with corpus.open("rb") as f:
        for raw in f:
            digest.update(raw)
            text = json.loads(raw).get("text") or ""
            posts += 1
            text = ENTITY.sub(" | ", text).lower()
            for piece in RUN_BREAK.split(text):
                run = [w.replace("'", "") for w in WORD.findall(piece)]
                if run:
                    runs.append(run)
                for w in run:
                    if len(w) == 1 and w not in ("a", "i"):
                        continue
                    if len(w) <= 24:
                        counts[w] += 1
    dict_path = pathlib.Path(args.dictionary)
    if not dict_path.exists():
        print(f"{dict_path} is missing: apt-get install wamerican", file=sys.stderr)
        return 1
    dict_raw = dict_path.read_bytes()
    dictionary = {w.lower() for w in dict_raw.decode("utf-8", "replace").split() if re.fullmatch(r"[A-Za-z]+", w)}

    def compound(w):
        # Splits into dictionary words of 3+ letters (two or more of them)?
        n = len(w)
        ok = [False] * (n + 1)
        ok[0] = True
        for i in range(3, n + 1):
            for j in range(0, i - 2):
                if ok[j] and not (j == 0 and i == n) and w[j:i] in dictionary:
                    ok[i] = True
                    break
        return ok[n]

    # How often each candidate compound is written apart: 2 to 4 adjacent words that concatenate to it.
    candidates = {w for w, c in counts.items() if c >= args.min_count and w not in dictionary and compound(w)}
    apart = collections.Counter()
    for run in runs:
        for n in (2, 3, 4):
            for k in range(len(run) - n + 1):
                joined = "".join(run[k:k + n])
                if joined in candidates:
                    apart[joined] += 1
    model = {}
    dropped = 0
    for w, c in counts.items():
        if c < args.min_count or (len(w) == 2 and c < args.two_letter_min):
            continue
        if w in candidates and apart[w] >= c:
            dropped += 1
            continue
        model[w] = c
    added = 0
    for w in dictionary:
        if len(w) > 2 and w not in model:
            model[w] = 1
            added += 1
    rows = sorted(model.items(), key=lambda r: (-r[1], r[0]))
    pair_counts = collections.Counter()
    for run in runs:
        for a, b in zip(run, run[1:]):
            if a in model and b in model:
                pair_counts[a, b] += 1
    pairs = sorted(((a, b, c) for (a, b), c in pair_counts.items() if c >= args.pair_min_count),
                   key=lambda r: (-r[2], r[0], r[1]))
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        f.write("# Word and word-pair frequencies for splitting one-case hashtags (#blacklivesmatter -> black lives matter).\n")
        f.write("# GENERATED by tools/gen-tables/gen_wordfreq.py - do not edit by hand.\n")
        f.write(f"# Source: {posts} posts of the shared corpora (tools/bench/build_corpus.py real.jsonl, "
                f"sha256 {digest.hexdigest()[:16]}...),\n")
        f.write("#   non-hashtag words only (hashtags, mentions, cashtags and URLs removed before counting);\n")
        f.write(f"#   min count {args.min_count}, two-letter words {args.two_letter_min}; {dropped} run-together compounds\n"
                f"#   (written apart at least as often as joined) left out;\n")
        f.write(f"#   plus {dict_path} (Debian wamerican, sha256 {hashlib.sha256(dict_raw).hexdigest()[:16]}...): "
                f"{added} words the corpus lacks, count 1.\n")
        f.write(f"# {len(rows)} words, {sum(c for _, c in rows)} occurrences; {len(pairs)} word pairs seen "
                f"{args.pair_min_count}+ times next to each other (same text, nothing but spaces between).\n")
        f.write("# Format: word<TAB>count, then word<SPACE>word<TAB>count for the pairs\n")
        for w, c in rows:
            f.write(f"{w}\t{c}\n")
        for a, b, c in pairs:
            f.write(f"{a} {b}\t{c}\n")
    print(f"wrote {len(rows)} words and {len(pairs)} pairs from {posts} posts to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
