#!/usr/bin/env python3
"""Builds the benchmark corpora from ../shared/data, deterministically.

Writes DIR/real.jsonl (every post of the shared corpora as Starling native NDJSON, 211,523 posts) and
DIR/1m.jsonl (1,000,000 posts: the real corpus, then seeded copies with new ids, ~10% of them with one word
dropped and ~10% with one word swapped for a word of another post). Prints the counts per source and the md5
of each file. Run twice, the files are byte-identical.

Source notes (what is given, and what is made up):
- tweeteval: one tweet per line, no ids, authors or times; ids are synthetic, `tweeteval-TASK-SPLIT-LINE`
  (LINE counted from 0). The 8 empty lines of the hate task are kept, so the counts match PEERS.md.
- davidson: the CSV's row number column becomes `davidson-N`; no author or time.
- airline: real tweet ids; the 155 repeated ids (identical rows) are dropped, the first one kept. The
  `tweet_created` column (DD-MM-YYYY HH.MM) is Pacific time, UTC-8 in February 2015 (checked against the
  time encoded in the tweet ids), so 8 hours are added.
- sentiment140: real ids, Latin-1 encoded; dates are `... PDT 2009`, so 7 hours are added.
- election-2016: no ids (`election-2016-ROW`, ROW counted from 0 after the 3 header lines); times are UTC.
- pheme: Twitter API v1.1 JSON; real ids, authors, times, languages, reply ids, links and counts.
Twitter-style HTML escapes in texts (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#NNN;`, `&#xHH;`; davidson writes
emoji that way) are decoded once, because native `text` is the text as written.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import random
import re
import sys
from pathlib import Path
from typing import Iterator

REAL_POSTS = 211_523
MILLION = 1_000_000
COPY_SEED = 20261122

SOURCES = ("tweeteval", "davidson", "airline", "sentiment140", "election-2016", "pheme")
TWEETEVAL_SPLITS = ("train", "val", "test")


def default_data_dir() -> Path:
    """../shared/data relative to the repository root (this file is tools/bench/build_corpus.py)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _entity(match: re.Match) -> str:
    name = match.group(1)
    if name in _NAMED:
        return _NAMED[name]
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    # Surrogates, NUL and out-of-range values stay as written rather than becoming invalid text.
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return match.group(0)
    return chr(code)


def unescape(text: str) -> str:
    """Decodes the HTML escapes Twitter exports carry; a single pass, so `&amp;lt;` becomes `&lt;`."""
    return _ENTITY.sub(_entity, text) if "&" in text else text


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def post(id: str, text: str, **fields) -> dict:
    """A native post with its fields in a fixed order; None fields are left out."""
    p = {"id": id, "text": unescape(text)}
    for key in ("author", "created_at", "platform", "lang", "reply_to", "urls", "metrics"):
        value = fields.get(key)
        if value is not None and value != [] and value != {}:
            p[key] = value
    return p


def read_tweeteval(root: Path) -> Iterator[dict]:
    for task_dir in sorted(p for p in (root / "tweeteval").iterdir() if p.is_dir()):
        for split in TWEETEVAL_SPLITS:
            path = task_dir / f"{split}_text.txt"
            if not path.exists():
                continue
            lines = path.read_text(encoding="utf-8").split("\n")
            if lines and lines[-1] == "":
                lines.pop()  # the final newline ends the last line; it does not start another
            for n, line in enumerate(lines):
                yield post(f"tweeteval-{task_dir.name}-{split}-{n}", line.rstrip("\r"), platform="twitter")


