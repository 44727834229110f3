#!/usr/bin/env python3
"""Tests of the benchmark's own logic: escapes, copies, query drawing, hashtag checks, ratios, failure rules.

    python3 -m unittest discover -s tools/bench -p 'test_*.py'

The corpus test reads ../shared/data and skips, saying so, when it is absent.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_corpus  # noqa: E402
import queries  # noqa: E402
import search_bench  # noqa: E402

HERE = Path(__file__).resolve().parent


class UnescapeTests(unittest.TestCase):
    def test_table(self):
        cases = [
            ("a &amp; b", "a & b"),
            ("&lt;3 &gt;", "<3 >"),
            ("&#128514;&#128514;", "😂😂"),
            ("&#x1F602;", "😂"),
            ("&amp;lt;", "&lt;"),          # one pass only
            ("&notice &copy", "&notice &copy"),  # no semicolon-less legacy entities
            ("&#55357;", "&#55357;"),      # a lone surrogate stays as written
            ("plain", "plain"),
        ]
        for given, expected in cases:
            self.assertEqual(build_corpus.unescape(given), expected, given)


class MutateTests(unittest.TestCase):
    def test_kinds_and_determinism(self):
        donors = [{"text": "alpha beta gamma"}, {"text": "delta epsilon"}]
        text = "one two three four"
        a = [build_corpus.mutate(text, random.Random(7), donors) for _ in range(1)]
        b = [build_corpus.mutate(text, random.Random(7), donors) for _ in range(1)]
        self.assertEqual(a, b)
        rng = random.Random(1)
        seen = {"exact": 0, "dropped": 0, "swapped": 0}
        for _ in range(2000):
            new, kind = build_corpus.mutate(text, rng, donors)
            seen[kind] += 1
            words = new.split()
            if kind == "dropped":
                self.assertEqual(len(words), 3)
                self.assertNotIn("  ", new)
                self.assertEqual(new, new.strip())
            elif kind == "swapped":
                self.assertEqual(len(words), 4)
                self.assertNotEqual(new, text)
            else:
                self.assertEqual(new, text)
        for kind in ("dropped", "swapped"):
            self.assertTrue(150 < seen[kind] < 250, seen)

    def test_one_word_posts_are_copied_exactly(self):
        rng = random.Random(3)
        for _ in range(100):
            self.assertEqual(build_corpus.mutate("word", rng, [{"text": "x y"}]), ("word", "exact"))


class QueryTests(unittest.TestCase):
    def test_chunk_words(self):
        cases = [
            ("Hello", ("hello", False, False)),
            ('"quoted",', ("quoted", True, True)),
            ("isn't", (None, False, False)),
            ("#tag", (None, False, False)),
            ("@user", (None, False, False)),
            ("ab", (None, False, False)),
            ("abc123", (None, False, False)),
            ("well-known", (None, False, False)),
        ]
        for chunk, expected in cases:
            self.assertEqual(queries.chunk_word(chunk), expected, chunk)

    def test_draw_is_seeded_and_complete(self):
        texts = [f"the quick brown fox{i % 7} jumps over lazy dogs #travel #Sunset{'s' * (i % 3)} today"
                 for i in range(200)] + ["happy people dance #fun", "great weather outside #fun"]
        kinds = {"single": 5, "and": 4, "phrase": 4, "hashtag": 3}
        a = queries.draw(texts, seed=5, kinds=kinds)
        self.assertEqual(a, queries.draw(texts, seed=5, kinds=kinds))
        self.assertEqual([q["kind"] for q in a], ["single"] * 5 + ["and"] * 4 + ["phrase"] * 4 + ["hashtag"] * 3)
        for q in a:
            for w in q["words"]:
                self.assertRegex(w, r"^[a-z]{3,}$")
            if q["kind"] in ("single", "and"):
                self.assertFalse(set(q["words"]) & queries.STOPWORDS, q)
            if q["kind"] == "phrase":
                self.assertIn(" ".join(q["words"]), " ".join(texts).lower())
            if q["kind"] == "hashtag":
                self.assertTrue(q["starling"].startswith("#"))

    def test_syntax_table(self):
        self.assertEqual(queries.syntax("and", ["red", "car"]),
                         {"starling": "red car", "fts5": '"red" "car"', "tantivy": "red AND car",
                          "xapian": "red AND car"})
        self.assertEqual(queries.syntax("hashtag", ["tbt"])["starling"], "#tbt")
        self.assertEqual(queries.syntax("hashtag", ["tbt"])["tantivy"], "tbt")


class AnalysisTests(unittest.TestCase):
    def test_percentile(self):
        self.assertEqual(search_bench.percentile([1, 2, 3, 4], 50), 2.5)
        self.assertEqual(search_bench.percentile([5], 99), 5)
        self.assertIsNone(search_bench.percentile([], 50))

    def test_carries_hashtag(self):
        cases = [("I love #Sunset!", True), ("#sunset", True), ("#sunsets", False), ("#sunset_pics", False),
                 ("sunset", False), ("a #sunset… b", True), (None, False)]
        for text, expected in cases:
            self.assertEqual(search_bench.carries(text, "sunset"), expected, text)

    def test_compare_finds_lonely_empty_answers(self):
        qs = [{"n": 0, "kind": "single", "words": ["a"], "starling": "a"},
              {"n": 1, "kind": "single", "words": ["b"], "starling": "b"},
              {"n": 2, "kind": "phrase", "words": ["c", "d"], "starling": '"c d"'}]

        def result(totals):
            return {"queries": [{"n": n, "total": t, "ids": [], "ms": [], "error": None} for n, t in enumerate(totals)]}

        results = {"tantivy": result([10, 4, 0]), "fts5": result([10, 4, 2]), "starling": result([5, 0, 0])}
        c = search_bench.compare(results, qs)
        self.assertEqual(c["starling"]["empty_where_others_hit"], ["b"])  # "c d": tantivy has none either
        self.assertEqual(c["starling"]["hits_ratio_to_tantivy"]["single"], 0.25)  # median of 0.5 and 0


class FakeStarlingRunTests(unittest.TestCase):
    """The whole harness on a tiny corpus with the stand-in binary: tables, results, and the failure exit."""

    def test_end_to_end(self):
        posts = [{"id": f"p{i}", "text": t} for i, t in enumerate(
            ["Sunset over the bay #sunset", "Another lovely sunset tonight", "#sunset_pics from the beach",
             "Coffee with friends this morning", "friends and coffee forever #coffee", "Morning coffee #Coffee!"] * 5)]
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "tiny.jsonl"
            corpus.write_text("".join(json.dumps(p) + "\n" for p in posts))
            qs = [{"kind": k, "words": w} for k, w in
                  [("single", ["coffee"]), ("and", ["coffee", "friends"]), ("phrase", ["lovely", "sunset"]),
                   ("hashtag", ["sunset"]), ("hashtag", ["coffee"])]]
            for n, q in enumerate(qs):
                q.update(queries.syntax(q["kind"], q["words"]), n=n)
            qfile = Path(tmp) / "q.json"
            qfile.write_text(json.dumps({"queries": qs}))
            run = subprocess.run(
                [sys.executable, str(HERE / "search_bench.py"), "--corpus", str(corpus), "--engines", "fts5,starling",
                 "--starling", str(HERE / "fake_starling.py"), "--out", tmp, "--passes", "1", "--queries", str(qfile)],
                capture_output=True, text=True)
            # FTS5 splits #sunset_pics into #sunset + pics, so the stand-in fails the hashtag check.
            self.assertEqual(run.returncode, 1, run.stderr)
            self.assertIn("hashtag precision", run.stderr)
            self.assertIn("| starling |", run.stdout)
            latest = json.loads((Path(tmp) / "results" / "tiny-latest.json").read_text())
            self.assertEqual(latest["summary"]["starling"]["posts"], 30)
            self.assertEqual(latest["summary"]["fts5"]["errors"], 0)
            self.assertEqual(latest["summary"]["starling"]["hashtag_precision"], 0.75)  # 1/2 and 2/2 tagged
            self.assertEqual(latest["summary"]["fts5"]["kinds"]["single"]["median_hits"], 15)


def python_with_xapian() -> str | None:
    """An interpreter that can import xapian (Debian's python3-xapian lives under /usr/bin/python3), or None."""
    for exe in (sys.executable, "/usr/bin/python3"):
        if Path(exe).exists() and subprocess.run([exe, "-c", "import xapian"], capture_output=True).returncode == 0:
            return exe
    return None


class WriterCeilingTests(unittest.TestCase):
    def test_every_path_is_timed_on_every_post(self):
        exe = python_with_xapian()
        if exe is None:
            self.skipTest("no interpreter here imports xapian (python3-xapian is absent)")
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "tiny.jsonl"
            corpus.write_text("".join(json.dumps({"id": f"p{i}", "text": f"post number {i} about #topic{i % 7}"}) + "\n"
                                      for i in range(300)))
            run = subprocess.run([exe, str(HERE / "writer_ceiling.py"), "--corpus", str(corpus), "--writers", "2"],
                                 capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("300 posts from tiny.jsonl", run.stdout)
            rows = [line for line in run.stdout.splitlines() if line.startswith("| ") and "posts/s" not in line]
            self.assertEqual(len(rows), 4, run.stdout)  # whole path, analysis, one writer, two writers
            self.assertTrue(rows[0].split("|")[3].strip() == "1.00x", rows[0])


@unittest.skipUnless((build_corpus.default_data_dir() / "corpora").is_dir(), "../shared/data is absent")
class RealCorpusTests(unittest.TestCase):
    def test_counts_match_peers(self):
        posts, counts = build_corpus.real_posts(build_corpus.default_data_dir())
        self.assertEqual(counts, {"tweeteval": 151_007, "davidson": 24_783, "airline": 14_485,
                                  "sentiment140": 10_000, "election-2016": 6_444, "pheme": 4_804})
        self.assertEqual(sum(1 for p in posts if "author" in p and "created_at" in p), 35_733)
        self.assertEqual(len({p["id"] for p in posts}), build_corpus.REAL_POSTS)


if __name__ == "__main__":
    unittest.main()
