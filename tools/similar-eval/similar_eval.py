#!/usr/bin/env python3
"""Evaluates `starling similar` (TF-IDF cosine) side by side with scikit-learn.

    python3 tools/similar-eval/similar_eval.py recall  --starling BIN   # fast path vs --exact, real corpus
    python3 tools/similar-eval/similar_eval.py pairs   --starling BIN   # relevance on Twitter URL pairs
    python3 tools/similar-eval/similar_eval.py latency --starling BIN   # 1M posts, with sklearn brute force
    python3 tools/similar-eval/similar_eval.py http    --starling BIN   # 1M posts through `starling serve`
    python3 tools/similar-eval/similar_eval.py shards  --starling BIN   # the matcher path over two remote shards

Everything written goes under tools/similar-eval/out/ (git-ignored): indexes, query files, raw outputs, and a
JSON summary per run. Indexes are reused when their document count matches the corpus.

- recall: 500 seeded query posts (ids drawn from the corpus); `starling similar --queries` once in the fast mode
  (a warm-up pass, then a timed pass) and once with --exact. Recall@10 counts a fast hit as right when its score
  reaches the 10th exact score: the fast path's cosines equal the exact ones (to 1e-12: the same products may be
  added in another order), so ties at the 10th place are counted as ties, not misses.
- pairs: ../shared/data/eval/similar/twitter-url-train (Lan et al. 2017: tweets sharing a URL; sim.txt marks
  paraphrases). Every distinct tweet is indexed; each tweet with a related partner is a query; MRR (first
  related partner within the top 100) and recall@10 (share of its partners in the top 10), for two relations:
  "paraphrase" (sim=1 pairs) and "same URL" (every pair); --sample N asks a seeded sample of N query tweets. scikit-learn's TfidfVectorizer(sublinear_tf=True,
  norm='l2') with exact cosine over the same tweets is the reference.
- latency: the same 500 query posts in the 1M corpus; Starling's fast path (warm-up pass, timed pass: p50/p99
  of the in-process elapsed_ms), its recall@10 against --exact, and scikit-learn's brute force x_q·Xᵀ per query.
- http: the same 500 query posts at 1M through `starling serve` on a loopback port (GET /v1/similar, one
  keep-alive connection, two passes): client-side p50/p99 (HTTP, JSON with the stored posts), and whether the
  answers are the command line's.
- shards: the real corpus once whole and once in two partitions (`index --partition`) served by two `xapian-tcpsrv`;
  the same 500 query posts by brute force over the whole index (the reference), by the fast path (one index, two
  shard folders) and by the matcher path (one index, two remote shards) for each --candidates value: recall@10
  against the reference, p50/p99, and whether the remote answers carry one index's scores.
"""
import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "out")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "data")
CORPUS_DIR = os.path.join(ROOT, "tools", "bench", "out", "corpus")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def percentile(values, p):
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def run_starling(binary, args, **kw):
    """Runs starling from the package root (it finds analyzers/ there)."""
    return subprocess.run([binary] + args, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True, **kw)