def read_davidson(root: Path) -> Iterator[dict]:
    with open(root / "davidson" / "labeled_data.csv", newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        text_col = header.index("tweet")
        for row in rows:
            yield post(f"davidson-{row[0]}", row[text_col], platform="twitter")


def read_airline(root: Path) -> Iterator[dict]:
    seen: set[str] = set()
    with open(root / "airline" / "Tweets.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["tweet_id"] in seen:
                continue
            seen.add(row["tweet_id"])
            local = dt.datetime.strptime(row["tweet_created"], "%d-%m-%Y %H.%M")
            metrics = {"reshares": int(row["retweet_count"])} if row["retweet_count"] else None
            yield post(row["tweet_id"], row["text"], author=row["name"] or None,
                       created_at=iso(local + dt.timedelta(hours=8)), platform="twitter", metrics=metrics)


def read_sentiment140(root: Path) -> Iterator[dict]:
    # Latin-1 is the file's declared encoding: every byte is a character, so decoding never fails.
    with open(root / "sentiment140" / "sample-10k.latin1.csv", newline="", encoding="latin-1") as f:
        for polarity, id, date, query, user, text in csv.reader(f):
            parts = date.split()
            assert parts[4] == "PDT", f"sentiment140: unexpected time zone in {date!r}"
            local = dt.datetime.strptime(" ".join(parts[1:4] + parts[5:]), "%b %d %H:%M:%S %Y")
            yield post(id, text, author=user, created_at=iso(local + dt.timedelta(hours=7)), platform="twitter")


def read_election(root: Path) -> Iterator[dict]:
    with open(root / "election-2016" / "election-tweets-2016.tab", newline="", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t")
        header = next(rows)
        next(rows), next(rows)  # Orange's type and flag lines
        col = {name: i for i, name in enumerate(header)}
        for n, row in enumerate(rows):
            if not row:
                continue
            when = dt.datetime.strptime(row[col["Time"]], "%Y-%m-%d %H:%M:%S")
            metrics = {}
            for name, key in (("Favorite count", "likes"), ("Retweet count", "reshares")):
                if row[col[name]]:
                    metrics[key] = int(float(row[col[name]]))
            yield post(f"election-2016-{n}", row[col["Content"]], author=row[col["Author"]] or None,
                       created_at=iso(when), platform="twitter", lang=row[col["Language"]] or None,
                       metrics=metrics)


def read_pheme(root: Path) -> Iterator[dict]:
    with open(root / "pheme" / "tweets-v1.jsonl", encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            when = dt.datetime.strptime(t["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(dt.timezone.utc)
            urls = [{"url": u["url"], "expanded": u.get("expanded_url")} for u in t["entities"].get("urls", [])]
            metrics = {"likes": t.get("favorite_count"), "reshares": t.get("retweet_count")}
            yield post(t["id_str"], t["text"], author=t["user"]["screen_name"], created_at=iso(when),
                       platform="twitter", lang=t.get("lang"), reply_to=t.get("in_reply_to_status_id_str"),
                       urls=urls, metrics={k: v for k, v in metrics.items() if v is not None})


READERS = {
    "tweeteval": read_tweeteval, "davidson": read_davidson, "airline": read_airline,
    "sentiment140": read_sentiment140, "election-2016": read_election, "pheme": read_pheme,
}


def real_posts(data: Path) -> tuple[list[dict], dict[str, int]]:
    corpora = data / "corpora"
    posts: list[dict] = []
    counts: dict[str, int] = {}
    for name in SOURCES:
        before = len(posts)
        posts.extend(READERS[name](corpora))
        counts[name] = len(posts) - before
    ids = [p["id"] for p in posts]
    if len(set(ids)) != len(ids):
        raise SystemExit("build_corpus: duplicate ids in the real corpus")
    return posts, counts


def dumps(p: dict) -> str:
    return json.dumps(p, ensure_ascii=False, separators=(",", ":"))


_WORD = re.compile(r"\S+")


def mutate(text: str, rng: random.Random, donors: list[dict]) -> tuple[str, str]:
    """Maybe drops or swaps one whitespace-separated word; returns the new text and what was done."""
    roll = rng.random()
    if roll >= 0.2:
        return text, "exact"
    words = list(_WORD.finditer(text))
    if len(words) < 2:
        return text, "exact"
    w = words[rng.randrange(len(words))]
    if roll < 0.1:
        # Drop the word and the whitespace after it (before it, for the last word).
        start, end = w.start(), w.end()
        rest = text[end:]
        end += len(rest) - len(rest.lstrip())
        if end == len(text):
            start = len(text[:start].rstrip())
        return text[:start] + text[end:], "dropped"
    for _ in range(10):
        donor_words = _WORD.findall(donors[rng.randrange(len(donors))]["text"])
        if donor_words:
            new = donor_words[rng.randrange(len(donor_words))]
            if new != w.group(0):
                return text[:w.start()] + new + text[w.end():], "swapped"
    return text, "exact"


def write_lines(path: Path, lines: Iterator[str]) -> tuple[int, str, int]:
    md5 = hashlib.md5()
    n = size = 0
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            data = (line + "\n").encode("utf-8")
            md5.update(data)
            size += len(data)
            f.write(line + "\n")
            n += 1
    return n, md5.hexdigest(), size


def million_lines(posts: list[dict], total: int, kinds: dict[str, int]) -> Iterator[str]:
    for p in posts:
        yield dumps(p)
    rng = random.Random(COPY_SEED)
    for c in range(total - len(posts)):
        round_, src = divmod(c, len(posts))
        copy = dict(posts[src])
        copy["id"] = f"copy{round_ + 1}-{posts[src]['id']}"
        copy["text"], kind = mutate(copy["text"], rng, posts)
        kinds[kind] += 1
        yield dumps(copy)


def build(out: Path, data: Path, million: bool = True, quiet: bool = False) -> dict:
    """Writes real.jsonl (and 1m.jsonl); returns counts and md5s."""
    out.mkdir(parents=True, exist_ok=True)
    posts, counts = real_posts(data)
    say = (lambda *a: None) if quiet else print
    for name, n in counts.items():
        say(f"  {name:<14} {n:>9,}")
    with_author_time = sum(1 for p in posts if "author" in p and "created_at" in p)
    n, md5, size = write_lines(out / "real.jsonl", (dumps(p) for p in posts))
    say(f"real.jsonl   {n:>9,} posts  {size / 1e6:6.1f} MB  md5 {md5}  ({with_author_time:,} with author and time)")
    result = {"real": {"posts": n, "md5": md5, "bytes": size, "sources": counts}}
    if million:
        kinds = {"exact": 0, "dropped": 0, "swapped": 0}
        n, md5, size = write_lines(out / "1m.jsonl", million_lines(posts, MILLION, kinds))
        say(f"1m.jsonl     {n:>9,} posts  {size / 1e6:6.1f} MB  md5 {md5}  (copies: {kinds['exact']:,} exact, "
            f"{kinds['dropped']:,} with a word dropped, {kinds['swapped']:,} with a word swapped)")
        result["1m"] = {"posts": n, "md5": md5, "bytes": size, "copies": kinds}
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, type=Path, help="directory to write real.jsonl and 1m.jsonl to")
    ap.add_argument("--data", type=Path, default=default_data_dir(), help="the shared data folder (default: %(default)s)")
    ap.add_argument("--real-only", action="store_true", help="write real.jsonl only")
    args = ap.parse_args(argv)
    if not (args.data / "corpora").is_dir():
        print(f"build_corpus: {args.data / 'corpora'} is absent", file=sys.stderr)
        return 2
    result = build(args.out, args.data, million=not args.real_only)
    if result["real"]["posts"] != REAL_POSTS:
        print(f"build_corpus: expected {REAL_POSTS:,} real posts, got {result['real']['posts']:,}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
