#!/usr/bin/env python3
"""How fast can a Xapian writer go at all on this machine? The ceiling behind issue 2's ingest goal.

    /usr/bin/python3 tools/bench/writer_ceiling.py --corpus real --starling .build/release/starling
    /usr/bin/python3 tools/bench/writer_ceiling.py --corpus 1m

The goal asks Starling to index 3x faster than the plain Xapian path (python3-xapian's TermGenerator + one
WritableDatabase, engines.Xapian). This probe splits that path in two on the same posts, in one run:

  plain Xapian, whole path   TermGenerator into Documents and add_document, timed together (what the bench runs)
  analysis alone             TermGenerator into in-memory Documents, nothing written
  one writer alone           add_document + commit of those prebuilt Documents: a writer with free analysis
  N writers alone            N processes (one per core), each writing its share of prebuilt Documents into its
                             own database at the same moment: the most any sharded Xapian writer gets here

and, with --starling, Starling's own `index --dry-run` (its analysis on every core, nothing written) and its real
`index`. Every rate is printed with its ratio to the plain path and to the 3x target. The written databases are
checked (document count) and deleted.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from engines import Xapian
from search_bench import resolve_corpus

HERE = Path(__file__).resolve().parent


def load(corpus: Path, part: int = 0, parts: int = 1) -> list[tuple[str, str]]:
    posts = []
    with corpus.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % parts == part:
                o = json.loads(line)
                posts.append((o["id"], o["text"]))
    return posts


def build_documents(posts):
    """The documents engines.Xapian writes (English stemmer, positions, id and text as data), kept in memory."""
    import xapian
    engine = Xapian(Path("unused"))  # only its document(); nothing is opened
    tg = xapian.TermGenerator()
    tg.set_stemmer(xapian.Stem("english"))
    return [engine.document(tg, id, text) for id, text in posts]


def write(docs, path: str) -> int:
    import xapian
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    for doc in docs:
        db.add_document(doc)
    db.commit()
    n = db.get_doccount()
    db.close()
    return n


def whole_path(posts, path: str) -> float:
    """engines.Xapian's indexing, timed: analysis and writing interleaved as the benchmark runs them."""
    import xapian
    start = time.perf_counter()
    Xapian(path).index(posts)
    elapsed = time.perf_counter() - start
    n = xapian.Database(path).get_doccount()
    if n != len(posts):
        raise SystemExit(f"plain Xapian wrote {n} documents, expected {len(posts)}")
    return elapsed


def shard_child(corpus: str, part: int, parts: int, path: str, barrier, out) -> None:
    docs = build_documents(load(Path(corpus), part, parts))
    barrier.wait()
    start = time.time()
    n = write(docs, path)
    out.put((part, n, len(docs), start, time.time()))


def parallel_writers(corpus: Path, parts: int, work: Path) -> tuple[float, int]:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(parts)
    out = ctx.Queue()
    procs = [ctx.Process(target=shard_child, args=(str(corpus), p, parts, str(work / f"shard{p}"), barrier, out))
             for p in range(parts)]
    for p in procs:
        p.start()
    rows = [out.get() for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a writer process failed (exit {p.exitcode})")
    for part, written, expected, _s, _e in rows:
        if written != expected:
            raise SystemExit(f"shard {part} wrote {written} documents, expected {expected}")
    start = min(r[3] for r in rows)
    end = max(r[4] for r in rows)
    return end - start, sum(r[1] for r in rows)


def starling_rate(binary: str, corpus: Path, work: Path, dry_run: bool) -> tuple[float, int]:
    index = work / "starling"
    shutil.rmtree(index, ignore_errors=True)
    cmd = [binary, "index", "--quiet", "--json", "--index", str(index), "--format", "native", str(corpus)]
    if dry_run:
        cmd.insert(2, "--dry-run")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"starling index failed ({proc.returncode}): {proc.stderr.strip()[:400]}")
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    shutil.rmtree(index, ignore_errors=True)
    return summary["seconds"], summary["indexed"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default="real", help="real, 1m, or a native NDJSON file (default: real)")
    ap.add_argument("--limit-posts", type=int, help="only the first N posts")
    ap.add_argument("--writers", type=int, default=os.cpu_count() or 1, help="parallel writers (default: cores)")
    ap.add_argument("--starling", help="a starling binary: also time its --dry-run and its real index")
    args = ap.parse_args(argv)

    corpus, _tag = resolve_corpus(args.corpus, HERE / "out", args.limit_posts)
    work = Path(tempfile.mkdtemp(prefix="starling-writer-ceiling-"))
    try:
        posts = load(corpus)
        n = len(posts)
        plain = n / whole_path(posts, str(work / "plain"))
        shutil.rmtree(work / "plain")

        start = time.perf_counter()
        docs = build_documents(posts)
        analysis = n / (time.perf_counter() - start)
        start = time.perf_counter()
        written = write(docs, str(work / "one"))
        one = n / (time.perf_counter() - start)
        if written != n:
            raise SystemExit(f"one writer wrote {written} documents, expected {n}")
        del docs
        shutil.rmtree(work / "one")

        seconds, written = parallel_writers(corpus, args.writers, work)
        if written != n:
            raise SystemExit(f"{args.writers} writers wrote {written} documents, expected {n}")
        many = n / seconds

        rows = [("plain Xapian, whole path (analysis + one writer)", plain),
                ("plain Xapian analysis alone (nothing written)", analysis),
                ("one Xapian writer alone (prebuilt documents)", one),
                (f"{args.writers} Xapian writers at once (prebuilt documents, own databases)", many)]
        if args.starling:
            s, k = starling_rate(args.starling, corpus, work, dry_run=True)
            rows.append(("Starling analysis alone (`index --dry-run`, every core)", k / s))
            s, k = starling_rate(args.starling, corpus, work, dry_run=False)
            rows.append(("Starling `index` (whole pipeline)", k / s))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    target = 3 * plain
    print(f"{n:,} posts from {corpus.name}, {os.cpu_count()} cores; the goal, 3x the plain path: {target:,.0f} posts/s\n")
    print("| path | posts/s | x plain path | share of the 3x goal |")
    print("|---|---:|---:|---:|")
    for label, rate in rows:
        print(f"| {label} | {rate:,.0f} | {rate / plain:.2f}x | {rate / target:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
