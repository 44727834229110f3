#!/usr/bin/env python3
"""A stand-in for the `starling` binary's benchmark contract, to test search_bench.py's Starling column.

Not a Starling: SQLite FTS5 with `#` as a token character behind the same CLI surface the benchmark uses:
    fake_starling.py index --index DIR --format native FILE
    fake_starling.py search --index DIR --json --limit 10 --queries FILE
    fake_starling.py stats --index DIR --json
    fake_starling.py --version
A word query does not match the word's hashtag here (PEERS.md's fts5 tokenchars '#@' row), so a run against
the full query set shows what the benchmark's failure report looks like.
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

_TOKEN = re.compile(r'"[^"]*"|\S+')


def to_fts5(query: str) -> str:
    """Starling syntax (words, "phrases", #tags; implicit AND) to an FTS5 MATCH expression."""
    parts = []
    for tok in _TOKEN.findall(query):
        body = tok.strip('"')
        parts.append('"' + body.replace('"', '""') + '"')
    return " ".join(parts)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--version", action="store_true")
    sub = ap.add_subparsers(dest="command")
    ix = sub.add_parser("index")
    ix.add_argument("--index", required=True, type=Path)
    ix.add_argument("--format", default="native")
    ix.add_argument("files", nargs="+", type=Path)
    se = sub.add_parser("search")
    se.add_argument("--index", required=True, type=Path)
    se.add_argument("--json", action="store_true")
    se.add_argument("--limit", type=int, default=10)
    se.add_argument("--queries", type=Path)
    se.add_argument("query", nargs="?")
    st = sub.add_parser("stats")
    st.add_argument("--index", required=True, type=Path)
    st.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    if args.version:
        print(f"fake_starling (SQLite {sqlite3.sqlite_version} FTS5 tokenchars '#')")
        return 0
    if args.command == "index":
        args.index.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(args.index / "posts.db")
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS posts USING fts5(id UNINDEXED, text, "
                   "tokenize=\"unicode61 tokenchars '#'\")")
        n = 0
        with db:
            for path in args.files:
                with open(path, "rb") as f:
                    for line in f:
                        p = json.loads(line)
                        db.execute("INSERT INTO posts(id, text) VALUES (?, ?)", (p["id"], p["text"]))
                        n += 1
        print(f"indexed {n} posts")
        return 0
    if args.command == "stats":
        db = sqlite3.connect(args.index / "posts.db")
        print(json.dumps({"documents": db.execute("SELECT count(*) FROM posts").fetchone()[0]}))
        return 0
    if args.command == "search":
        db = sqlite3.connect(args.index / "posts.db")
        lines = args.queries.read_text(encoding="utf-8").splitlines() if args.queries else [args.query]
        for q in lines:
            t = time.perf_counter()
            match = to_fts5(q)
            total = db.execute("SELECT count(*) FROM posts WHERE posts MATCH ?", (match,)).fetchone()[0]
            rows = db.execute("SELECT id, text, rank FROM posts WHERE posts MATCH ? ORDER BY rank LIMIT ?",
                              (match, args.limit)).fetchall()
            hits = [{"id": id, "score": -rank} for id, _text, rank in rows]
            elapsed = (time.perf_counter() - t) * 1000
            print(json.dumps({"query": q, "total": total, "hits": hits, "elapsed_ms": elapsed}))
        return 0
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
