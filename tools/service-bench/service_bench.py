#!/usr/bin/env python3
"""Load benchmark of `starling serve` on loopback: search throughput and latency while ingest runs, and the
ingest-to-searchable delay. Bounded in time.

Phases (each bounded; the run never exceeds --max-seconds overall by more than one request):
  1. preload  : POST the first --preload posts of --corpus (NDJSON, batches of --batch) into a fresh index, or
                build it with `starling index` (--preload-with cli, faster for 1M), then start the service on it.
  2. idle     : --searchers threads search (the benchmark's fixed query set) for --idle-seconds; no ingest.
  3. loaded   : the same searches for --duration seconds while one client ingests the rest of the corpus in
                batches of --batch and a probe posts one marked post every 0.5 s and polls search until it is
                found: ack latency (POST sent -> 200) and ack-to-searchable delay.
  4. check    : 20 queries asked of the service and of `starling search --json` on the same index must agree.

Prints a JSON report (and writes it to --out). The client runs on the same machine as the server: on a small
machine the Python client's own CPU use lowers the figures; the report records the core count.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def ms(x: float | None) -> float | None:
    return None if x is None else round(x * 1000, 2)


class Client:
    """One keep-alive HTTP/1.1 connection (one per thread)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                headers = {"Content-Type": "application/x-ndjson"} if body is not None else {}
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                return r.status, r.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 1:
                    raise
        raise RuntimeError("unreachable")

    def search(self, q: str, limit: int = 10) -> tuple[int, dict]:
        status, body = self.request("GET", "/v1/search?" + urllib.parse.urlencode({"q": q, "limit": limit}))
        return status, json.loads(body) if body else {}


def corpus_batches(path: Path, batch: int, skip: int = 0):
    """Yields lists of raw NDJSON lines (bytes), skipping the first `skip` lines."""
    with path.open("rb") as f:
        for _ in range(skip):
            if not f.readline():
                return
        lines = []
        for line in f:
            if line.strip():
                lines.append(line.rstrip(b"\n"))
            if len(lines) >= batch:
                yield lines
                lines = []
        if lines:
            yield lines


def endless_batches(path: Path, batch: int, skip: int):
    """The corpus from line `skip`, then again from the start with ids suffixed `~rN` (new posts), forever: the
    loaded phase keeps ingesting new posts even when the whole corpus was preloaded."""
    yield from corpus_batches(path, batch, skip)
    rnd = 0
    while True:
        rnd += 1
        for lines in corpus_batches(path, batch):
            out = []
            for line in lines:
                o = json.loads(line)
                o["id"] = f"{o['id']}~r{rnd}"
                out.append(json.dumps(o, ensure_ascii=False).encode())
            yield out