def ensure_index(binary, corpus, tag, expected):
    path = os.path.join(OUT, "indexes", tag)
    if os.path.isdir(path):
        try:
            stats = json.loads(run_starling(binary, ["stats", "--index", path, "--json"]).stdout)
            if stats.get("documents") == expected:
                log(f"[{tag}] reusing {path} ({expected} documents)")
                return path
        except subprocess.CalledProcessError:
            pass
        subprocess.run(["rm", "-rf", path], check=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    log(f"[{tag}] indexing {corpus} ...")
    t0 = time.time()
    r = subprocess.run([binary, "index", "--index", path, "--format", "native", "--json", "--quiet", corpus],
                       cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if r.returncode not in (0, 3):
        sys.exit(f"indexing failed ({r.returncode})")
    log(f"[{tag}] indexed in {time.time() - t0:.0f} s: {r.stdout.strip().splitlines()[-1]}")
    return path


def corpus_ids(corpus, real_only=False):
    ids = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            i = json.loads(line)["id"]
            if real_only and i.startswith("copy"):
                continue
            ids.append(i)
    return ids


def query_ids(count, seed):
    """The seeded query posts, drawn from the real corpus, so both sizes ask about the same posts."""
    ids = corpus_ids(os.path.join(CORPUS_DIR, "real.jsonl"))
    return random.Random(seed).sample(ids, count)


def similar_batch(binary, index, lines, tag, extra=(), passes=1):
    """Runs `starling similar --queries` and returns the last pass's answers, one dict per query line. `index` is
    an index folder, or a list of arguments saying where (`--shard ...`)."""
    qfile = os.path.join(OUT, f"{tag}.queries")
    with open(qfile, "w", encoding="utf-8") as f:
        for _ in range(passes):
            f.write("\n".join(lines) + "\n")
    t0 = time.time()
    where = ["--index", index] if isinstance(index, str) else list(index)
    out = run_starling(binary, ["similar"] + where + ["--queries", qfile, "--json"] + list(extra)).stdout
    wall = time.time() - t0
    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
    with open(os.path.join(OUT, f"{tag}.jsonl"), "w", encoding="utf-8") as f:
        f.write(out)
    errors = [r for r in rows if "error" in r]
    if errors:
        log(f"[{tag}] {len(errors)} errors, e.g. {errors[0]}")
    return rows[-len(lines):], wall


def close(a, b, tolerance=1e-12):
    """Equal up to rounding: the fast path may add the same products in another order (1e-12 relative)."""
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-300)


def recall_at_10(exact_rows, fast_rows, tolerance=1e-12, mismatches=None):
    """Recall@10 of `fast_rows` against `exact_rows`. A hit both hold must carry the same score within `tolerance`
    (relative); with a `mismatches` list, hits beyond 1e-12 but within the tolerance are recorded there."""
    found = wanted = perfect = 0
    for e, f in zip(exact_rows, fast_rows):
        assert e.get("query") == f.get("query")
        eh, fh = e.get("hits", []), f.get("hits", [])
        if not eh:
            continue
        tenth = eh[-1]["score"]
        exact_scores = {h["id"]: h["score"] for h in e.get("hits", [])}
        ok = 0
        for h in fh:
            if h["score"] >= tenth or close(h["score"], tenth, tolerance):
                # A hit outside the exact list must tie the 10th score; one inside must carry the same score.
                if h["id"] in exact_scores:
                    assert close(exact_scores[h["id"]], h["score"], tolerance), (e["query"], h)
                    if mismatches is not None and not close(exact_scores[h["id"]], h["score"]):
                        mismatches.append((e["query"], h["id"], exact_scores[h["id"]], h["score"]))
                ok += 1
        ok = min(ok, len(eh))
        found += ok
        wanted += len(eh)
        perfect += ok == len(eh)
    return found / max(wanted, 1), perfect


def latency_summary(rows):
    ms = [r["elapsed_ms"] for r in rows if "elapsed_ms" in r]
    return {"p50_ms": round(percentile(ms, 50), 3), "p99_ms": round(percentile(ms, 99), 3),
            "mean_ms": round(statistics.mean(ms), 3) if ms else None}


def save(name, summary):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, f"{name}-{time.strftime('%Y%m%dT%H%M%S')}.json")
    with open(path, "w") as f:
        json.dump(summary, f, indent=1)
    log(f"summary written to {path}")


# MARK: recall

def cmd_recall(a):
    corpus = a.corpus or os.path.join(CORPUS_DIR, "real.jsonl")
    ids = corpus_ids(corpus)
    index = ensure_index(a.starling, corpus, a.tag or "real", len(ids))
    queries = query_ids(a.queries, a.seed)
    fast, _ = similar_batch(a.starling, index, queries, "recall-fast", passes=2)
    exact, wall = similar_batch(a.starling, index, queries, "recall-exact", extra=["--exact"])
    recall, perfect = recall_at_10(exact, fast)
    summary = {"corpus": corpus, "documents": len(ids), "queries": len(queries), "seed": a.seed,
               "recall_at_10": round(recall, 4), "queries_perfect": perfect,
               "fast": latency_summary(fast), "exact_seconds": round(wall, 1),
               "mean_rescored": round(statistics.mean(r.get("scored", 0) for r in fast), 1)}
    print(json.dumps(summary, indent=1))
    save("recall", summary)


# MARK: shards

def free_port():
    import socket
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]


