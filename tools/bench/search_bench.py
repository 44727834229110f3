#!/usr/bin/env python3
"""Search benchmark: Starling side by side with SQLite FTS5, tantivy and Xapian, in one run, on the same posts.

    python3 tools/bench/search_bench.py --corpus real --starling .build/release/starling
    python3 tools/bench/search_bench.py --corpus real --engines fts5,tantivy,xapian --limit-posts 20000

Each engine indexes the corpus and answers the query set (queries.py) in its own process, so its peak RSS is
its own (os.wait4 gives each child's rusage). The peers run engines.py; Starling is driven through its CLI
(`starling index --format native`, then `starling search --json --queries FILE`, whose per-query elapsed_ms is
its latency). After a warm-up pass, every query is timed in 3 passes. The Markdown tables go to stdout and
everything measured to tools/bench/out/results/. The run fails (exit 1, with the reason) when Starling
returns nothing for more than --max-empty queries that every peer answered, when its hashtag precision is
below 1.0, when a query errors, or when its output does not match the queries sent.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import build_corpus
import queries as queries_mod

HERE = Path(__file__).resolve().parent
PEERS = ("fts5", "tantivy", "xapian")
KIND_ORDER = ("single", "and", "phrase", "hashtag")
KIND_LABEL = {"single": "single", "and": "AND", "phrase": "phrase", "hashtag": "#"}


# MARK: helpers

def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def disk_usage(path: Path) -> int:
    """Bytes on disk, as du counts them (allocated blocks)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            total += os.lstat(os.path.join(root, name)).st_blocks * 512
    return total


def speed_probe_ms() -> float:
    """A 1M-iteration Python loop: a yardstick for how fast this shared machine is right now."""
    t = time.perf_counter()
    x = 0
    for i in range(1_000_000):
        x += i
    return (time.perf_counter() - t) * 1000


