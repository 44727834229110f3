#!/usr/bin/env python3
"""How often `starling entities --suggest` proposes the right catalogue edits, scored with labels it never sees.

`--suggest` turns corpus mode's decisions into phrases for a person to review: around each entity's name, phrases
whose posts were nearly all decided not about it (candidates for `excluded_phrases`) or about it (candidates for
`aliases` or `keywords`). This runs it on two labelled sets and, for each suggested phrase, looks at the labelled
posts holding it:

- WePS-3 (../shared/data/eval/entities/weps3-trial.tsv, tools/entities-eval/weps3.yaml): all 2,296 tweets;
- the shipped catalogue (analyzers/entities/brands.yaml) on the 211,523 real posts of ../shared/data's corpora,
  scored on tools/entities-eval/real-labels.tsv (see real_eval.py for how those labels were made).

A suggestion is right when most of its judged posts carry the label it implies (FALSE for an exclusion, TRUE for a
keyword). "Holding" a phrase is worked out here by a plain match on folded text (lower case, accents stripped,
punctuation as spaces), close to but not exactly the engine's token match. The rules (3 posts, 80 % one way) were
fixed before any of this was run.

    python3 tools/entities-eval/suggest_eval.py [--starling PATH]
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
sys.path.insert(0, HERE)
import eval as weps  # noqa: E402
from real_eval import read_labels  # noqa: E402


def fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " " + re.sub(r"[^\w.']+", " ", text).replace("'s ", " ") + " "


def suggestions(starling, catalog, posts):
    """Runs --suggest --json over posts (dicts with id and text); returns its objects."""
    feed = "".join(json.dumps({"id": p["id"], "text": p["text"]}, ensure_ascii=False) + "\n" for p in posts)
    cmd = [starling, "entities", "--catalog", catalog, "--suggest", "--json", "--quiet"]
    out = subprocess.run(cmd, input=feed, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr}")
    return [json.loads(line) for line in out.stdout.splitlines()]


def score(name, found, judged):
    """found: --suggest objects; judged: entity id -> list of (folded text, label TRUE/FALSE)."""
    print(f"\n{name}")
    totals = {}
    for kind, wanted in (("excluded_phrases", "FALSE"), ("keywords", "TRUE")):
        right = wrong = unjudged = 0
        posts_right = posts_all = 0
        for e in found:
            for s in e[kind]:
                labels = [lab for text, lab in judged.get(e["id"], []) if f" {s['phrase']} " in text]
                if not labels:
                    unjudged += 1
                    mark = "?"
                else:
                    share = sum(lab == wanted for lab in labels) / len(labels)
                    posts_right += sum(lab == wanted for lab in labels)
                    posts_all += len(labels)
                    mark = "right" if share > 0.5 else "WRONG"
                    right += share > 0.5
                    wrong += share <= 0.5
                print(f"  {kind:16} {e['id']:20} {s['phrase']:28} {s['posts']:3} posts  {mark:5} "
                      f"({sum(lab == wanted for lab in labels)}/{len(labels)} judged posts {wanted})")
        n = right + wrong
        totals[kind] = {"suggested": n + unjudged, "judged": n, "right": right,
                        "precision": right / n if n else None,
                        "post_precision": posts_right / posts_all if posts_all else None}
        p = f"{right / n:.2f}" if n else "n/a"
        pp = f"{posts_right / posts_all:.2f}" if posts_all else "n/a"
        print(f"  => {kind}: {n + unjudged} suggested, {n} with judged posts, {right} right (precision {p}; "
              f"judged posts with the implied label {posts_right}/{posts_all} = {pp})")
    return totals


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starling", default=os.path.join(ROOT, ".build", "debug", "starling"))
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    args = ap.parse_args()
    tsv = os.path.join(args.data, "eval", "entities", "weps3-trial.tsv")
    if not os.path.exists(tsv):
        sys.exit(f"skipped: {tsv} is absent")

    rows = weps.read_rows(tsv)
    judged = collections.defaultdict(list)
    for r in rows:
        if r["label"] in ("TRUE", "FALSE"):
            judged[weps.ENTITY[r["org"]]].append((fold(r["text"]), r["label"]))
    score("WePS-3, tools/entities-eval/weps3.yaml (2,296 tweets)",
          suggestions(args.starling, os.path.join(HERE, "weps3.yaml"), rows), judged)

    import build_corpus  # the same reader of ../shared/data/corpora as the benchmarks
    real, _ = build_corpus.real_posts(build_corpus.Path(args.data))
    labels = read_labels(os.path.join(HERE, "real-labels.tsv"))
    text = {p["id"]: p["text"] for p in real}
    judged = collections.defaultdict(list)
    for (pid, entity), lab in labels.items():
        if lab in ("TRUE", "FALSE") and pid in text:
            judged[entity].append((fold(text[pid]), lab))
    score(f"analyzers/entities/brands.yaml on {len(real):,} real posts (real-labels.tsv)",
          suggestions(args.starling, os.path.join(ROOT, "analyzers", "entities", "brands.yaml"), real), judged)


if __name__ == "__main__":
    main()