def cmd_shards(a):
    """The matcher path over two remote shards against brute force over one index of the same posts."""
    import shutil
    if not shutil.which("xapian-tcpsrv"):
        sys.exit("skipped: xapian-tcpsrv is absent (Debian xapian-tools)")
    corpus = a.corpus or os.path.join(CORPUS_DIR, "real.jsonl")
    ids = corpus_ids(corpus)
    tag = a.tag or "real"
    whole = ensure_index(a.starling, corpus, tag, len(ids))
    parts = []
    for k in range(2):
        path = os.path.join(OUT, "indexes", f"{tag}-part{k}of2")
        if not os.path.isdir(path):
            log(f"[shards] indexing partition {k}/2 ...")
            r = subprocess.run([a.starling, "index", "--index", path, "--format", "native", "--quiet",
                                "--partition", f"{k}/2", corpus], cwd=ROOT, stdout=subprocess.PIPE, text=True)
            if r.returncode not in (0, 3):
                sys.exit(f"indexing partition {k}/2 failed ({r.returncode})")
        parts.append(path)
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen(["xapian-tcpsrv", "--port", str(p), d], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True) for p, d in zip(ports, parts)]
    try:
        time.sleep(1)
        remote = sum((["--shard", f"127.0.0.1:{p}"] for p in ports), [])
        folders = sum((["--shard", d] for d in parts), [])
        queries = query_ids(a.queries, a.seed)
        exact, exact_wall = similar_batch(a.starling, whole, queries, "shards-exact", extra=["--exact"])
        summary = {"corpus": corpus, "documents": len(ids), "queries": len(queries), "seed": a.seed,
                   "exact_one_index_seconds": round(exact_wall, 1)}
        runs = [("fast, one index", whole, []), ("fast, two shard folders", folders, [])]
        for c in a.candidates:
            runs.append((f"matcher {c}, one index", whole, ["--matcher", "--candidates", str(c)]))
            runs.append((f"matcher {c}, two remote shards", remote, ["--candidates", str(c)]))
        answers = {}
        for name, where, extra in runs:
            rows, wall = similar_batch(a.starling, where, queries, "shards-" + name.replace(" ", "-").replace(",", ""),
                                       extra=extra, passes=2)
            # Shards are indexes of their own: at 1M posts the whole index and its two partitions disagree on a
            # few posts' terms (likely: the language stage's per-author tallies see another share of each author's posts
            # in a partition, so a few short posts get another language and stems), which moves some cosines by
            # up to ~2e-4 relative: tolerated here, and counted.
            mismatches = []
            recall, perfect = recall_at_10(exact, rows, tolerance=1e-3, mismatches=mismatches)
            answers[name] = rows
            summary[name] = {"recall_at_10": round(recall, 4), "queries_perfect": perfect,
                             "scores_off_by_more_than_1e-12": len(mismatches),
                             "seconds_two_passes": round(wall, 1), **latency_summary(rows),
                             "mean_rescored": round(statistics.mean(r.get("scored", 0) for r in rows), 1)}
            log(f"[shards] {name}: {summary[name]}")
        for c in a.candidates:
            one, many = answers[f"matcher {c}, one index"], answers[f"matcher {c}, two remote shards"]
            same = sum(1 for x, y in zip(one, many)
                       if [round(h["score"], 9) for h in x.get("hits", [])] == [round(h["score"], 9) for h in y.get("hits", [])])
            summary[f"matcher {c}: remote answers scored as one index's"] = f"{same}/{len(queries)}"
        if a.remote_exact:
            # What the other paths cost over remote shards: every post's vector read through the network.
            t0 = time.time()
            run_starling(a.starling, ["similar", "--json", "--exact"] + remote + [queries[0]])
            summary["exact_two_remote_shards_one_query_seconds"] = round(time.time() - t0, 1)
        print(json.dumps(summary, indent=1))
        save("shards", summary)
    finally:
        for s in servers:
            s.terminate()


# MARK: pairs

def load_pairs():
    base = os.path.join(SHARED, "eval", "similar", "twitter-url-train")
    if not os.path.isdir(base):
        sys.exit(f"{base} is absent")
    def lines(name):
        with open(os.path.join(base, name), encoding="utf-8") as f:
            return [l.rstrip("\n") for l in f]
    a, b, sim = lines("a.toks"), lines("b.toks"), lines("sim.txt")
    texts, index = [], {}
    def tid(t):
        if t not in index:
            index[t] = len(texts)
            texts.append(t)
        return index[t]
    paraphrase, url = {}, {}
    for x, y, s in zip(a, b, sim):
        i, j = tid(x), tid(y)
        if i == j:
            continue
        url.setdefault(i, set()).add(j)
        url.setdefault(j, set()).add(i)
        if s.strip() == "1":
            paraphrase.setdefault(i, set()).add(j)
            paraphrase.setdefault(j, set()).add(i)
    return texts, {"paraphrase": paraphrase, "same_url": url}


