#!/usr/bin/env bash
# A sweep in shards, merged by --report-only, must equal the same sweep in one
# go: the same numbers in run.json, the same per-image predictions, the same
# test split (same seeds, same device: bit-identical).
# usage: check_shard_merge.sh PAPER_EXE COMPARE_RUNS UNSHARDED_OUT WORK_DIR SHARDS [paper options...]
set -euo pipefail
exe=$1 compare=$2 unsharded=$3 work=$4 shards=$5
shift 5
rm -rf "$work"
for ((i = 0; i < shards; i++)); do
  "$exe" "$@" --shard "$i/$shards" --out "$work" > "$work.shard$i.log" 2>&1 || { cat "$work.shard$i.log"; exit 1; }
done
# The merge refuses to write a report while a run is missing: hide one and try.
hidden=$(ls "$work"/runs/*.json | head -n 1)
mv "$hidden" "$hidden.hidden"
if "$exe" "$@" --report-only --out "$work" > "$work.partial.log" 2>&1; then
  echo "FAIL: --report-only wrote a report with $(basename "$hidden") missing"; exit 1
fi
grep -q "Not every run of the plan has finished" "$work.partial.log" || { cat "$work.partial.log"; exit 1; }
mv "$hidden.hidden" "$hidden"
"$exe" "$@" --report-only --out "$work" > "$work.merge.log" 2>&1 || { cat "$work.merge.log"; exit 1; }
"$compare" "$unsharded/run.json" "$work/run.json"
diff -r "$unsharded/predictions" "$work/predictions"
cmp "$unsharded/test_split.txt" "$work/test_split.txt"
echo "the $shards shards merged equal the unsharded run"
