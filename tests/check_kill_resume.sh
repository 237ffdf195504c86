#!/usr/bin/env bash
# kill -9 in the middle of a sweep, then --resume: the final numbers equal an
# uninterrupted run's (finished runs are read back, the interrupted one continues
# from its last end-of-epoch checkpoint, the rest run afresh).
# usage: check_kill_resume.sh PAPER_EXE COMPARE_RUNS UNINTERRUPTED_OUT WORK_DIR [paper options...]
set -euo pipefail
exe=$1 compare=$2 uninterrupted=$3 work=$4
shift 4
rm -rf "$work"
"$exe" "$@" --checkpoint-interval 0 --out "$work" > "$work.first.log" 2>&1 &
pid=$!
# Kill as soon as a run has finished and another has a checkpoint: mid-run, mid-sweep.
for _ in $(seq 3000); do
  if compgen -G "$work/runs/*.json" >/dev/null && compgen -G "$work/checkpoints/*.ckpt" >/dev/null; then break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.02
done
kill -9 "$pid" 2>/dev/null || { echo "FAIL: the run ended before it could be killed"; cat "$work.first.log"; exit 1; }
wait "$pid" 2>/dev/null || true
finished=$(ls "$work"/runs/*.json | wc -l)
interrupted=$(ls "$work"/checkpoints/*.ckpt 2>/dev/null | xargs -n1 basename)
echo "killed with $finished run(s) finished and a checkpoint of $interrupted"
"$exe" "$@" --checkpoint-interval 0 --resume --out "$work" > "$work.resume.log" 2>&1 || { cat "$work.resume.log"; exit 1; }
grep -q "the others are finished and read back" "$work.resume.log"
"$compare" "$uninterrupted/run.json" "$work/run.json"
diff -r "$uninterrupted/predictions" "$work/predictions"
# The interrupted run went on from its checkpoint, not from the start.
grep -q '"resumed": true' "$work/runs/${interrupted%.ckpt}.json" || { echo "FAIL: ${interrupted%.ckpt} did not resume"; exit 1; }
echo "the killed and resumed sweep equals the uninterrupted one"
