#!/usr/bin/env python3
"""Language-ID evaluation: Starling against pycld2 (raw and best-effort), langid.py and lingua (high accuracy),
side by side on the same texts, over the HELD-OUT part of ../shared/data/eval/langid (see langid_data.py).

    python3 tools/langid-eval/eval.py [--part test|dev] [--starling PATH] [--no-peers] [--seconds-only]

Starling's model (analyzers/langid/model.tsv) is trained on the TRAIN part only (tools/langid-eval/train.py), so
every tool is scored on texts Starling never saw. With --part dev a model trained without DEV is built into a
temporary analyzers folder first (that is how the detector's weights were chosen); report --part test.
Starling runs through `starling analyze --language` (one process, one thread); its throughput is measured on one
core (taskset -c 0) as (time for all texts - time for one text) so start-up and model loading are left out.
pip install pycld2 langid lingua-language-detector
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import langid_data as D  # noqa: E402


def metrics(gold, pred):
    labels = sorted(set(gold))
    acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    f1s = []
    for l in labels:
        tp = sum(g == l and p == l for g, p in zip(gold, pred))
        fp = sum(g != l and p == l for g, p in zip(gold, pred))
        fn = sum(g == l and p != l for g, p in zip(gold, pred))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return acc, sum(f1s) / len(f1s), sum(p in ("und", "un", None) for p in pred) / len(pred)


def find_starling():
    for c in (".build-lang-rel/release/starling", ".build/release/starling", ".build-lang/debug/starling",
              ".build/debug/starling"):
        p = os.path.join(ROOT, c)
        if os.path.exists(p):
            return p
    sys.exit("no starling binary: swift build -c release --product starling")


def starling_run(binary, rows, analyzers, with_author, one_core=True):
    """Codes from `starling analyze --language --timing`, the wall seconds it took, and its CPU timing report
    ({"texts", "analyze_cpu_seconds", "detect_cpu_seconds"}: thread CPU time, so a busy machine skews it less)."""
    lines = []
    for i, (text, _gold, author) in enumerate(rows):
        post = {"id": str(i), "text": text}
        if with_author and author:
            post["author"] = author
        lines.append(json.dumps(post, ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode()
    cmd = ([shutil.which("taskset"), "-c", "0"] if one_core and shutil.which("taskset") else []) + \
        [binary, "analyze", "--language", "--timing"]
    env = dict(os.environ, STARLING_ANALYZERS=analyzers)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, input=data, capture_output=True, env=env, check=True)
    seconds = time.perf_counter() - t0
    out = proc.stdout.decode()
    timing = json.loads(proc.stderr.decode().strip().splitlines()[-1])
    codes = [json.loads(l)["language"]["code"] for l in out.splitlines() if l.strip()]
    assert len(codes) == len(rows), (len(codes), len(rows))
    return codes, seconds, timing


def peers():
    tools = {}
    try:
        import pycld2

        def cld(t, best):
            try:
                r = pycld2.detect(t, bestEffort=best)
                code = r[2][0][1]
            except Exception:
                return "und"
            return {"un": "und", "iw": "he", "zh-Hant": "zh"}.get(code, code.split("-")[0])
        tools["pycld2"] = lambda t: cld(t, False)
        tools["pycld2 bestEffort"] = lambda t: cld(t, True)
    except ImportError:
        print("pycld2 missing (pip install pycld2)", file=sys.stderr)
    try:
        import langid
        langid.classify("warm up")
        tools["langid.py"] = lambda t: langid.classify(t)[0]
    except ImportError:
        print("langid missing (pip install langid)", file=sys.stderr)
    try:
        from lingua import LanguageDetectorBuilder
        det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

        def lin(t):
            l = det.detect_language_of(t)
            return l.iso_code_639_1.name.lower() if l else "und"
        tools["lingua high (all 75)"] = lin
    except ImportError:
        print("lingua missing (pip install lingua-language-detector)", file=sys.stderr)
    return tools


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=("test", "dev"), default="test")
    ap.add_argument("--starling")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-speed", action="store_true", help="skip Starling's throughput run")
    args = ap.parse_args()
    binary = args.starling or find_starling()

    analyzers = os.path.join(ROOT, "analyzers")
    tmp = None
    if args.part == "dev":
        tmp = tempfile.mkdtemp(prefix="langid-dev-")
        for sub in os.listdir(analyzers):
            if sub != "langid":
                os.symlink(os.path.join(analyzers, sub), os.path.join(tmp, sub))
        os.makedirs(os.path.join(tmp, "langid"))
        subprocess.run([sys.executable, os.path.join(HERE, "train.py"), "--dev", "--out",
                        os.path.join(tmp, "langid", "model.tsv")], check=True)
        analyzers = tmp

    tools = {} if args.no_peers else peers()
    results = collections.OrderedDict()
    speed = collections.defaultdict(lambda: [0.0, 0])
    all_rows = []
    for s in D.SETS:
        train, dev, test = D.split(s, D.load(s))
        rows = test if args.part == "test" else dev
        all_rows += rows
        gold = [r[1] for r in rows]
        codes, _, _ = starling_run(binary, rows, analyzers, with_author=False)
        results[(s, "Starling")] = metrics(gold, codes) + (None,)
        if s == "tweetlid":
            codes_a, _, _ = starling_run(binary, rows, analyzers, with_author=True)
            results[(s, "Starling + author history")] = metrics(gold, codes_a) + (None,)
        for name, fn in tools.items():
            t0 = time.perf_counter()
            raw = [fn(r[0]) for r in rows]
            speed[name][0] += time.perf_counter() - t0
            speed[name][1] += len(rows)
            prep = [fn(D.prep(r[0])) for r in rows]
            results[(s, name)] = metrics(gold, raw) + (metrics(gold, prep),)
        counts = collections.Counter(gold)
        print(f"{s}: {len(rows)} {args.part} texts ({', '.join(f'{k} {v}' for k, v in counts.most_common())})")

    # Starling's throughput on one core: all texts, repeated to at least 20,000, minus one text.
    starling_speed = None
    if not args.no_speed:
        # Three passes over all texts repeated to >= 20,000; medians of: wall rate (start-up and model loading
        # subtracted with a one-text run), and CPU rates of detection alone and of analysis + detection.
        reps = max(1, 20000 // len(all_rows) + 1)
        big = all_rows * reps
        walls, detects, boths = [], [], []
        for _ in range(3):
            _, t_all, tm = starling_run(binary, big, analyzers, with_author=False)
            _, t_one, _ = starling_run(binary, big[:1], analyzers, with_author=False)
            walls.append(len(big) / max(1e-9, t_all - t_one))
            detects.append(tm["texts"] / tm["detect_cpu_seconds"])
            boths.append(tm["texts"] / (tm["detect_cpu_seconds"] + tm["analyze_cpu_seconds"]))
        med = lambda v: sorted(v)[len(v) // 2]
        starling_speed = (med(detects), med(boths), med(walls), len(big))

    print()
    print(f"| set | tool | acc raw | macro-F1 raw | acc prep | macro-F1 prep | und |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (s, name), (acc, f1, unk, prep) in results.items():
        pa, pf = (f"{prep[0]:.3f}", f"{prep[1]:.3f}") if prep else ("", "")
        print(f"| {s} | {name} | {acc:.3f} | {f1:.3f} | {pa} | {pf} | {unk:.1%} |")
    print()
    print("| tool | texts/s (one core, raw text; peers: wall clock in this Python process) |")
    print("|---|---:|")
    if starling_speed:
        d, b, w, n = starling_speed
        print(f"| Starling: detection (CPU time, given the analysis) | {d:,.0f} |")
        print(f"| Starling: analysis + detection (CPU time) | {b:,.0f} |")
        print(f"| Starling: `analyze --language` process, wall clock ({n:,} texts, start-up excluded) | {w:,.0f} |")
    for name, (sec, n) in speed.items():
        print(f"| {name} | {n / sec:,.0f} |")
    if tmp:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
