#!/usr/bin/env bash
# Wong et al.'s sweep as a cluster runs it: --stage segmentation first (the
# classification runs read its networks), then the shards with --resume, then
# --report-only. It must equal the same sweep in one go, number for number.
# usage: check_wong_stages.sh PAPER_EXE COMPARE_RUNS UNSHARDED_OUT WORK_DIR SHARDS [paper options...]
set -euo pipefail
exe=$1 compare=$2 unsharded=$3 work=$4 shards=$5
shift 5
rm -rf "$work"
"$exe" "$@" --stage segmentation --out "$work" > "$work.segmentation.log" 2>&1 || { cat "$work.segmentation.log"; exit 1; }
for ((i = 0; i < shards; i++)); do
  "$exe" "$@" --shard "$i/$shards" --resume --out "$work" > "$work.shard$i.log" 2>&1 ||
    { cat "$work.shard$i.log"; exit 1; }
done
"$exe" "$@" --report-only --out "$work" > "$work.merge.log" 2>&1 || { cat "$work.merge.log"; exit 1; }
"$compare" "$unsharded/run.json" "$work/run.json"
cmp "$unsharded/learning_curves.csv" "$work/learning_curves.csv"
echo "segmentation stage, $shards shards and the merge equal the run in one go"