def run_child(cmd: list[str], stdout=None, stderr=None) -> tuple[int, float, int]:
    """Runs cmd to the end; returns (exit status, wall seconds, the child's own peak RSS in KiB)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t, usage.ru_maxrss


def fmt(x, digits=2, none="–") -> str:
    if x is None:
        return none
    if isinstance(x, int) or (isinstance(x, float) and digits == 0):
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


# MARK: inputs

def resolve_corpus(spec: str, out: Path, limit: int | None) -> tuple[Path, str]:
    """The corpus file and a short tag naming it; builds real/1m with build_corpus when missing."""
    if spec in ("real", "1m"):
        path = out / "corpus" / f"{spec}.jsonl"
        if not path.exists():
            print(f"building {path} ...", file=sys.stderr)
            data = build_corpus.default_data_dir()
            if not (data / "corpora").is_dir():
                raise SystemExit(f"search_bench: {data / 'corpora'} is absent, cannot build the corpus")
            build_corpus.build(out / "corpus", data, million=(spec == "1m"))
        tag = spec
    else:
        path = Path(spec)
        if not path.exists():
            raise SystemExit(f"search_bench: no corpus file {path}")
        tag = path.stem
    if limit:
        sliced = out / "corpus" / f"{tag}-first{limit}.jsonl"
        with open(path, "rb") as src, open(sliced, "wb") as dst:
            for n, line in enumerate(src):
                if n >= limit:
                    break
                dst.write(line)
        path, tag = sliced, f"{tag}-first{limit}"
    return path, tag


def resolve_queries(spec: Path | None, corpus_spec: str, corpus: Path, tag: str, out: Path, limit: int | None) -> Path:
    """The query set: given, or the fixed set drawn from real.jsonl, or (for a slice) drawn from the slice."""
    if spec:
        return spec
    if limit or corpus_spec not in ("real", "1m"):
        path = out / f"queries-{tag}.json"
        queries_mod.build(corpus, path)
        return path
    path = out / "queries.json"
    if not path.exists():
        real, _ = resolve_corpus("real", out, None)
        queries_mod.build(real, path)
    return path


# MARK: engines

def run_peer(name: str, corpus: Path, queries_file: Path, index_dir: Path, work: Path, passes: int,
             xapian_python: str) -> dict:
    python = xapian_python if name == "xapian" else sys.executable
    result_file = work / f"{name}.json"
    log = work / f"{name}.log"
    cmd = [python, str(HERE / "engines.py"), name, "--corpus", str(corpus), "--queries", str(queries_file),
           "--index-dir", str(index_dir), "--result", str(result_file), "--passes", str(passes)]
    with open(log, "wb") as err:
        status, wall, rss = run_child(cmd, stdout=err, stderr=err)
    if status != 0:
        raise SystemExit(f"search_bench: {name} failed (exit {status}); see {log}:\n{log.read_text()[-2000:]}")
    r = json.loads(result_file.read_text())
    r["index_bytes"] = disk_usage(index_dir)
    r["peak_rss_kib"] = rss
    r["process_seconds"] = wall
    if name == "xapian" and shutil.which("xapian-compact"):
        # Xapian's size compacted too, measured on a copy (its searches run on the index as written), so the
        # two engines' compacted figures can be compared as well as their as-written ones.
        copy = index_dir.with_name(index_dir.name + "-compacted")
        shutil.rmtree(copy, ignore_errors=True)
        done = subprocess.run(["xapian-compact", str(index_dir), str(copy)], capture_output=True)
        if done.returncode == 0:
            r["index_bytes_compacted"] = disk_usage(copy)
        shutil.rmtree(copy, ignore_errors=True)
    return r


def run_starling(binary: str, corpus: Path, posts: int, queries: list[dict], index_dir: Path, work: Path,
                 passes: int) -> tuple[dict, list[str]]:
    """Indexes and queries through the CLI; returns the result and the problems found with its output."""
    problems: list[str] = []
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(work / "starling-index.out", "wb") as o, open(work / "starling-index.err", "wb") as e:
        status, index_seconds, index_rss = run_child(
            [binary, "index", "--index", str(index_dir), "--format", "native", str(corpus)], stdout=o, stderr=e)
    if status != 0:
        err = (work / "starling-index.err").read_text(errors="replace")[-2000:]
        raise SystemExit(f"search_bench: FAIL: `starling index` exited {status}:\n{err}")
    summary = [l for name in ("starling-index.out", "starling-index.err")
               for l in (work / name).read_text(errors="replace").strip().splitlines()]
    print(f"  starling index: {summary[-1] if summary else '(no summary)'}", file=sys.stderr)

    documents = None
    try:
        stats = subprocess.run([binary, "stats", "--index", str(index_dir), "--json"], capture_output=True,
                               text=True, timeout=120)
        if stats.returncode == 0:
            documents = json.loads(stats.stdout).get("documents")
    except (OSError, ValueError, subprocess.TimeoutExpired):
        pass
    if documents is not None and documents != posts:
        print(f"  warning: starling stats says {documents:,} documents, the corpus has {posts:,} posts",
              file=sys.stderr)

    # Starling's index is measured as written (`starling index` compacts after a bulk import by itself, as it
    # does here), then after `starling compact` (a no-op then): both sizes are reported and the searches run on
    # the compacted one. Plain Xapian's as-written figure is uncompacted; its compacted size is measured on a copy.
    index_bytes = disk_usage(index_dir)
    t0 = time.perf_counter()
    compact = subprocess.run([binary, "compact", "--index", str(index_dir), "--json"], capture_output=True, text=True)
    compact_seconds = time.perf_counter() - t0
    if compact.returncode != 0:
        problems.append(f"`starling compact` exited {compact.returncode}: {compact.stderr[-300:]}")
    print(f"  starling compact: {index_bytes / 2**20:.1f} MiB -> {disk_usage(index_dir) / 2**20:.1f} MiB "
          f"in {compact_seconds:.1f} s", file=sys.stderr)

    qfile = work / "starling-queries.txt"
    texts = [q["starling"] for q in queries]
    qfile.write_text("".join(t + "\n" for t in texts * (passes + 1)), encoding="utf-8")
    with open(work / "starling-search.out", "wb") as o, open(work / "starling-search.err", "wb") as e:
        status, search_seconds, search_rss = run_child(
            [binary, "search", "--index", str(index_dir), "--json", "--limit", "10", "--queries", str(qfile)],
            stdout=o, stderr=e)
    if status != 0:
        problems.append(f"`starling search --queries` exited {status}: "
                        + (work / "starling-search.err").read_text(errors="replace")[-500:])
    lines = [l for l in (work / "starling-search.out").read_text(encoding="utf-8").splitlines() if l.strip()]
    expected = len(texts) * (passes + 1)
    if len(lines) != expected:
        problems.append(f"`starling search` printed {len(lines)} JSON lines for {expected} queries")

    out = [{"n": q["n"], "total": None, "ids": [], "ms": [], "error": None} for q in queries]
    for k, line in enumerate(lines[:expected]):
        i, p = k % len(texts), k // len(texts)
        try:
            obj = json.loads(line)
        except ValueError:
            out[i]["error"] = f"not JSON: {line[:200]}"
            continue
        if obj.get("query") not in (None, texts[i]):
            problems.append(f"line {k + 1}: answer for {obj.get('query')!r}, expected {texts[i]!r}")
            break
        if "error" in obj or "total" not in obj:
            out[i]["error"] = str(obj.get("error", "no total"))
            continue
        if p == 0:
            out[i]["total"] = obj["total"]
            out[i]["ids"] = [h["id"] for h in obj.get("hits", [])]
        else:
            if obj["total"] != out[i]["total"]:
                problems.append(f"query {texts[i]!r}: total {obj['total']} in pass {p}, {out[i]['total']} in pass 0")
            if not isinstance(obj.get("elapsed_ms"), (int, float)):
                problems.append(f"query {texts[i]!r}: no numeric elapsed_ms in {line[:200]}")
                break
            out[i]["ms"].append(float(obj["elapsed_ms"]))
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return {
        "engine": "starling", "version": version or binary, "posts": posts, "documents": documents,
        "index_seconds": index_seconds, "index_rss_kib": index_rss, "search_rss_kib": search_rss,
        "search_process_seconds": search_seconds, "peak_rss_kib": max(index_rss, search_rss),
        "index_bytes": index_bytes, "index_bytes_compacted": disk_usage(index_dir),
        "compact_seconds": compact_seconds, "queries": out,
    }, problems


# MARK: ground truth for hashtags

def hashtag_truth(corpus: Path, queries: list[dict], results: dict[str, dict]) -> tuple[dict[int, int], dict[str, str]]:
    """Posts that really carry each queried hashtag, and the texts of every post in a hashtag query's top 10."""
    tags = {q["words"][0].lower(): q["n"] for q in queries if q["kind"] == "hashtag"}
    wanted = {id for r in results.values() for q in r["queries"] if q["n"] in tags.values() for id in q["ids"]}
    counts = {n: 0 for n in tags.values()}
    texts: dict[str, str] = {}
    if not tags:
        return counts, texts
    pattern = re.compile(r"#(" + "|".join(map(re.escape, sorted(tags, key=len, reverse=True))) + r")(?!\w)",
                         re.IGNORECASE)
    with open(corpus, "rb") as f:
        for line in f:
            p = json.loads(line)
            text = p["text"]
            if "#" in text:
                for tag in {m.lower() for m in pattern.findall(text)}:
                    counts[tags[tag]] += 1
            if p["id"] in wanted:
                texts[p["id"]] = text
    return counts, texts