def relevance(ranked, relations):
    """MRR (first related partner within the ranking given) and recall@10, per relation."""
    out = {}
    for name, rel in relations.items():
        rr, rec = [], []
        for q, partners in rel.items():
            hits = ranked.get(q, [])
            first = next((k for k, h in enumerate(hits) if h in partners), None)
            rr.append(0 if first is None else 1 / (first + 1))
            rec.append(len(set(hits[:10]) & partners) / len(partners))
        out[name] = {"queries": len(rel), "mrr": round(statistics.mean(rr), 4),
                     "recall_at_10": round(statistics.mean(rec), 4)}
    return out


def cmd_pairs(a):
    texts, relations = load_pairs()
    os.makedirs(OUT, exist_ok=True)
    corpus = os.path.join(OUT, "url-pairs.jsonl")
    with open(corpus, "w", encoding="utf-8") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": f"u{i}", "text": t}) + "\n")
    index = ensure_index(a.starling, corpus, "url-pairs", len(texts))
    wanted = sorted(set(relations["paraphrase"]) | set(relations["same_url"]))
    if a.sample and a.sample < len(wanted):
        # A seeded sample of the query tweets (all tweets stay indexed); both sides answer the same queries.
        wanted = sorted(random.Random(a.seed).sample(wanted, a.sample))
        keep = set(wanted)
        relations = {name: {q: p for q, p in rel.items() if q in keep} for name, rel in relations.items()}
    log(f"[pairs] {len(texts)} tweets, {len(wanted)} queries")

    rows, wall = similar_batch(a.starling, index, [f"u{i}" for i in wanted], "pairs-fast",
                               extra=["--limit", "100", "--include-cluster", "--include-author", "--explain-terms", "0"])
    starling = {q: [int(h["id"][1:]) for h in r.get("hits", [])] for q, r in zip(wanted, rows)}

    from sklearn.feature_extraction.text import TfidfVectorizer
    import numpy as np
    t0 = time.time()
    X = TfidfVectorizer(sublinear_tf=True, norm="l2").fit_transform(texts).tocsr()
    sk = {}
    for start in range(0, len(wanted), 2000):
        block = wanted[start:start + 2000]
        S = (X[block] @ X.T).toarray()
        for row, q in zip(S, block):
            row[q] = -1
            top = np.argpartition(-row, 100)[:100]
            top = top[np.argsort(-row[top], kind="stable")]
            sk[q] = [int(t) for t in top if row[t] > 0]
    sk_seconds = time.time() - t0
    summary = {"tweets": len(texts), "queries": len(wanted), "sample_seed": a.seed if a.sample else None,
               "starling": relevance(starling, relations), "starling_seconds": round(wall, 1),
               "starling_latency": latency_summary(rows),
               "sklearn": relevance(sk, relations), "sklearn_seconds": round(sk_seconds, 1)}
    print(json.dumps(summary, indent=1))
    save("pairs", summary)


# MARK: latency

def million(a):
    """The 1M corpus (or --corpus), its post count, its index and the seeded query posts."""
    corpus = a.corpus or os.path.join(CORPUS_DIR, "1m.jsonl")
    with open(corpus, encoding="utf-8") as f:
        count = sum(1 for _ in f)
    return corpus, count, ensure_index(a.starling, corpus, a.tag or "1m", count), query_ids(a.queries, a.seed)


def cmd_latency(a):
    corpus, count, index, queries = million(a)
    # The first run computes (or loads) the documents' norms; it is reported, not timed with the queries.
    t0 = time.time()
    run_starling(a.starling, ["similar", "--index", index, "--json", queries[0]])
    first = time.time() - t0
    fast, wall = similar_batch(a.starling, index, queries, "latency-fast", passes=2)
    summary = {"corpus": corpus, "documents": count, "queries": len(queries), "seed": a.seed,
               "first_query_seconds": round(first, 1),
               "starling": latency_summary(fast), "starling_wall_seconds_two_passes": round(wall, 1),
               "mean_rescored": round(statistics.mean(r.get("scored", 0) for r in fast), 1)}
    if not a.skip_exact:
        exact, ewall = similar_batch(a.starling, index, queries, "latency-exact", extra=["--exact"])
        recall, perfect = recall_at_10(exact, fast)
        summary.update({"recall_at_10": round(recall, 4), "queries_perfect": perfect,
                        "exact_seconds": round(ewall, 1)})
    if not a.skip_sklearn:
        summary["sklearn"] = sklearn_latency(corpus, queries, a.passes)
        s, p = summary["starling"], summary["sklearn"]
        summary["ratio_sklearn_over_starling"] = {"p50": round(p["p50_ms"] / s["p50_ms"], 2),
                                                 "p99": round(p["p99_ms"] / s["p99_ms"], 2)}
    print(json.dumps(summary, indent=1))
    save("latency", summary)


