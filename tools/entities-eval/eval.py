#!/usr/bin/env python3
"""Entity disambiguation on WePS-3 (task 2, trial set): is a tweet containing an organisation's name about it?

Runs `starling entities` once over all 2,296 tweets (as native NDJSON on stdin) with the catalogue
tools/entities-eval/weps3.yaml, and scores the decision "the organisation's entity was reported" against the labels.
UNKNOWN rows are left out. Prints accuracy and F1 of the related and unrelated classes, overall and per
organisation, next to the majority baselines:
  - global majority: one answer (the more frequent label overall) for every tweet;
  - per-organisation majority: the more frequent label of each organisation (an oracle: it peeks at the labels).

The 23 organisations are split once, for good, into a development half and a test half: sorted by name, the 1st,
3rd, 5th, ... are dev (12), the 2nd, 4th, ... are test (11) (SPLIT below). The method is developed looking only at
dev (`--split dev`); test is for reporting. All tweets still go through the one run (the corpus-learnt profiles may
read every tweet's text, never a label); the split only decides which organisations' labels are scored.

    python3 tools/entities-eval/eval.py [--starling PATH] [--data TSV] [--threshold X] [--catalog-only]
                                        [--alone | --mixed] [--split dev|test|all] [--json]
"""
import argparse
import collections
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# The organisation names of the TSV and the catalogue ids written for them (tools/entities-eval/weps3.yaml).
ENTITY = {
    "best buy": "best_buy", "borders": "borders", "cercanias": "cercanias", "cme": "cme_group", "cuatro": "cuatro",
    "delta": "delta_air_lines", "dunkin": "dunkin_donuts", "ford": "ford", "gap": "gap_inc",
    "hormiguero": "el_hormiguero", "leapfrog": "leapfrog", "lennar": "lennar", "madrid": "real_madrid",
    "opera": "opera_software", "overstock": "overstock", "pais": "el_pais", "palm": "palm_inc", "pozo": "elpozo",
    "rim": "research_in_motion", "southwest": "southwest_airlines", "sprint": "sprint_nextel", "tam": "tam_airlines",
    "warner": "warner_bros",
}

# Fixed dev/test split: alternate organisations in sorted-name order (dev first). Never change it after the fact.
_ORGS = sorted(ENTITY)
SPLIT = {org: ("dev" if i % 2 == 0 else "test") for i, org in enumerate(_ORGS)}