def carries(text: str | None, tag: str) -> bool:
    return text is not None and re.search("#" + re.escape(tag) + r"(?!\w)", text, re.IGNORECASE) is not None


# MARK: analysis

def summarise(r: dict, queries: list[dict], tag_posts: dict[int, int], texts: dict[str, str]) -> dict:
    by_n = {q["n"]: q for q in queries}
    all_ms = [t for q in r["queries"] for t in q["ms"]]
    kinds = {}
    for kind in KIND_ORDER:
        qs = [q for q in r["queries"] if by_n[q["n"]]["kind"] == kind]
        kinds[kind] = {
            "p50_ms": percentile([t for q in qs for t in q["ms"]], 50),
            "median_hits": median([q["total"] for q in qs if q["total"] is not None]),
        }
    precisions, coverage = [], []
    for q in r["queries"]:
        spec = by_n[q["n"]]
        if spec["kind"] != "hashtag" or not q["ids"]:
            continue
        tag = spec["words"][0]
        q["hashtag_precision"] = sum(carries(texts.get(id), tag) for id in q["ids"]) / len(q["ids"])
        precisions.append(q["hashtag_precision"])
        if tag_posts.get(q["n"]):
            coverage.append(q["total"] / tag_posts[q["n"]])
    posts = r["posts"]
    return {
        "posts": posts,
        "posts_per_s": posts / r["index_seconds"] if r["index_seconds"] else None,
        "index_seconds": r["index_seconds"],
        "index_bytes": r["index_bytes"],
        "bytes_per_post": r["index_bytes"] / posts if posts else None,
        "bytes_per_post_compacted": (r["index_bytes_compacted"] / posts
                                     if posts and r.get("index_bytes_compacted") else None),
        "peak_rss_mib": r["peak_rss_kib"] / 1024,
        "index_rss_mib": r["index_rss_kib"] / 1024,
        "p50_ms": percentile(all_ms, 50), "p95_ms": percentile(all_ms, 95), "p99_ms": percentile(all_ms, 99),
        "kinds": kinds,
        "hashtag_precision": statistics.fmean(precisions) if precisions else None,
        "hashtag_queries_perfect": sum(1 for p in precisions if p == 1.0),
        "hashtag_hits_per_tagged_post": median(coverage),
        "empty": sum(1 for q in r["queries"] if q["total"] == 0 or (q["total"] is None and not q["error"])),
        "errors": sum(1 for q in r["queries"] if q["error"]),
    }