def cmd_http(a):
    import http.client
    import urllib.parse
    corpus, count, index, queries = million(a)
    cli, _ = similar_batch(a.starling, index, queries, "http-cli", passes=2)
    server = subprocess.Popen([a.starling, "serve", "--index", index, "--port", "0", "--no-unshorten"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        if "listening on http://" not in line:
            raise SystemExit(f"starling serve did not start: {line!r}")
        host, port = line.split("http://", 1)[1].strip().rstrip("/").rsplit(":", 1)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)

        def get(q):
            conn.request("GET", "/v1/similar?" + urllib.parse.urlencode({"id": q, "limit": 10}))
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                raise SystemExit(f"GET /v1/similar?id={q}: HTTP {r.status} {body[:200]!r}")
            return json.loads(body)

        t0 = time.perf_counter()
        get(queries[0])  # loads (or builds) the similarity store: reported, not timed with the queries
        first = time.perf_counter() - t0
        ms, answers = [], []
        for _ in range(2):
            answers = []
            for q in queries:
                t = time.perf_counter()
                answers.append(get(q))
                ms.append((time.perf_counter() - t) * 1000)
        conn.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    same = sum([h["id"] for h in x.get("hits", [])] == [h["id"] for h in y.get("hits", [])]
               for x, y in zip(answers, cli))
    summary = {"corpus": corpus, "documents": count, "queries": len(queries), "seed": a.seed,
               "first_request_seconds": round(first, 2),
               "http": {"p50_ms": round(percentile(ms, 50), 3), "p99_ms": round(percentile(ms, 99), 3),
                        "mean_ms": round(statistics.mean(ms), 3)},
               "cli_in_process": latency_summary(cli),
               "same_hits_as_cli": same,
               "exact_answers": sum(1 for x in answers if x.get("exact") is True)}
    print(json.dumps(summary, indent=1))
    save("http", summary)


def sklearn_latency(corpus, queries, passes):
    from sklearn.feature_extraction.text import TfidfVectorizer
    import numpy as np
    import sklearn
    texts, position = [], {}
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            position[p["id"]] = len(texts)
            texts.append(p["text"])
    t0 = time.time()
    X = TfidfVectorizer(sublinear_tf=True, norm="l2").fit_transform(texts).tocsr()
    fit = time.time() - t0
    XT = X.T.tocsr()
    rows = [position[q] for q in queries]
    medians = []
    for _ in range(passes):
        times = []
        for r in rows:
            t = time.perf_counter()
            scores = (X[r] @ XT).toarray().ravel()
            scores[r] = -1
            top = np.argpartition(-scores, 10)[:10]
            top[np.argsort(-scores[top], kind="stable")]
            times.append((time.perf_counter() - t) * 1000)
        medians.append(times)
    best = min(medians, key=lambda t: percentile(t, 50))
    return {"version": sklearn.__version__, "fit_seconds": round(fit, 1), "vocabulary": X.shape[1],
            "p50_ms": round(percentile(best, 50), 3), "p99_ms": round(percentile(best, 99), 3),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    for name in ("recall", "pairs", "latency", "http", "shards"):
        s = sub.add_parser(name)
        s.add_argument("--starling", default=os.path.join(ROOT, ".build", "release", "starling"))
        s.add_argument("--corpus", help="native NDJSON (default: tools/bench/out/corpus/real.jsonl or 1m.jsonl)")
        s.add_argument("--tag", help="index name under out/indexes")
        s.add_argument("--queries", type=int, default=500)
        s.add_argument("--seed", type=int, default=6)
        s.add_argument("--passes", type=int, default=2, help="sklearn timing passes (the better median is kept)")
        s.add_argument("--skip-exact", action="store_true")
        s.add_argument("--skip-sklearn", action="store_true")
        s.add_argument("--sample", type=int, default=0, help="pairs: a seeded sample of N query tweets (0: all)")
        s.add_argument("--candidates", type=lambda t: [int(x) for x in t.split(",")], default=[200],
                       help="shards: the matcher's candidates, comma-separated values to compare")
        s.add_argument("--remote-exact", action="store_true", help="shards: also time one --exact query over them")
    a = p.parse_args()
    a.starling = os.path.abspath(a.starling)
    os.makedirs(OUT, exist_ok=True)
    {"recall": cmd_recall, "pairs": cmd_pairs, "latency": cmd_latency, "http": cmd_http, "shards": cmd_shards}[a.command](a)


if __name__ == "__main__":
    main()