def read_rows(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 5:
                sys.exit(f"{path}:{n}: expected 5 tab-separated fields")
            org, label = fields[0], fields[-1].strip().upper()
            text = "\t".join(fields[3:-1])  # a few texts hold tabs
            rows.append({"org": org, "id": f"{n}", "text": text, "label": label})
    return rows


def scores(pairs):
    """Accuracy and F1 of both classes for (gold, predicted) booleans."""
    tp = sum(1 for g, p in pairs if g and p)
    tn = sum(1 for g, p in pairs if not g and not p)
    fp = sum(1 for g, p in pairs if not g and p)
    fn = sum(1 for g, p in pairs if g and not p)

    def f1(t, a, b):
        return 2 * t / (2 * t + a + b) if t else (1.0 if a + b == 0 else 0.0)

    return {"n": len(pairs), "accuracy": (tp + tn) / len(pairs) if pairs else 0.0,
            "f1_related": f1(tp, fp, fn), "f1_unrelated": f1(tn, fn, fp),
            "precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "said_related": tp + fp}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--starling", default=os.path.join(ROOT, ".build", "debug", "starling"))
    ap.add_argument("--dump", metavar="FILE", help="write each judged tweet of the organisations shown, with its "
                    "label and the decision, as TSV (for error analysis on dev)")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "eval", "entities", "weps3-trial.tsv"))
    ap.add_argument("--catalog", default=os.path.join(HERE, "weps3.yaml"))
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--catalog-only", action="store_true", help="decide each tweet alone (as indexing does)")
    ap.add_argument("--alone", action="store_true", help="one run per organisation over its own tweets only, as a "
                    "stream filtered on the name would be (default: one run over all 2,296 tweets)")
    ap.add_argument("--mixed", action="store_true", help="one run over the tweets mixed into the ../shared/data "
                    "corpora's 211,515 real posts (read there, never judged), as inside a listener's index")
    ap.add_argument("--split", choices=["dev", "test", "all"], default="all",
                    help="organisations to show per organisation (dev while developing); summaries cover the halves shown")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if not os.path.exists(args.data):
        sys.exit(f"skipped: {args.data} is absent")

    rows = read_rows(args.data)
    cmd = [args.starling, "entities", "--catalog", args.catalog, "--json", "--quiet"]
    if args.threshold is not None:
        cmd += ["--threshold", str(args.threshold)]
    if args.catalog_only:
        cmd.append("--catalog-only")
    found = {}
    # One run over every tweet, or (--alone) one run per organisation over its tweets only.
    groups = [[r for r in rows if r["org"] == org] for org in sorted({r["org"] for r in rows})] if args.alone else [rows]
    background = ""
    if args.mixed:
        if args.alone:
            sys.exit("--mixed and --alone are opposites: give one")
        sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
        import build_corpus  # the same reader of ../shared/data/corpora as the benchmarks
        shared = os.path.join(os.path.dirname(os.path.dirname(args.data)), "..")
        real, _ = build_corpus.real_posts(build_corpus.Path(shared))
        background = "".join(json.dumps({"id": "bg-" + p["id"], "text": p["text"]}, ensure_ascii=False) + "\n"
                             for p in real)
    for group in groups:
        posts = "".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in group)
        posts = background + posts
        out = subprocess.run(cmd, input=posts, capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr}")
        for line in out.stdout.splitlines():
            o = json.loads(line)
            if not o["id"].startswith("bg-"):
                found[o["id"]] = {e["id"] for e in o["entities"]}
    if len(found) != len(rows):
        sys.exit(f"expected {len(rows)} answers, got {len(found)}")

    judged = [r for r in rows if r["label"] in ("TRUE", "FALSE")]
    by_org = collections.defaultdict(list)
    for r in judged:
        by_org[r["org"]].append(r)
    overall_majority = collections.Counter(r["label"] == "TRUE" for r in judged).most_common(1)[0][0]

    def evaluate(subset):
        gold = [r["label"] == "TRUE" for r in subset]
        system = [ENTITY[r["org"]] in found[r["id"]] for r in subset]
        org_major = {}
        for org, rs in by_org.items():
            org_major[org] = collections.Counter(x["label"] == "TRUE" for x in rs).most_common(1)[0][0]
        return {
            "starling": scores(list(zip(gold, system))),
            "global_majority": scores([(g, overall_majority) for g in gold]),
            "org_majority_oracle": scores([(g, org_major[r["org"]]) for g, r in zip(gold, subset)]),
            "related_share": sum(gold) / len(gold),
        }

    halves = ["dev", "test", "all"] if args.split == "all" else [args.split]
    shown = [r for r in judged if args.split == "all" or SPLIT[r["org"]] == args.split]
    report = {"split": args.split,
              "halves": {h: evaluate([r for r in judged if h == "all" or SPLIT[r["org"]] == h]) for h in halves},
              "organisations": {org: evaluate(rs) for org, rs in sorted(by_org.items())
                                if args.split == "all" or SPLIT[org] == args.split},
              "left_out_unknown": len(rows) - len(judged),
              "command": " ".join(cmd) + (" (one run per organisation, its tweets only)" if args.alone else
                                          " (the tweets after 211,515 real posts)" if args.mixed else "")}
    report["overall"] = report["halves"]["all" if args.split == "all" else args.split]
    o = report["organisations"]
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as f:
            for r in shown:
                said = ENTITY[r["org"]] in found[r["id"]]
                f.write(f"{r['org']}\t{r['id']}\t{r['label']}\t{'T' if said else 'F'}\t{r['text']}\n")
    for h in halves:
        accs = [v["starling"]["accuracy"] for org, v in o.items() if h == "all" or SPLIT[org] == h]
        report["halves"][h]["macro_accuracy"] = sum(accs) / len(accs)
    report["macro_accuracy"] = report["overall"]["macro_accuracy"]
    if args.json:
        print(json.dumps(report, indent=1))
        return
    print(f"command: {report['command']}")
    print(f"{len(shown)} judged tweets shown ({report['left_out_unknown']} UNKNOWN left out of all), "
          f"{len(o)} organisations ({args.split})")
    head = f"{'organisation':<12} {'n':>4} {'rel':>5}  {'acc':>5} {'F1+':>5} {'F1-':>5} | {'maj':>5} {'F1+':>5} {'F1-':>5} | {'orgmaj':>6}"
    print(head)
    print("-" * len(head))

    def line(name, v):
        s, g, m = v["starling"], v["global_majority"], v["org_majority_oracle"]
        print(f"{name:<12} {s['n']:>4} {v['related_share']:>5.2f}  {s['accuracy']:>5.3f} {s['f1_related']:>5.3f} "
              f"{s['f1_unrelated']:>5.3f} | {g['accuracy']:>5.3f} {g['f1_related']:>5.3f} {g['f1_unrelated']:>5.3f} "
              f"| {m['accuracy']:>6.3f}")

    for h in halves:
        if h == "all":
            continue
        for org, v in o.items():
            if SPLIT[org] == h:
                line(f"{org} ({h[0]})", v)
        print("-" * len(head))
    for h in halves:
        line(h.upper(), report["halves"][h])
    print("macro-averaged accuracy over organisations: "
          + ", ".join(f"{h} {report['halves'][h]['macro_accuracy']:.3f}" for h in halves))
    print("columns: rel = share of related tweets; acc/F1+/F1- = Starling (F1 of related / unrelated); "
          "maj = global majority baseline; orgmaj = per-organisation majority (oracle)")


if __name__ == "__main__":
    main()