def compare(results: dict[str, dict], queries: list[dict]) -> dict:
    """Hit-count ratios to tantivy, and queries an engine answers with nothing while every other one has hits."""
    by_n = {q["n"]: q for q in queries}
    totals = {name: {q["n"]: q["total"] for q in r["queries"]} for name, r in results.items()}
    out = {}
    for name in results:
        others = [o for o in results if o != name and o != "starling"] or [o for o in results if o != name]
        lonely = [by_n[n]["starling"] for n, t in totals[name].items()
                  if not t and others and all((totals[o].get(n) or 0) > 0 for o in others)]
        ratio = {}
        if "tantivy" in results and name != "tantivy":
            for kind in KIND_ORDER:
                rs = [(totals[name][n] or 0) / totals["tantivy"][n] for n in totals[name]
                      if by_n[n]["kind"] == kind and totals["tantivy"].get(n)]
                ratio[kind] = median(rs)
        out[name] = {"empty_where_others_hit": lonely, "hits_ratio_to_tantivy": ratio}
    return out


def markdown(summary: dict[str, dict], comparison: dict, baseline: str, meta: dict) -> str:
    lines = [f"### {meta['corpus_tag']}: {meta['posts']:,} posts, {meta['queries']} queries, "
             f"{meta['passes']} timed passes after a warm-up", ""]
    lines += ["| engine | posts/s | index MiB | bytes/post | peak RSS MiB | p50/p95/p99 ms | "
              "p50 single/AND/phrase/# ms | median hits single/AND/phrase/# | # precision | empty | errors |",
              "|---|---:|---:|---:|---:|---|---|---|---:|---:|---:|"]
    for name, s in summary.items():
        k = s["kinds"]
        lines.append(
            f"| {name} | {fmt(s['posts_per_s'], 0)} | {fmt(s['index_bytes'] / 2**20, 1)} | {fmt(s['bytes_per_post'], 0)} "
            f"| {fmt(s['peak_rss_mib'], 0)} | {fmt(s['p50_ms'])}/{fmt(s['p95_ms'])}/{fmt(s['p99_ms'])} "
            f"| {'/'.join(fmt(k[x]['p50_ms']) for x in KIND_ORDER)} "
            f"| {'/'.join(fmt(k[x]['median_hits'], 0) for x in KIND_ORDER)} "
            f"| {fmt(s['hashtag_precision'], 3)} | {s['empty']} | {s['errors']} |")
    compacted = {n: s for n, s in summary.items() if s.get("bytes_per_post_compacted")}
    if compacted:
        lines.append("")
        for n, s in compacted.items():
            how = ("after `starling compact` (searches ran on the compacted index)" if n == "starling"
                   else "compacted (a copy made by xapian-compact; searches ran on the index as written)")
            lines.append(f"{n}: bytes/post {fmt(s['bytes_per_post'], 0)} as written, "
                         f"{fmt(s['bytes_per_post_compacted'], 0)} {how}")
        lines.append("")
    b = summary[baseline]

    def ratio(a, c):
        return f"{a / c:.2f}×" if a is not None and c else "–"

    lines += ["", f"Ratios to {baseline} (engine ÷ {baseline}; posts/s above 1 = faster than {baseline}, "
              f"latency/size/RSS above 1 = slower or bigger than {baseline}):", "",
              "| engine | posts/s | p50 | p95 | p99 | index size | peak RSS |", "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in summary.items():
        if name == baseline:
            continue
        lines.append(f"| {name} | {ratio(s['posts_per_s'], b['posts_per_s'])} | {ratio(s['p50_ms'], b['p50_ms'])} "
                     f"| {ratio(s['p95_ms'], b['p95_ms'])} | {ratio(s['p99_ms'], b['p99_ms'])} "
                     f"| {ratio(s['index_bytes'], b['index_bytes'])} | {ratio(s['peak_rss_mib'], b['peak_rss_mib'])} |")
    lines += ["", "Answers: median hit-count ratio to tantivy's exact count per kind, hashtag hits per post really "
              "carrying the tag (median), and queries answered with nothing while every peer found hits:", "",
              "| engine | hits ÷ tantivy single/AND/phrase/# | # hits ÷ tagged posts | # queries all top-10 tagged "
              "| empty where peers hit |", "|---|---|---:|---:|---|"]
    for name, s in summary.items():
        c = comparison[name]
        r = c["hits_ratio_to_tantivy"]
        ratios = "/".join(fmt(r.get(k)) for k in KIND_ORDER) if r else "(reference)"
        lonely = c["empty_where_others_hit"]
        shown = ", ".join(f"`{q}`" for q in lonely[:5]) + (" …" if len(lonely) > 5 else "")
        lines.append(f"| {name} | {ratios} | {fmt(s['hashtag_hits_per_tagged_post'])} | "
                     f"{s['hashtag_queries_perfect']} of {meta['hashtag_queries']} | {len(lonely)} {shown} |")
    lines += ["", f"Speed probe (1M-iteration Python loop) before each engine, ms: "
              + ", ".join(f"{n} {fmt(meta['probe_ms'][n], 0)}" for n in summary), ""]
    return "\n".join(lines)


# MARK: main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--corpus", default="real", help="real, 1m (built into OUT/corpus when missing) or a native NDJSON file")
    ap.add_argument("--starling", help="path to the starling binary (adds the starling engine)")
    ap.add_argument("--engines", help="comma-separated engines among fts5,tantivy,xapian,starling "
                                      "(default: the three peers, plus starling when --starling is given)")
    ap.add_argument("--limit-posts", type=int, help="use the first N posts only (queries are then drawn from them)")
    ap.add_argument("--queries", type=Path, help="query set JSON (default: OUT/queries.json, drawn from real.jsonl)")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="output directory (default: %(default)s)")
    ap.add_argument("--passes", type=int, default=3, help="timed passes over the query set (default: 3)")
    ap.add_argument("--max-empty", type=int, default=3,
                    help="how many queries Starling may answer with nothing while every peer has hits (default: 3)")
    ap.add_argument("--baseline", help="engine the ratios are taken to (default: starling, else the first engine)")
    ap.add_argument("--xapian-python", default="/usr/bin/python3", help="interpreter with Debian's python3-xapian")
    ap.add_argument("--keep-indexes", action="store_true", help="keep the indexes under OUT/indexes")
    args = ap.parse_args(argv)

    engines = args.engines.split(",") if args.engines else list(PEERS) + (["starling"] if args.starling else [])
    unknown = [e for e in engines if e not in PEERS + ("starling",)]
    if unknown:
        ap.error(f"unknown engine(s): {', '.join(unknown)}")
    if "starling" in engines and not args.starling:
        ap.error("--engines includes starling: give --starling PATH")
    if args.starling and not os.access(args.starling, os.X_OK):
        ap.error(f"--starling {args.starling}: not an executable file")
    baseline = args.baseline or ("starling" if "starling" in engines else engines[0])
    if baseline not in engines:
        ap.error(f"--baseline {baseline} is not among the engines run")

    out = args.out.resolve()
    corpus, tag = resolve_corpus(args.corpus, out, args.limit_posts)
    queries_file = resolve_queries(args.queries, args.corpus, corpus, tag, out, args.limit_posts)
    qdoc = json.loads(queries_file.read_text(encoding="utf-8"))
    queries = qdoc["queries"]
    with open(corpus, "rb") as f:
        posts = sum(1 for _ in f)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    work = out / "runs" / f"{tag}-{stamp}"
    work.mkdir(parents=True)
    print(f"corpus {corpus} ({posts:,} posts), {len(queries)} queries from {queries_file}", file=sys.stderr)

    results: dict[str, dict] = {}
    probes: dict[str, float] = {}
    problems: list[str] = []
    for name in engines:
        probes[name] = speed_probe_ms()
        index_dir = out / "indexes" / tag / name
        print(f"{name}: indexing and querying ...", file=sys.stderr)
        t = time.perf_counter()
        if name == "starling":
            results[name], problems = run_starling(args.starling, corpus, posts, queries, index_dir, work, args.passes)
        else:
            results[name] = run_peer(name, corpus, queries_file, index_dir, work, args.passes, args.xapian_python)
        r = results[name]
        print(f"  {name}: {r['posts']:,} posts in {r['index_seconds']:.1f} s, whole run {time.perf_counter() - t:.1f} s",
              file=sys.stderr)
        if r["posts"] != posts:
            problems.append(f"{name} indexed {r['posts']:,} posts of {posts:,}")
        if not args.keep_indexes:
            shutil.rmtree(index_dir, ignore_errors=True)

    tag_posts, texts = hashtag_truth(corpus, queries, results)
    summary = {name: summarise(r, queries, tag_posts, texts) for name, r in results.items()}
    comparison = compare(results, queries)
    meta = {"corpus": str(corpus), "corpus_tag": tag, "posts": posts, "queries": len(queries),
            "queries_file": str(queries_file), "hashtag_queries": sum(q["kind"] == "hashtag" for q in queries),
            "passes": args.passes, "probe_ms": probes, "started": stamp, "baseline": baseline,
            "versions": {n: r["version"] for n, r in results.items()}, "loadavg": os.getloadavg()}
    table = markdown(summary, comparison, baseline, meta)
    print(table)

    if "starling" in results:
        s, c = summary["starling"], comparison["starling"]
        lonely = c["empty_where_others_hit"]
        if len(lonely) > args.max_empty:
            problems.append(f"Starling returned nothing for {len(lonely)} queries where every peer found hits "
                            f"(allowed: {args.max_empty}): {lonely[:20]}")
        if s["hashtag_precision"] is None or s["hashtag_precision"] < 1.0:
            bad = [q for q in results["starling"]["queries"] if q.get("hashtag_precision", 1.0) < 1.0]
            problems.append(f"Starling's hashtag precision is {fmt(s['hashtag_precision'], 3)}, not 1.0: "
                            f"{len(bad)} #tag queries have top-10 hits without the hashtag")
        if s["errors"]:
            errs = [(q["n"], q["error"]) for q in results["starling"]["queries"] if q["error"]]
            problems.append(f"Starling failed {s['errors']} queries: {errs[:5]}")
        ratio = c["hits_ratio_to_tantivy"]
        print(f"\nStarling's hit counts ÷ tantivy's exact counts (median): single {fmt(ratio.get('single'))}, "
              f"phrase {fmt(ratio.get('phrase'))}, AND {fmt(ratio.get('and'))}, # {fmt(ratio.get('hashtag'))}")

    record = {"meta": meta, "summary": summary, "comparison": comparison, "problems": problems,
              "queries": queries, "hashtag_posts": tag_posts,
              "per_query": {n: [{"n": q["n"], "total": q["total"], "ids": q["ids"], "p50_ms": percentile(q["ms"], 50),
                                 "error": q["error"], **({"hashtag_precision": q["hashtag_precision"]}
                                                          if "hashtag_precision" in q else {})}
                                for q in r["queries"]] for n, r in results.items()}}
    results_dir = out / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    for path in (results_dir / f"{tag}-{stamp}.json", results_dir / f"{tag}-latest.json"):
        path.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    (results_dir / f"{tag}-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    print(f"\nresults: {results_dir / f'{tag}-{stamp}.json'} (and .md); logs: {work}", file=sys.stderr)

    if problems:
        print("\n" + "=" * 72 + "\nSEARCH BENCHMARK FAILED:\n" + "\n".join(f"  - {p}" for p in problems)
              + "\n" + "=" * 72, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
