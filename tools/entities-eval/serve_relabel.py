#!/usr/bin/env python3
"""What `starling serve`'s background relabelling costs and changes on a real index.

Copies INDEX twice into a temporary folder (the original is never written), then on each copy starts
`starling serve` -- once with `--relabel-interval S`, once with the background relabelling off -- and posts the
WePS-3 tweets (../shared/data/eval/entities/weps3-trial.tsv) in batches, half a second apart, timing each
acknowledgement and noting whether a relabelling was running meanwhile. Prints the start-up relabelling, the
acknowledgement times during and outside relabellings, the relabelling that covers every post, and how many
posts `entity:ENTITY` finds on each copy.

    python3 tools/entities-eval/serve_relabel.py --index indexes/default   # after tools/quickstart.sh
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def weps_posts(path):
    """The trial set's tweets as native NDJSON lines (ids `weps-LINE`: some tweet ids repeat)."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 5 or not fields[1].isdigit():
                continue
            out.append(json.dumps({"id": f"weps-{n + 1}", "text": "\t".join(fields[3:-1])}))
    return out


class Service:
    def __init__(self, starling, index, interval):
        env = dict(os.environ)
        env.setdefault("STARLING_ANALYZERS", os.path.join(ROOT, "analyzers"))
        self.process = subprocess.Popen(
            [starling, "serve", "--index", index, "--port", "0", "--no-unshorten", "--relabel-interval", str(interval)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        line = self.process.stdout.readline()
        found = re.search(r"http://\S+", line)
        if not found:
            self.process.kill()
            sys.exit(f"serve did not start: {line!r}")
        self.base = found.group(0)

    def get(self, path):
        with urllib.request.urlopen(self.base + path, timeout=600) as r:
            return json.load(r)

    def relabel(self):
        return self.get("/v1/stats")["entities_relabel"]

    def post(self, lines):
        body = ("\n".join(lines) + "\n").encode()
        req = urllib.request.Request(self.base + "/v1/posts", data=body, headers={"Content-Type": "application/x-ndjson"})
        with urllib.request.urlopen(req, timeout=600) as r:
            answer = json.load(r)
        if answer.get("rejected"):
            sys.exit(f"posts rejected: {answer}")

    def count(self, entity):
        return self.get("/v1/search?q=" + urllib.parse.quote("entity:" + entity) + "&limit=0")["total"]

    def wait(self, condition, what, timeout=1800):
        start = time.time()
        while time.time() - start < timeout:
            s = self.relabel()
            if condition(s):
                return s
            time.sleep(0.5)
        sys.exit(f"timed out waiting for {what}: {self.relabel()}")

    def stop(self):
        self.process.terminate()
        self.process.wait()


def run(args, index, interval, posts):
    s = Service(args.starling, index, interval)
    try:
        if interval:
            first = s.wait(lambda r: r.get("automatic_runs", 0) >= 1 and not r["running"], "the start-up relabelling")
            last = first["last"]
            print(f"  start-up relabelling: {last['posts']} posts in {last['seconds']:.1f} s, "
                  f"{last['changed_posts']} changed")
        during, outside = [], []
        for i in range(0, len(posts), args.batch):
            t = time.time()
            s.post(posts[i:i + args.batch])
            took = time.time() - t
            (during if s.relabel()["running"] else outside).append(took)
            time.sleep(0.5)
        mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")
        print(f"  batches of {args.batch} acknowledged: {len(during)} during a relabelling (mean {mean(during):.3f} s), "
              f"{len(outside)} outside (mean {mean(outside):.3f} s)")
        if interval:
            documents = s.get("/v1/stats")["documents"]
            done = s.wait(lambda r: r.get("last", {}).get("posts") == documents and not r["running"],
                          "a relabelling covering every post")
            last = done["last"]
            print(f"  relabelling covering every post: {last['posts']} posts in {last['seconds']:.1f} s, "
                  f"{last['changed_posts']} changed; {done['automatic_runs']} background runs, {done['errors']} errors")
        n = s.count(args.entity)
        print(f"  entity:{args.entity} finds {n} posts")
        return n
    finally:
        s.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--index", required=True, help="an index (copied; never written)")
    ap.add_argument("--starling", default=os.path.join(ROOT, ".build", "release", "starling"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "eval", "entities", "weps3-trial.tsv"))
    ap.add_argument("--interval", type=float, default=5)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--entity", default="delta_air_lines")
    args = ap.parse_args()
    if not os.path.exists(args.data):
        sys.exit(f"{args.data} is absent: the WePS-3 tweets are needed")
    if not os.path.isdir(args.index):
        sys.exit(f"{args.index}: no such index")
    posts = weps_posts(args.data)
    with tempfile.TemporaryDirectory(prefix="serve-relabel-") as tmp:
        counts = {}
        for interval in (args.interval, 0):
            copy = os.path.join(tmp, f"index-{interval}")
            shutil.copytree(args.index, copy)
            print(f"serve --relabel-interval {interval:g} over a copy of {args.index}, {len(posts)} WePS-3 tweets posted:")
            counts[interval] = run(args, copy, interval, posts)
            shutil.rmtree(copy)
        print(f"entity:{args.entity}: {counts[args.interval]} with the background relabelling, {counts[0]} without")


if __name__ == "__main__":
    main()
