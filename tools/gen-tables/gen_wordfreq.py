#!/usr/bin/env python3
"""Generate analyzers/hashtags/words.tsv: word and word-pair frequencies for splitting one-case hashtags.

Sources, both:
- the shared corpora as native NDJSON (tools/bench/build_corpus.py writes them to tools/bench/out/corpus/real.jsonl
  from ../shared/data). Only *non-hashtag* words are counted: hashtags, mentions, cashtags and URLs are cut out of
  each text first, so the CamelCase hashtags used to evaluate the segmenter (tools/analysis-bench) never feed the
  model. Words are runs of ASCII letters, lower-cased, apostrophes dropped (don't -> dont, as hashtags write it).
  Word pairs are two such words next to each other with only spaces between them (punctuation, digits and the
  cut-out entities break a run), counted for the segmenter's bigram term (`build the wall` beats `buildthe wall`).
- phrase boundaries: `<s> w` / `w </s>` lines count the words that start and end a run of words where the run
  starts or ends at the text's ends or at punctuation (not where an entity was cut out, at a number or at `…`), and
  `<s>` / `</s>` lines the number of such starts and ends, for the segmenter's boundary terms.
- a dictionary, Debian's wamerican (/usr/share/dict/american-english): it vouches for rare corpus words and adds
  the words the corpus lacks (count 1).
- the words inside the corpora's CamelCase hashtags (`BlackLivesMatter` -> black lives matter, as the bench's ground
  truth cuts them), each distinct ASCII-letter run of a tag counted once, with its pairs and boundaries. These are
  the very splits tools/analysis-bench scores, so every such line carries a third column, the evaluation half of
  its run lower-cased (`half`, the bench's seeded hash): the bench measures the dev half with a model built
  without the `dev` lines and the test half without the `test` lines, so no tag's own split is ever in the model
  that splits it; `starling` loads them all. A hashtag word the text model lacks that splits into its words
  (`Buildthe`, `Thisis`: writers who marked only some words) is left out when the text writes those words apart
  at least as often as the tags write it joined; a two-letter word the text model lacks needs --tag-two-letter-min
  tag runs of its half. `--no-hashtags` leaves all these lines out.
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
    python3 tools/gen-tables/gen_wordfreq.py [--corpus ...] [--dictionary ...] [--min-count 3] [--no-hashtags]
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
HASHTAG = re.compile(r"[#＃]([\w\u00c0-\u024f]+)")
# A hashtag's ASCII-letter runs (digits, underscores and other letters end one), and the CamelCase words of a run
# as tools/analysis-bench's ground truth (HashtagWords.split) cuts them: NASAMission -> NASA Mission.
LETTER_RUN = re.compile(r"[A-Za-z]+")
CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")


def natural(separator):
    """Whether text between two runs of words is a phrase boundary: no cut-out entity (NUL), no digit and no
    ellipsis (a cut-off text: `with the…`)."""
    return "\0" not in separator and "…" not in separator and not any(c.isdigit() for c in separator)


def half(lower):
    """The evaluation half of a lower-cased tag, as tools/analysis-bench's `half`: FNV-1a 64 of a seeded string,
    the splitmix64 finaliser, top bit: 'dev' or 'test'."""
    m = (1 << 64) - 1
    h = 0xcbf29ce484222325
    for c in ("starling-hashtag-split-1:" + lower).encode():
        h = ((h ^ c) * 0x100000001b3) & m
    h = ((h ^ (h >> 30)) * 0xbf58476d1ce4e5b9) & m
    h = ((h ^ (h >> 27)) * 0x94d049bb133111eb) & m
    h ^= h >> 31
    return "dev" if h >> 63 == 0 else "test"


def written_apart(runs, wanted):
    """How often each word of `wanted` is written apart in `runs`: 2 to 4 adjacent words that concatenate to it."""
    apart = collections.Counter()
    for run in runs:
        for n in (2, 3, 4):
            for k in range(len(run) - n + 1):
                joined = "".join(run[k:k + n])
                if joined in wanted:
                    apart[joined] += 1
    return apart


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "tools/bench/out/corpus/real.jsonl"))
    ap.add_argument("--out", default=str(ROOT / "analyzers/hashtags/words.tsv"))
    ap.add_argument("--dictionary", default="/usr/share/dict/american-english")
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--two-letter-min", type=int, default=200)
    ap.add_argument("--pair-min-count", type=int, default=2)
    ap.add_argument("--tag-two-letter-min", type=int, default=3)
    ap.add_argument("--no-hashtags", action="store_true", help="leave the CamelCase hashtag words out")
    args = ap.parse_args()
    corpus = pathlib.Path(args.corpus)
    if not corpus.exists():
        print(f"{corpus} is missing: run python3 tools/bench/build_corpus.py --out {corpus.parent}", file=sys.stderr)
        return 1
    counts = collections.Counter()
    runs = []  # runs of adjacent words, for pairs and for the compound test
    starts = []  # whether runs[k] starts a phrase
    ends = []  # whether runs[k] ends one
    posts = 0
    digest = hashlib.sha256()
    tag_runs = set()  # distinct CamelCase letter runs of hashtags, as written
    with corpus.open("rb") as f:
        for raw in f:
            digest.update(raw)
            text = json.loads(raw).get("text") or ""
            posts += 1
            for body in HASHTAG.findall(text):
                for r in LETTER_RUN.findall(body):
                    if r != r.lower() and r != r.upper() and len(CAMEL_WORD.findall(r)) >= 2:
                        tag_runs.add(r)
            text = ENTITY.sub(" \0 ", text).lower()
            chunks = RUN_BREAK.split(text)
            breaks = RUN_BREAK.findall(text)  # breaks[k] is between chunks[k] and chunks[k + 1]
            for k, piece in enumerate(chunks):
                run = [w.replace("'", "") for w in WORD.findall(piece)]
                if run:
                    runs.append(run)
                    # Whether the run starts / ends a phrase: at the text's ends or at punctuation, not where an
                    # entity was cut out or at a number (`at the #tag`, `the 2016 election` go on past the break).
                    starts.append(k == 0 or natural(breaks[k - 1]))
                    ends.append(k == len(chunks) - 1 or natural(breaks[k]))
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
    apart = written_apart(runs, candidates)
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
    # Run boundaries as pairs with `<s>` (before the first word) and `</s>` (after the last): which words start and
    # end a phrase (`a`, `the`, `i` seldom end one, so `analytic a` loses to `analytica`).
    for run, start, end in zip(runs, starts, ends):
        if start and run[0] in model:
            pair_counts["<s>", run[0]] += 1
        if end and run[-1] in model:
            pair_counts[run[-1], "</s>"] += 1
    boundary = {"<s>": sum(starts), "</s>": sum(ends)}
    pairs = sorted(((a, b, c) for (a, b), c in pair_counts.items() if c >= args.pair_min_count),
                   key=lambda r: (-r[2], r[0], r[1]))
    # CamelCase hashtag words and pairs, each distinct letter run counted once, labelled with the evaluation half
    # of the run lower-cased, so the bench can evaluate each half with a model that never saw its tags' splits.
    tag_words = collections.Counter()
    tag_pairs = collections.Counter()
    if not args.no_hashtags:
        for r in tag_runs:
            h = half(r.lower())
            ws = [w.lower() for w in CAMEL_WORD.findall(r)]
            ws = [w for w in ws if len(w) <= 24]
            for w in ws:
                if len(w) > 1 or w in ("a", "i"):
                    tag_words[w, h] += 1
            for a, b in zip(["<s>"] + ws, ws + ["</s>"]):
                tag_pairs[a, b, h] += 1
            tag_words["<s>", h] += 1
            tag_words["</s>", h] += 1
    # A hashtag word the text model lacks that splits into its words (`Buildthe`, `Thisis`, `Foodand`: writers who
    # marked only some words) is a run-together compound when the text writes those words apart at least as often
    # as the tags write it joined: left out, as for the text's own compounds.
    def splits_into_model_words(w):
        n = len(w)
        ok = [False] * (n + 1)
        ok[0] = True
        for i in range(1, n + 1):
            for j in range(max(0, i - 24), i):
                if ok[j] and not (j == 0 and i == n) and w[j:i] in model:
                    ok[i] = True
                    break
        return ok[n]

    joined = {w for w, _ in tag_words if w not in model and w not in ("<s>", "</s>") and splits_into_model_words(w)}
    tag_apart = written_apart(runs, joined)
    # Decided per half, on that half's count alone, so a half's lines depend on nothing of the other half.
    tag_dropped = {(w, h) for (w, h), c in tag_words.items() if w in joined and tag_apart[w] >= c}
    # A two-letter word the text model lacks needs --tag-two-letter-min tag runs of its half (`dj`, `mc` are words;
    # the `mw` of one tag would chop junk up: `xqzvbn mw`).
    tag_dropped |= {(w, h) for (w, h), c in tag_words.items()
                    if len(w) == 2 and w not in model and c < args.tag_two_letter_min}
    tag_words = {k: c for k, c in tag_words.items() if k not in tag_dropped}
    tag_pairs = {(a, b, h): c for (a, b, h), c in tag_pairs.items()
                 if (a, h) not in tag_dropped and (b, h) not in tag_dropped}
    tag_rows = sorted(tag_words.items(), key=lambda r: (r[0][1], -r[1], r[0][0]))
    tag_pair_rows = sorted(tag_pairs.items(), key=lambda r: (r[0][2], -r[1], r[0][0], r[0][1]))
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
        f.write(f"# Then the words and word pairs of the corpora's {len(tag_runs)} distinct CamelCase hashtag letter runs "
                f"(each counted once; {len(tag_dropped)} run-together\n#   compounds the text writes apart left out, per half), labelled with the evaluation half of the run lower-cased (tools/analysis-bench: "
                f"each half is measured with a model without its own half's lines).\n")
        f.write("# Format: word<TAB>count, then word<SPACE>word<TAB>count for the pairs; hashtag lines add <TAB>dev|test\n")
        for w, c in boundary.items():
            f.write(f"{w}\t{c}\n")
        for w, c in rows:
            f.write(f"{w}\t{c}\n")
        for a, b, c in pairs:
            f.write(f"{a} {b}\t{c}\n")
        for (w, h), c in tag_rows:
            f.write(f"{w}\t{c}\t{h}\n")
        for (a, b, h), c in tag_pair_rows:
            f.write(f"{a} {b}\t{c}\t{h}\n")
    print(f"wrote {len(rows)} words and {len(pairs)} pairs from {posts} posts to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
