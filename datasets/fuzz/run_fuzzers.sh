#!/bin/sh
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address) in
# build-fuzz/, writes their seed corpora with make_seeds and runs each target
# for a bounded time. Usage: datasets/fuzz/run_fuzzers.sh [seconds per target, default 60] [targets...]
# Findings (crash-*, leak-*, timeout-*, oom-*) land in build-fuzz/fuzz-findings/<target>/.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=${MEDREPRO_FUZZ_BUILD:-$source_dir/build-fuzz}
seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-"npy zip nifti tar"}
cmake -S "$source_dir" -B "$build" -G Ninja -DMEDREPRO_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
jobs=${MEDREPRO_FUZZ_JOBS:-2}
ninja -j"$jobs" -C "$build" medrepro_fuzz_seeds $(for t in $targets; do printf 'fuzz_%s ' "$t"; done)
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
"$build/datasets/medrepro_fuzz_seeds" "$seeds"
status=0
for t in $targets; do
  corpus="$build/fuzz-corpus/$t"
  findings="$build/fuzz-findings/$t"
  mkdir -p "$corpus" "$findings"
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/datasets/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -malloc_limit_mb=512 \
      -timeout=10 -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "$seeds/$t" 2>"$build/fuzz_$t.log"; then
    status=1
    echo "fuzz_$t: FINDING, see $build/fuzz_$t.log and $findings/"
    tail -40 "$build/fuzz_$t.log"
  else
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ +DONE)" "$build/fuzz_$t.log" || true
    tail -1 "$build/fuzz_$t.log"
  fi
done
exit $status
