#!/usr/bin/env bash
# Installs what the search benchmark needs, idempotently: the PyPI packages in requirements.txt for the
# python3 on PATH, and Debian's python3-xapian for /usr/bin/python3 (pip cannot build Xapian's bindings).
# Runs `apt-get update` only when an apt install is actually needed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"

if ! "$python" -c 'import tantivy' 2>/dev/null; then
    "$python" -m pip install --quiet --root-user-action=ignore -r "$here/requirements.txt"
fi
"$python" -c 'import sqlite3; c = sqlite3.connect(":memory:"); c.execute("create virtual table t using fts5(x)")' \
    || { echo "setup.sh: $python's sqlite3 has no FTS5" >&2; exit 1; }

if ! /usr/bin/python3 -c 'import xapian' 2>/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-xapian
fi

echo "setup.sh: tantivy $("$python" -c 'import importlib.metadata as m; print(m.version("tantivy"))')," \
    "sqlite $("$python" -c 'import sqlite3; print(sqlite3.sqlite_version)')," \
    "xapian $(/usr/bin/python3 -c 'import xapian; print(xapian.version_string())')"
