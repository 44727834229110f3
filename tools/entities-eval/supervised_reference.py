#!/usr/bin/env python3
"""What labels buy on WePS-3: supervised reference figures for the entity-disambiguation goal.

Starling decides without labelled data. To show where its accuracy sits, this script trains ordinary supervised
classifiers (scikit-learn: TF-IDF of words and word pairs + logistic regression) on the WePS-3 labels themselves
and reports what they reach under two protocols:

  within   each organisation on its own, 10-fold stratified cross-validation over its ~100 tweets (the
           setting of the published supervised WePS-3 figures: a classifier per organisation, trained on
           90 of its labelled tweets, tested on the other 10);
  across   leave one organisation out: trained on the labelled tweets of the other 22 organisations, tested on
           the one left out (the organisation's name is replaced by one placeholder word, so what transfers is
           how posts about *an* organisation read).

Both read labels that Starling never sees; they are references, not competitors on equal terms. The same
UNKNOWN rows are left out as in eval.py, and accuracy is pooled over tweets (as eval.py's headline figure).

    pip install scikit-learn
    python3 tools/entities-eval/supervised_reference.py [--data TSV] [--split dev|test|all] [--json]
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from eval import SPLIT, read_rows  # noqa: E402  (same rows, same split)

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.dirname(HERE)), "..", "shared", "data", "eval", "entities",
                            "weps3-trial.tsv")


def classifier():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    return make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
                         LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced"))


def masked(text, org):
    """The organisation's name (each of its words) replaced by one placeholder, for the across protocol."""
    for word in org.split():
        text = re.sub(r"(?i)\b" + re.escape(word) + r"\w*", " ORGNAME ", text)
    return text


def within(rows, seed):
    """Per-organisation 10-fold cross-validation: {tweet id: predicted related}."""
    from sklearn.model_selection import StratifiedKFold
    predicted = {}
    for org in sorted({r["org"] for r in rows}):
        mine = [r for r in rows if r["org"] == org]
        y = [r["label"] == "TRUE" for r in mine]
        minority = min(sum(y), len(y) - sum(y))
        if minority < 2:  # nothing to learn from: the majority label, as any classifier would answer
            for r in mine:
                predicted[r["id"]] = sum(y) * 2 > len(y)
            continue
        folds = StratifiedKFold(n_splits=min(10, minority), shuffle=True, random_state=seed)
        texts = [r["text"] for r in mine]
        for train, test in folds.split(texts, y):
            model = classifier().fit([texts[i] for i in train], [y[i] for i in train])
            for i, p in zip(test, model.predict([texts[i] for i in test])):
                predicted[mine[i]["id"]] = bool(p)
    return predicted


def across(rows):
    """Leave one organisation out: {tweet id: predicted related}."""
    predicted = {}
    for org in sorted({r["org"] for r in rows}):
        train = [r for r in rows if r["org"] != org]
        test = [r for r in rows if r["org"] == org]
        model = classifier().fit([masked(r["text"], r["org"]) for r in train], [r["label"] == "TRUE" for r in train])
        for r, p in zip(test, model.predict([masked(r["text"], r["org"]) for r in test])):
            predicted[r["id"]] = bool(p)
    return predicted


def accuracy(rows, predicted):
    return sum(1 for r in rows if predicted[r["id"]] == (r["label"] == "TRUE")) / len(rows) if rows else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--split", choices=["dev", "test", "all"], default="all")
    ap.add_argument("--seeds", type=int, default=5, help="fold shuffles averaged for the within protocol")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(a.data):
        sys.exit(f"{a.data}: not found (the WePS-3 trial set lives in ../shared/data/eval/entities)")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        sys.exit("scikit-learn is needed: pip install scikit-learn")
    rows = [r for r in read_rows(a.data) if r["label"] in ("TRUE", "FALSE")]
    runs = [within(rows, seed) for seed in range(a.seeds)]
    left_out = across(rows)
    halves = ["dev", "test", "all"] if a.split == "all" else [a.split]
    report = {}
    for half in halves:
        scored = [r for r in rows if half == "all" or SPLIT[r["org"]] == half]
        report[half] = {
            "tweets": len(scored),
            "within_10fold": round(sum(accuracy(scored, p) for p in runs) / len(runs), 3),
            "within_10fold_min": round(min(accuracy(scored, p) for p in runs), 3),
            "within_10fold_max": round(max(accuracy(scored, p) for p in runs), 3),
            "across_leave_one_out": round(accuracy(scored, left_out), 3),
        }
    per_org = {}
    for org in sorted({r["org"] for r in rows}):
        mine = [r for r in rows if r["org"] == org]
        per_org[org] = {"half": SPLIT[org], "within": round(sum(accuracy(mine, p) for p in runs) / len(runs), 3),
                        "across": round(accuracy(mine, left_out), 3)}
    if a.json:
        print(json.dumps({"halves": report, "organisations": per_org}, indent=1))
        return
    print(f"{'organisation':<14}{'half':>5}{'within':>8}{'across':>8}")
    for org, s in per_org.items():
        if a.split == "all" or s["half"] == a.split:
            print(f"{org:<14}{s['half']:>5}{s['within']:>8.3f}{s['across']:>8.3f}")
    print()
    for half, s in report.items():
        print(f"{half.upper():<5} {s['tweets']:>5} tweets: within (10-fold, mean of {a.seeds} shuffles) "
              f"{s['within_10fold']:.3f} [{s['within_10fold_min']:.3f}-{s['within_10fold_max']:.3f}], "
              f"across (leave one organisation out) {s['across_leave_one_out']:.3f}")


if __name__ == "__main__":
    main()
