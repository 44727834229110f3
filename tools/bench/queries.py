#!/usr/bin/env python3
"""Draws the benchmark's fixed, seeded query set from a corpus and writes it as JSON.

300 queries by default: 100 single words, 75 two-word ANDs, 75 two-word phrases and 50 hashtags. Every query
is drawn from one post, so each has at least one hit, and the draw favours frequent words the way real
traffic does (a post is picked, then a word of it). Each query is given in each engine's syntax:

| kind    | starling    | fts5           | tantivy       | xapian        |
|---------|-------------|----------------|---------------|---------------|
| single  | `w`         | `"w"`          | `w`           | `w`           |
| and     | `w1 w2`     | `"w1" "w2"`    | `w1 AND w2`   | `w1 AND w2`   |
| phrase  | `"w1 w2"`   | `"w1 w2"`      | `"w1 w2"`     | `"w1 w2"`     |
| hashtag | `#tag`      | `"tag"`        | `tag`         | `tag`         |

The peers' default tokenizers drop `#`, so for them a hashtag query is the bare word: that is what a user of
those engines gets, and why their hashtag precision is below 1.

Words are ASCII letters only, at least 3 of them, taken from whitespace-separated chunks that are nothing
else but leading/trailing quotes and punctuation: so every engine splits them into the same token (no
apostrophes, digits, `@`, `#`, URLs or hyphens inside). A phrase's two words are adjacent chunks with nothing
but whitespace between them; at most one of them is a stopword. AND and single words are never stopwords.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20261122
KINDS = {"single": 100, "and": 75, "phrase": 75, "hashtag": 50}

# A common English stopword list (the words every stopper drops); drawn words must not be only these.
STOPWORDS = frozenset("""
a about above after again against all am an and any are aren as at be because been before being below between
both but by can cannot could did do does doing don down during each few for from further had has have having
he her here hers herself him himself his how i if in into is it its itself just let me more most my myself no
nor not now of off on once only or other ought our ours ourselves out over own same she should so some such
than that the their theirs them themselves then there these they this those through to too under until up very
was we were what when where which while who whom why will with would you your yours yourself yourselves
amp rt http https www com user via get got one""".split())

_LEAD = "\"'([{“‘«"
_TRAIL = "\"')]}.,!?;:…”’»"
_LETTERS = re.compile(r"[A-Za-z]{3,}")
_HASHTAG = re.compile(r"(?<![\w&])#([A-Za-z]{3,})(?!\w)")


def chunk_word(chunk: str) -> tuple[str | None, bool, bool]:
    """The letters-only word a whitespace chunk holds, and whether punctuation led or trailed it."""
    core = chunk.lstrip(_LEAD)
    led = len(core) != len(chunk)
    stripped = core.rstrip(_TRAIL)
    trailed = len(stripped) != len(core)
    return (stripped.lower() if _LETTERS.fullmatch(stripped) else None), led, trailed


def draw(texts: list[str], seed: int = SEED, kinds: dict[str, int] = KINDS) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    seen: set[tuple] = set()

    def add(kind: str, words: tuple[str, ...]) -> bool:
        key = (kind, words)
        if key in seen:
            return False
        seen.add(key)
        out.append({"kind": kind, "words": list(words)})
        return True

    def attempts():
        for _ in range(2_000_000):
            yield texts[rng.randrange(len(texts))]
        raise SystemExit("queries: the corpus is too small to draw the query set from")

    for kind, wanted in kinds.items():
        have = 0
        for text in attempts():
            if have == wanted:
                break
            if kind == "hashtag":
                tags = [m.group(1).lower() for m in _HASHTAG.finditer(text)]
                if tags and add(kind, (tags[rng.randrange(len(tags))],)):
                    have += 1
                continue
            chunks = [chunk_word(c) for c in text.split()]
            if kind == "phrase":
                pairs = [(a[0], b[0]) for a, b in zip(chunks, chunks[1:])
                         if a[0] and b[0] and not a[2] and not b[1]
                         and not (a[0] in STOPWORDS and b[0] in STOPWORDS)]
                if pairs and add(kind, pairs[rng.randrange(len(pairs))]):
                    have += 1
                continue
            words = sorted({w for w, _, _ in chunks if w and w not in STOPWORDS})
            if kind == "single" and words:
                if add(kind, (words[rng.randrange(len(words))],)):
                    have += 1
            elif kind == "and" and len(words) >= 2:
                if add(kind, tuple(rng.sample(words, 2))):
                    have += 1
    for q in out:
        q.update(syntax(q["kind"], q["words"]))
    return out


def syntax(kind: str, words: list[str]) -> dict[str, str]:
    """The query in each engine's syntax."""
    if kind == "single":
        (w,) = words
        return {"starling": w, "fts5": f'"{w}"', "tantivy": w, "xapian": w}
    if kind == "and":
        a, b = words
        return {"starling": f"{a} {b}", "fts5": f'"{a}" "{b}"', "tantivy": f"{a} AND {b}", "xapian": f"{a} AND {b}"}
    if kind == "phrase":
        a, b = words
        return {k: f'"{a} {b}"' for k in ("starling", "fts5", "tantivy", "xapian")}
    if kind == "hashtag":
        (t,) = words
        return {"starling": f"#{t}", "fts5": f'"{t}"', "tantivy": t, "xapian": t}
    raise ValueError(kind)


def read_texts(corpus: Path, limit: int | None = None) -> tuple[list[str], str]:
    texts: list[str] = []
    md5 = hashlib.md5()
    with open(corpus, "rb") as f:
        for line in f:
            if limit is not None and len(texts) >= limit:
                break
            md5.update(line)
            texts.append(json.loads(line)["text"])
    return texts, md5.hexdigest()


def build(corpus: Path, out: Path, limit: int | None = None, seed: int = SEED) -> dict:
    texts, md5 = read_texts(corpus, limit)
    doc = {"seed": seed, "corpus": corpus.name, "corpus_posts": len(texts), "corpus_md5": md5,
           "counts": KINDS, "queries": draw(texts, seed)}
    for n, q in enumerate(doc["queries"]):
        q["n"] = n
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return doc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True, type=Path, help="native NDJSON corpus to draw from (real.jsonl)")
    ap.add_argument("--out", required=True, type=Path, help="JSON file to write")
    ap.add_argument("--limit-posts", type=int, help="draw from the first N posts only")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    doc = build(args.corpus, args.out, args.limit_posts, args.seed)
    kinds = {}
    for q in doc["queries"]:
        kinds[q["kind"]] = kinds.get(q["kind"], 0) + 1
    print(f"{len(doc['queries'])} queries ({', '.join(f'{n} {k}' for k, n in kinds.items())}) from "
          f"{doc['corpus_posts']:,} posts of {doc['corpus']} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
