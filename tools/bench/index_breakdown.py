#!/usr/bin/python3
"""Where an index's bytes go: per Xapian table and per term prefix.

Usage: /usr/bin/python3 tools/bench/index_breakdown.py INDEX [--json]

Prints, for the glass index at INDEX:
  - each table's file size (postlist holds the posting lists and the value streams; termlist each document's
    terms and value slots; position the positional data; docdata the stored posts);
  - per term prefix (`Q`, `A`, `XH`, ..., `word` for unprefixed terms): distinct terms, postings (documents x
    terms), positions, the bytes of the terms' names (sum over postings: what termlist entries repeat) and how
    many postings carry positions;
  - per value slot: documents with a value, and the bytes of the values;
  - the stored data: documents and bytes (before Xapian's zlib).

Needs Debian's python3-xapian, hence /usr/bin/python3. Reads every document's term list: about a minute for the
211k-post corpus.
"""
import argparse
import json
import os
import sys
from collections import defaultdict

import xapian


def prefix_of(term):
    """Starling's prefixes: one capital, or X plus capitals (XH, XNB); unprefixed terms are `word`."""
    if not term or not ("A" <= term[0] <= "Z"):
        return "word"
    if term[0] != "X":
        return term[0]
    i = 1
    while i < len(term) and "A" <= term[i] <= "Z":
        i += 1
    return term[:i]


def table_sizes(path):
    out = {}
    for name in sorted(os.listdir(path)):
        if name.endswith(".glass"):
            out[name[:-6]] = os.path.getsize(os.path.join(path, name))
    return out


def breakdown(path):
    db = xapian.Database(path)
    n = db.get_doccount()
    terms = defaultdict(lambda: {"terms": 0, "postings": 0, "positions": 0, "name_bytes": 0,
                                 "positional_postings": 0, "wdf": 0})
    for t in db.allterms():
        terms[prefix_of(t.term.decode("utf-8", "replace"))]["terms"] += 1
    values = defaultdict(lambda: {"documents": 0, "bytes": 0})
    data_bytes = 0
    for did in range(1, db.get_lastdocid() + 1):
        try:
            doc = db.get_document(did)
        except xapian.DocNotFoundError:
            continue
        data_bytes += len(doc.get_data())
        for v in doc.values():
            values[v.num]["documents"] += 1
            values[v.num]["bytes"] += len(v.value)
        for t in db.termlist(did):
            term = t.term
            p = terms[prefix_of(term.decode("utf-8", "replace"))]
            p["postings"] += 1
            p["wdf"] += t.wdf
            p["name_bytes"] += len(term)
            k = db.positionlist_count(did, term) if hasattr(db, "positionlist_count") else len(list(t.positer))
            if k:
                p["positions"] += k
                p["positional_postings"] += 1
    return {
        "documents": n,
        "tables": table_sizes(path),
        "prefixes": dict(sorted(terms.items(), key=lambda kv: -kv[1]["postings"])),
        "values": {str(k): v for k, v in sorted(values.items())},
        "data_bytes": data_bytes,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("index")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    r = breakdown(args.index)
    if args.json:
        json.dump(r, sys.stdout, indent=1)
        print()
        return
    n = max(1, r["documents"])
    total = sum(r["tables"].values())
    print(f"{r['documents']} documents, {total} bytes in tables = {total / n:.0f} bytes/doc")
    print("table        bytes   bytes/doc")
    for k, v in r["tables"].items():
        print(f"{k:10s} {v:11d} {v / n:9.1f}")
    print("prefix   terms    postings  post/doc  positions  pos/doc  pos-postings  name-bytes/doc")
    for k, v in r["prefixes"].items():
        print(f"{k:6s} {v['terms']:8d} {v['postings']:10d} {v['postings'] / n:8.2f} {v['positions']:10d} "
              f"{v['positions'] / n:8.2f} {v['positional_postings']:12d} {v['name_bytes'] / n:10.1f}")
    print("slot  documents  bytes/doc")
    for k, v in r["values"].items():
        print(f"{k:4s} {v['documents']:10d} {v['bytes'] / n:9.1f}")
    print(f"stored data: {r['data_bytes'] / n:.1f} bytes/doc before zlib")


if __name__ == "__main__":
    main()
