#!/usr/bin/env python3
"""Near-duplicates and collapsed search over shards against one index (the Davidson tweets).

Indexes ../shared/data/corpora/davidson/labeled_data.csv once whole and once in two partitions
(`starling index --partition 0/2`, `1/2`), serves the partitions with two `xapian-tcpsrv` on loopback ports, then:
  - `duplicates ID` for posts that have near-duplicates in the whole index (a seeded sample): recall and extras over
    two shard folders (bucket files) and over the two remote shards (word-search candidates), and the time a query;
  - `duplicates --clusters`: the largest clusters over shards against the whole index's;
  - `search --collapse --limit 100` for ten queries: hits whose cleaned text shows twice on a page, and hits that
    differ from the whole index's page.

    python3 tools/dup-eval/shards.py --starling .build/release/starling [--probes 150] [--keep DIR]
"""
import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
QUERIES = ["bitch", "pussy", "trash", "yankees", "RT", "hoes", "lol", "charlie", "bird", "ghetto"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starling", default=os.path.join(ROOT, ".build", "release", "starling"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "corpora", "davidson", "labeled_data.csv"))
    ap.add_argument("--probes", type=int, default=150, help="posts with near-duplicates to look up")
    ap.add_argument("--keep", help="build the indexes here and keep them (default: a temporary folder)")
    args = ap.parse_args()
    if not os.path.exists(args.data):
        sys.exit(f"skipped: {args.data} is absent")
    if not shutil.which("xapian-tcpsrv"):
        sys.exit("skipped: xapian-tcpsrv is absent (Debian xapian-tools)")
    env = dict(os.environ, STARLING_ANALYZERS=os.environ.get("STARLING_ANALYZERS", os.path.join(ROOT, "analyzers")))
    work = args.keep or tempfile.mkdtemp(prefix="starling-shards-")
    os.makedirs(work, exist_ok=True)

    def run(argv, check=True):
        r = subprocess.run([args.starling] + argv, capture_output=True, text=True, env=env)
        if check and r.returncode != 0:
            sys.exit(f"starling {' '.join(argv)} failed: {r.stderr}")
        return r

    indexes = {name: os.path.join(work, name) for name in ("whole", "a", "b")}
    for name, part in (("whole", []), ("a", ["--partition", "0/2"]), ("b", ["--partition", "1/2"])):
        if not os.path.exists(indexes[name]):
            run(["index", "--index", indexes[name], "--quiet", "--map", "id=1,text=tweet"] + part + [args.data])
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen(["xapian-tcpsrv", "--port", str(p), indexes[n]], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True) for p, n in zip(ports, ("a", "b"))]
    try:
        time.sleep(1)
        where = {
            "one index": ["--index", indexes["whole"]],
            "two folders": ["--shard", indexes["a"], "--shard", indexes["b"]],
            "two remote": sum((["--shard", f"127.0.0.1:{p}"] for p in ports), []),
        }

        def dups(w, pid):
            r = run(["duplicates", "--json", "--limit", "100000"] + w + [pid], check=False)
            return {h["id"] for h in json.loads(r.stdout)["hits"]} if r.returncode == 0 else set()

        with open(args.data, encoding="utf-8") as f:
            ids = [line.split(",")[0] for line in f.read().splitlines()[1:] if line[:1].isdigit()]
        random.seed(7)
        sample = []
        for pid in random.sample(ids, min(len(ids), 40 * args.probes)):
            d = dups(where["one index"], pid)
            if d:
                sample.append((pid, d))
            if len(sample) >= args.probes:
                break
        print(f"duplicates ID: {len(sample)} posts with near-duplicates in one index "
              f"({sum(len(d) for _, d in sample)} near-duplicates)")
        for name in ("one index", "two folders", "two remote"):
            t = time.time()
            found = extra = same = 0
            for pid, d in sample:
                got = dups(where[name], pid)
                found += len(got & d)
                extra += len(got - d)
                same += got == d
            truth = sum(len(d) for _, d in sample)
            print(f"  {name:12} recall {found}/{truth} = {found / truth:.4f}, not in one index {extra}, "
                  f"identical lists {same}/{len(sample)}, {(time.time() - t) / len(sample):.3f} s a query (CLI)")

        def clusters(w):
            o = json.loads(run(["duplicates", "--json", "--clusters", "--limit", "20"] + w).stdout)
            return [(c["id"], c["size"]) for c in o["clusters"]]

        one = clusters(where["one index"])
        for name in ("two folders", "two remote"):
            many = clusters(where[name])
            same_rank = next((k for k, (a, b) in enumerate(zip(one, many)) if a != b), len(one))
            print(f"duplicates --clusters (20 largest), {name}: the first {same_rank} the same (id, size) as one "
                  f"index's; {len(set(one) & set(many))} of its 20 listed with the same id and size")

        def page(w, q):
            o = json.loads(run(["search", "--json", "--collapse", "--limit", "100"] + w + [q]).stdout)
            out = []
            for h in o["hits"]:
                text = " ".join(x for x in h.get("text", "").split() if not x.startswith("http"))
                out.append((h["id"], re.sub(r"[\W_]+", "", text.lower())))
            return out

        for name in ("two folders", "two remote"):
            twice = differ = shown = 0
            for q in QUERIES:
                a, b = page(where["one index"], q), page(where[name], q)
                texts = [t for _, t in b if t]
                twice += len(texts) - len(set(texts))
                differ += len({i for i, _ in b} - {i for i, _ in a})
                shown += len(b)
            print(f"search --collapse, {name}: {shown} hits for {len(QUERIES)} queries, {twice} texts shown twice on "
                  f"a page, {differ} hits not on one index's page")
    finally:
        for s in servers:
            s.terminate()
            s.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
