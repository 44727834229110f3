#!/usr/bin/env python3
"""One peer engine, run in its own process: index a corpus, then time the query set. search_bench.py runs it.

    python3 engines.py ENGINE --corpus FILE --queries FILE --index-dir DIR --result FILE [--passes 3]

ENGINE is fts5 (SQLite FTS5, unicode61 tokenizer), tantivy (default tokenizer, one writer thread) or xapian
(TermGenerator with the English stemmer and positions; Debian's bindings, so run it with /usr/bin/python3).
Each index stores the post id and text. The corpus is streamed, so the process's peak RSS is the engine's
plus the interpreter's, not the corpus's. Every query is timed in-process through the engine's binding, and
the time covers parsing, the search for the top 10 with the engine's usual hit count, and fetching the 10
stored posts. Only the standard library is imported at the top, so both interpreters can load this file.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import time
from pathlib import Path

LIMIT = 10


def stream_posts(corpus: Path):
    with open(corpus, "rb") as f:
        for line in f:
            p = json.loads(line)
            yield p["id"], p["text"]


class FTS5:
    """SQLite FTS5, unicode61 tokenizer; the hit count is an exact count(*)."""

    name = "fts5"

    def __init__(self, index_dir: Path):
        import sqlite3
        self.sqlite3 = sqlite3
        self.path = index_dir / "posts.db"

    def version(self) -> str:
        return f"SQLite {self.sqlite3.sqlite_version} FTS5 unicode61"

    def index(self, posts) -> int:
        db = self.sqlite3.connect(self.path)
        db.execute("CREATE VIRTUAL TABLE posts USING fts5(id UNINDEXED, text, tokenize='unicode61')")
        n = 0

        def rows():
            nonlocal n
            for row in posts:
                n += 1
                yield row

        with db:
            db.executemany("INSERT INTO posts(id, text) VALUES (?, ?)", rows())
        db.close()
        return n

    def open(self):
        self.db = self.sqlite3.connect(self.path)

    def search(self, q: str) -> tuple[int, list[str]]:
        total = self.db.execute("SELECT count(*) FROM posts WHERE posts MATCH ?", (q,)).fetchone()[0]
        rows = self.db.execute("SELECT id, text FROM posts WHERE posts MATCH ? ORDER BY rank LIMIT ?", (q, LIMIT))
        return total, [id for id, _text in rows]


class Tantivy:
    """tantivy-py, default tokenizer, one writer thread; the hit count is tantivy's exact count."""

    name = "tantivy"

    def __init__(self, index_dir: Path):
        import tantivy
        self.tantivy = tantivy
        self.path = index_dir

    def version(self) -> str:
        from importlib.metadata import version
        return f"tantivy-py {version('tantivy')} default tokenizer"

    def index(self, posts) -> int:
        t = self.tantivy
        sb = t.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("text", stored=True)
        index = t.Index(sb.build(), path=str(self.path))
        writer = index.writer(heap_size=128_000_000, num_threads=1)
        n = 0
        for id, text in posts:
            writer.add_document(t.Document(id=id, text=text))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return n

    def open(self):
        self.idx = self.tantivy.Index.open(str(self.path))
        self.idx.reload()
        self.searcher = self.idx.searcher()

    def search(self, q: str) -> tuple[int, list[str]]:
        query = self.idx.parse_query(q, ["text"])
        result = self.searcher.search(query, LIMIT, count=True)
        ids = []
        for _score, address in result.hits:
            doc = self.searcher.doc(address)
            doc["text"]  # fetched like the other engines' stored text
            ids.append(doc["id"][0])
        return result.count, ids


class Xapian:
    """Xapian with the English stemmer (STEM_SOME) and positions; the hit count is get_matches_estimated()."""

    name = "xapian"

    def __init__(self, index_dir: Path):
        import xapian
        self.xapian = xapian
        self.path = str(index_dir)

    def version(self) -> str:
        return f"Xapian {self.xapian.version_string()} english stemmer"

    def index(self, posts) -> int:
        x = self.xapian
        db = x.WritableDatabase(self.path, x.DB_CREATE_OR_OVERWRITE)
        tg = x.TermGenerator()
        tg.set_stemmer(x.Stem("english"))
        n = 0
        for id, text in posts:
            db.add_document(self.document(tg, id, text))
            n += 1
        db.commit()
        db.close()
        return n

    def document(self, tg, id: str, text: str):
        """One post as this path indexes it: terms and positions from `tg`, id and text as the data."""
        doc = self.xapian.Document()
        tg.set_document(doc)
        tg.index_text(text)
        doc.set_data(f"{id}\n{text}")
        return doc

    def open(self):
        x = self.xapian
        self.db = x.Database(self.path)
        self.enquire = x.Enquire(self.db)
        self.qp = x.QueryParser()
        self.qp.set_stemmer(x.Stem("english"))
        self.qp.set_stemming_strategy(x.QueryParser.STEM_SOME)
        self.qp.set_database(self.db)

    def search(self, q: str) -> tuple[int, list[str]]:
        self.enquire.set_query(self.qp.parse_query(q))
        mset = self.enquire.get_mset(0, LIMIT)
        ids = [m.document.get_data().decode("utf-8").split("\n", 1)[0] for m in mset]
        return mset.get_matches_estimated(), ids


ENGINES = {"fts5": FTS5, "tantivy": Tantivy, "xapian": Xapian}


def max_rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def run(engine_name: str, corpus: Path, queries_file: Path, index_dir: Path, passes: int) -> dict:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
    engine = ENGINES[engine_name](index_dir)
    queries = json.loads(queries_file.read_text(encoding="utf-8"))["queries"]

    t0 = time.perf_counter()
    posts = engine.index(stream_posts(corpus))
    index_seconds = time.perf_counter() - t0
    index_rss = max_rss_kib()

    engine.open()
    texts = [q[engine_name] for q in queries]
    totals: list[int | None] = [None] * len(texts)
    hits: list[list[str]] = [[] for _ in texts]
    errors: dict[int, str] = {}
    times = [[] for _ in texts]
    for p in range(passes + 1):  # pass 0 warms the caches and is not timed
        for i, q in enumerate(texts):
            t = time.perf_counter()
            try:
                total, ids = engine.search(q)
            except Exception as e:  # a peer rejecting a query is reported, not fatal
                errors[i] = f"{type(e).__name__}: {e}"
                continue
            elapsed = (time.perf_counter() - t) * 1000
            if p == 0:
                totals[i], hits[i] = total, ids
            else:
                times[i].append(elapsed)
    return {
        "engine": engine_name, "version": engine.version(), "python": sys.version.split()[0],
        "posts": posts, "index_seconds": index_seconds, "index_rss_kib": index_rss,
        "queries": [{"n": q["n"], "total": totals[i], "ids": hits[i], "ms": times[i], "error": errors.get(i)}
                    for i, q in enumerate(queries)],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("engine", choices=sorted(ENGINES))
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--queries", required=True, type=Path)
    ap.add_argument("--index-dir", required=True, type=Path)
    ap.add_argument("--result", required=True, type=Path)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args(argv)
    result = run(args.engine, args.corpus, args.queries, args.index_dir, args.passes)
    args.result.write_text(json.dumps(result) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