def start_server(binary: str, index: str) -> tuple[subprocess.Popen, int]:
    p = subprocess.Popen([binary, "serve", "--index", index, "--port", "0", "--max-body", str(64 << 20)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        if line.startswith("listening on http://"):
            return p, int(line.strip().rsplit(":", 1)[1])
    p.kill()
    raise SystemExit("starling serve did not start: " + (p.stderr.read() if p.stderr else ""))


def run_searches(port: int, queries: list[str], stop: threading.Event, out: dict, offset: int) -> None:
    c = Client(port)
    lat: list[float] = []
    errors = 0
    i = offset
    while not stop.is_set():
        q = queries[i % len(queries)]
        i += 1
        t0 = time.perf_counter()
        try:
            status, _ = c.request("GET", "/v1/search?" + urllib.parse.urlencode({"q": q, "limit": 10}))
        except Exception:
            status = -1
        lat.append(time.perf_counter() - t0)
        if status != 200:
            errors += 1
    out.setdefault("latencies", []).extend(lat)
    out["errors"] = out.get("errors", 0) + errors


def search_phase(port: int, queries: list[str], threads: int, seconds: float, during=None) -> dict:
    stop = threading.Event()
    results: list[dict] = [{} for _ in range(threads)]
    ts = [threading.Thread(target=run_searches, args=(port, queries, stop, results[k], k * 37)) for k in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    extra = during(stop) if during else None
    time.sleep(max(0.0, seconds - (time.perf_counter() - t0)))
    stop.set()
    for t in ts:
        t.join()
    if extra:
        for t in extra:
            t.join()
    elapsed = time.perf_counter() - t0
    lat = [x for r in results for x in r.get("latencies", [])]
    return {"seconds": round(elapsed, 2), "searches": len(lat), "errors": sum(r.get("errors", 0) for r in results),
            "searches_per_second": round(len(lat) / elapsed, 1),
            "p50_ms": ms(percentile(lat, 50)), "p90_ms": ms(percentile(lat, 90)), "p99_ms": ms(percentile(lat, 99)),
            "max_ms": ms(max(lat) if lat else None)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--starling", default=None, help="the starling binary (default: a release build in .build*)")
    ap.add_argument("--corpus", type=Path, default=ROOT / "tools/bench/out/corpus/1m.jsonl")
    ap.add_argument("--queries", type=Path, default=ROOT / "tools/bench/out/queries.json")
    ap.add_argument("--preload", type=int, default=100_000, help="posts in the index before measuring")
    ap.add_argument("--preload-with", choices=["http", "cli"], default="http",
                    help="http: POST /v1/posts (measures the service's bulk ingest); cli: `starling index`")
    ap.add_argument("--batch", type=int, default=1000, help="posts per ingest request")
    ap.add_argument("--searchers", type=int, default=2, help="concurrent search clients")
    ap.add_argument("--idle-seconds", type=float, default=15)
    ap.add_argument("--duration", type=float, default=60, help="seconds of searching under ingest")
    ap.add_argument("--max-seconds", type=float, default=1800, help="bound on the whole run")
    ap.add_argument("--index", help="index directory, kept (default: a temporary one, removed after); an existing "
                    "index is measured as it is, without preload")
    ap.add_argument("--out", type=Path, default=ROOT / "tools/service-bench/out/result.json")
    args = ap.parse_args(argv)

    started = time.time()
    binary = args.starling
    if binary is None:
        for cand in [".build-service-rel/release/starling", ".build-release/release/starling", ".build/release/starling"]:
            if (ROOT / cand).exists():
                binary = str(ROOT / cand)
                break
    if binary is None:
        raise SystemExit("no release build found: swift build -c release --product starling (or give --starling)")
    queries = [q["starling"] for q in json.loads(args.queries.read_text())["queries"]]
    tmp = None
    index = args.index
    if index is None:
        tmp = tempfile.mkdtemp(prefix="starling-service-bench-")
        index = os.path.join(tmp, "index")
    report: dict = {"cores": os.cpu_count(), "corpus": str(args.corpus), "batch": args.batch,
                    "searchers": args.searchers, "binary": binary}
    server = None
    try:
        # 1. Preload.
        preloaded = 0
        t0 = time.perf_counter()
        reuse = args.index is not None and os.path.exists(os.path.join(index, "iamglass"))
        if reuse:
            # An index kept from an earlier run (--index): measured as it is, no preload.
            server, port = start_server(binary, index)
        elif args.preload_with == "cli":
            # `starling index` reads the corpus itself; past the time budget it gets SIGINT, which commits what
            # it read (so the size reached is whatever the budget allowed).
            head = os.path.join(tmp or os.path.dirname(index), "preload.jsonl")
            with args.corpus.open("rb") as src, open(head, "wb") as dst:
                for line in src:
                    if preloaded >= args.preload:
                        break
                    dst.write(line)
                    preloaded += 1
            p = subprocess.Popen([binary, "index", "--index", index, "--quiet", head], stdout=subprocess.DEVNULL)
            try:
                p.wait(timeout=max(10.0, args.max_seconds * 0.6))
            except subprocess.TimeoutExpired:
                p.send_signal(2)
                p.wait()
            os.remove(head)
            server, port = start_server(binary, index)
        else:
            server, port = start_server(binary, index)
            c = Client(port)
            budget = args.max_seconds * 0.6
            for lines in corpus_batches(args.corpus, args.batch):
                if preloaded >= args.preload or time.time() - started > budget:
                    break
                lines = lines[: args.preload - preloaded]
                status, body = c.request("POST", "/v1/posts", b"\n".join(lines))
                if status != 200:
                    raise SystemExit(f"preload failed: {status} {body[:300]!r}")
                preloaded += len(lines)
        elapsed = time.perf_counter() - t0
        docs = json.loads(Client(port).request("GET", "/v1/health")[1])["documents"]
        preloaded = docs if args.preload_with == "cli" or reuse else preloaded
        report["preload"] = {"with": "existing index" if reuse else args.preload_with, "posts": preloaded, "documents": docs,
                             "seconds": round(elapsed, 1), "posts_per_second": round(preloaded / elapsed, 1)}
        print(f"preloaded {preloaded} posts in {elapsed:.1f}s ({preloaded / elapsed:.0f}/s)", file=sys.stderr)

        # 2. Searches on an idle index.
        report["idle"] = search_phase(port, queries, args.searchers, args.idle_seconds)
        print("idle:", report["idle"], file=sys.stderr)

        # 3. Searches while ingesting, with the freshness probe.
        ingest = {"posts": 0, "requests": 0, "latencies": [], "errors": 0}
        fresh = {"ack": [], "visible": [], "polls": [], "missed": 0}

        def ingester(stop: threading.Event) -> None:
            c = Client(port)
            for lines in endless_batches(args.corpus, args.batch, skip=preloaded):
                if stop.is_set():
                    break
                t = time.perf_counter()
                status, _ = c.request("POST", "/v1/posts", b"\n".join(lines))
                ingest["latencies"].append(time.perf_counter() - t)
                ingest["requests"] += 1
                if status == 200:
                    ingest["posts"] += len(lines)
                else:
                    ingest["errors"] += 1

        def prober(stop: threading.Event) -> None:
            c = Client(port)
            k = 0
            while not stop.is_set():
                k += 1
                marker = f"zqprobe{os.getpid()}x{k}"
                post = json.dumps({"id": f"probe-{os.getpid()}-{k}", "text": f"freshness probe {marker}"}).encode()
                t_sent = time.perf_counter()
                status, _ = c.request("POST", "/v1/posts", post)
                t_ack = time.perf_counter()
                if status != 200:
                    fresh["missed"] += 1
                    continue
                fresh["ack"].append(t_ack - t_sent)
                polls = 0
                while True:
                    polls += 1
                    _, r = c.search(marker, 1)
                    if r.get("total", 0) >= 1:
                        fresh["visible"].append(time.perf_counter() - t_ack)
                        fresh["polls"].append(polls)
                        break
                    if time.perf_counter() - t_ack > 10:
                        fresh["missed"] += 1
                        break
                time.sleep(0.5)

        def during(stop: threading.Event):
            ts = [threading.Thread(target=ingester, args=(stop,)), threading.Thread(target=prober, args=(stop,))]
            for t in ts:
                t.start()
            return ts

        duration = min(args.duration, max(5.0, args.max_seconds - (time.time() - started) - 30))
        loaded = search_phase(port, queries, args.searchers, duration, during)
        il = ingest["latencies"]
        loaded["ingest"] = {"posts": ingest["posts"], "requests": ingest["requests"], "errors": ingest["errors"],
                            "posts_per_second": round(ingest["posts"] / loaded["seconds"], 1),
                            "request_p50_ms": ms(percentile(il, 50)), "request_p99_ms": ms(percentile(il, 99))}
        loaded["freshness"] = {
            "probes": len(fresh["ack"]), "missed": fresh["missed"],
            "ack_p50_ms": ms(percentile(fresh["ack"], 50)), "ack_p99_ms": ms(percentile(fresh["ack"], 99)),
            "ack_max_ms": ms(max(fresh["ack"]) if fresh["ack"] else None),
            "ack_to_searchable_p50_ms": ms(percentile(fresh["visible"], 50)),
            "ack_to_searchable_max_ms": ms(max(fresh["visible"]) if fresh["visible"] else None),
            "searches_until_found_max": max(fresh["polls"], default=None),
            "post_to_searchable_max_ms": ms(max((a + v for a, v in zip(fresh["ack"], fresh["visible"])), default=None)),
        }
        report["loaded"] = loaded
        report["ratio_loaded_to_idle_throughput"] = round(
            loaded["searches_per_second"] / max(report["idle"]["searches_per_second"], 1e-9), 3)
        print("loaded:", loaded, file=sys.stderr)

        # 4. Answers: the service and the CLI agree on the same index.
        c = Client(port)
        mismatches = []
        for q in queries[:: max(1, len(queries) // 20)][:20]:
            _, svc = c.search(q, 10)
            cli = subprocess.run([binary, "search", "--index", index, "--json", "--limit", "10", q],
                                 capture_output=True, text=True)
            ref = json.loads(cli.stdout) if cli.returncode == 0 else {}
            a = [h["id"] for h in svc.get("hits", [])]
            b = [h["id"] for h in ref.get("hits", [])]
            if a != b:
                mismatches.append({"query": q, "service": a, "cli": b, "service_total": svc.get("total"),
                                   "cli_total": ref.get("total")})
        report["check"] = {"queries": 20, "mismatches": mismatches}
        report["documents_after"] = json.loads(c.request("GET", "/v1/health")[1])["documents"]
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                server.kill()
            report["shutdown_status"] = server.returncode
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    report["total_seconds"] = round(time.time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0 if not report["check"]["mismatches"] and report["loaded"]["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
