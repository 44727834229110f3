#!/usr/bin/env python3
"""Near-duplicate quality and speed: Starling against an exact Jaccard join and datasketch's MinHashLSH.

One run, same posts, same shingles (Starling's own, dumped by `starling duplicates --bench --shingles-out`):

  1. Starling in memory  -- `starling duplicates --bench`: signatures + LSH (query, then insert, per post) on one
                            core; the pairs it finds.
  2. Starling's index    -- `starling index` (the DuplicateStage clusters at ingest), then
                            `starling duplicates --all-pairs`: every pair the index reports.
  3. Exact join          -- all pairs with Jaccard >= threshold over the same shingle sets (prefix filtering,
                            every candidate verified).
  4. datasketch          -- MinHash(128) + MinHashLSH(threshold) over the same shingles (each 32-bit shingle
                            hash fed as 4 bytes): signature + insert posts/s; pairs = LSH candidates whose
                            estimated Jaccard reaches the threshold ("filtered", as in PEERS.md).

Precision/recall of each method's pairs are taken against the exact join. Optionally (--latency-corpus) an
index of a bigger corpus is built and `starling duplicates --latency N` times N seeded lookups.
"""
import argparse
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import time
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd, **kw):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    t = time.time()
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, **kw).stdout
    return out, time.time() - t


def last_json(text):
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON in output")


def load_shingles(path):
    ids, sets = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            pid, _, rest = line.rstrip("\n").partition("\t")
            ids.append(pid)
            sets.append(tuple(int(x) for x in rest.split()) if rest else ())
    return ids, sets


def load_pairs(path):
    pairs = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 2:
                a, b = parts[0], parts[1]
                pairs.add((a, b) if a < b else (b, a))
    return pairs


def pairs_within(members):
    for i in range(len(members)):
        for j in range(i + 1, len(members)):
            yield members[i], members[j]


def exact_join(ids, sets, threshold):
    """All id pairs with Jaccard >= threshold: identical sets grouped, then a prefix-filtered join of the
    distinct sets (tokens ordered rarest first), every candidate verified."""
    groups = defaultdict(list)
    for pid, s in zip(ids, sets):
        if s:
            groups[s].append(pid)
    distinct = list(groups.keys())
    freq = defaultdict(int)
    for s in distinct:
        for x in s:
            freq[x] += 1
    ordered = [sorted(s, key=lambda x: (freq[x], x)) for s in distinct]
    order = sorted(range(len(distinct)), key=lambda i: len(ordered[i]))
    index = defaultdict(list)
    out = set()
    group_pairs = []
    for i in order:
        s = ordered[i]
        n = len(s)
        prefix = max(1, min(n, n - _ceil(threshold * n) + 1))
        seen = set()
        for x in s[:prefix]:
            for j in index[x]:
                if j in seen:
                    continue
                seen.add(j)
                m = len(ordered[j])
                if m < threshold * n - 1e-9:  # sizes ascend, so only the lower bound can fail
                    continue
                a, b = distinct[i], distinct[j]
                inter = len(set(a) & set(b))
                if inter / (n + m - inter) >= threshold - 1e-12:
                    group_pairs.append((i, j))
            index[x].append(i)
    for s in distinct:
        for p in pairs_within(groups[s]):
            out.add(p if p[0] < p[1] else (p[1], p[0]))
    for i, j in group_pairs:
        for a in groups[distinct[i]]:
            for b in groups[distinct[j]]:
                out.add((a, b) if a < b else (b, a))
    return out


def _ceil(x):
    c = int(x)
    return c if c >= x - 1e-9 else c + 1


def datasketch_pairs(ids, sets, threshold, perms):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=perms)
    sigs = []
    t = time.time()
    for i, s in enumerate(sets):
        if not s:
            sigs.append(None)
            continue
        m = MinHash(num_perm=perms)
        m.update_batch([struct.pack("<I", x) for x in s])
        lsh.insert(i, m)
        sigs.append(m)
    build = time.time() - t
    rate = len(sets) / build
    pairs = set()
    lat = []
    t = time.time()
    done = {}
    for i, m in enumerate(sigs):
        if m is None:
            continue
        key = sets[i]
        if key in done:  # identical sets have identical candidates; reuse the query
            cands = done[key]
        else:
            q = time.perf_counter()
            cands = [j for j in lsh.query(m) if sigs[j].jaccard(m) >= threshold]
            lat.append(time.perf_counter() - q)
            done[key] = cands
        for j in cands:
            if j != i:
                a, b = ids[i], ids[j]
                pairs.add((a, b) if a < b else (b, a))
    lat.sort()
    return pairs, rate, time.time() - t, lat


def pr(found, truth):
    tp = len(found & truth)
    p = tp / len(found) if found else 1.0
    r = tp / len(truth) if truth else 1.0
    return p, r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(ROOT, "tools/bench/out/corpus/real.jsonl"))
    ap.add_argument("--starling", default=os.path.join(ROOT, ".build/release/starling"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--threshold", type=float, default=0.7)
    ap.add_argument("--perms", type=int, default=128, help="datasketch permutations")
    ap.add_argument("--shingle", default="word3")
    ap.add_argument("--bands", type=int)
    ap.add_argument("--rows", type=int)
    ap.add_argument("--no-index", action="store_true", help="skip building Starling's index (in-memory only)")
    ap.add_argument("--no-datasketch", action="store_true")
    ap.add_argument("--latency-corpus", help="also index this corpus (e.g. 1m.jsonl) and time lookups")
    ap.add_argument("--latency-queries", type=int, default=1000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    st = args.starling
    report = {"corpus": args.corpus, "threshold": args.threshold, "shingles": args.shingle}

    shingles = os.path.join(args.out, "shingles.tsv")
    mem_pairs = os.path.join(args.out, "memory-pairs.tsv")
    cmd = [st, "duplicates", "--bench", args.corpus, "--shingles-out", shingles, "--pairs-out", mem_pairs,
           "--shingle", args.shingle, "--threshold", str(args.threshold)]
    if args.bands:
        cmd += ["--bands", str(args.bands)]
    if args.rows:
        cmd += ["--rows", str(args.rows)]
    bench = last_json(run(cmd)[0])
    report["starling_memory"] = bench

    ids, sets = load_shingles(shingles)
    t = time.time()
    truth = exact_join(ids, sets, args.threshold)
    report["exact"] = {"pairs": len(truth), "seconds": round(time.time() - t, 1)}
    p, r = pr(load_pairs(mem_pairs), truth)
    report["starling_memory"]["precision"], report["starling_memory"]["recall"] = round(p, 4), round(r, 4)

    if not args.no_index:
        idx = os.path.join(args.out, "index-" + os.path.basename(args.corpus).split(".")[0])
        shutil.rmtree(idx, ignore_errors=True)
        out, secs = run([st, "index", "--index", idx, "--json", args.corpus])
        summary = last_json(out)
        idx_pairs = os.path.join(args.out, "index-pairs.tsv")
        ap_out = last_json(run([st, "duplicates", "--index", idx, "--all-pairs", idx_pairs,
                                "--threshold", str(args.threshold)])[0])
        found = load_pairs(idx_pairs)
        p, r = pr(found, truth)
        clusters = last_json(run([st, "duplicates", "--index", idx, "--clusters", "--limit", "5", "--json"])[0])
        report["starling_index"] = {"pairs": len(found), "precision": round(p, 4), "recall": round(r, 4),
                                    "index_posts_per_s": round(summary.get("indexed", 0) / max(secs, 1e-9)),
                                    "index_seconds": round(secs, 1), "all_pairs_seconds": ap_out["seconds"],
                                    "largest_clusters": [(c["id"], c["size"]) for c in clusters["clusters"]]}
        lat = last_json(run([st, "duplicates", "--index", idx, "--latency", str(args.latency_queries)])[0])
        report["starling_index"]["lookup"] = lat

    if not args.no_datasketch:
        pairs, rate, qsecs, lat = datasketch_pairs(ids, sets, args.threshold, args.perms)
        p, r = pr(pairs, truth)
        report["datasketch"] = {"permutations": args.perms, "pairs": len(pairs), "precision": round(p, 4),
                                "recall": round(r, 4), "signature_insert_posts_per_s": round(rate),
                                "query_p50_ms": round(lat[len(lat) // 2] * 1000, 3) if lat else None,
                                "query_p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 3) if lat else None}
        report["speed_ratio_signature_lsh"] = round(bench["signature_lsh_posts_per_s"] / rate, 1)

    if args.latency_corpus:
        idx = os.path.join(args.out, "index-" + os.path.basename(args.latency_corpus).split(".")[0])
        if not os.path.exists(os.path.join(idx, "iamglass")):
            out, secs = run([st, "index", "--index", idx, "--json", args.latency_corpus])
            report["latency_index"] = {"posts_per_s": round(last_json(out).get("indexed", 0) / max(secs, 1e-9)),
                                       "seconds": round(secs, 1)}
        lat = last_json(run([st, "duplicates", "--index", idx, "--latency", str(args.latency_queries)])[0])
        report["latency"] = lat

    report["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    text = json.dumps(report, indent=1)
    print(text)
    with open(os.path.join(args.out, "report-%s.json" % args.shingle), "w") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    main()
