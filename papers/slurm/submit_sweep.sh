#!/usr/bin/env bash
# Submits a paper's sweep to Slurm: an array of N shard jobs, each performing one
# slice of the plan (--shard i/N), and a merge job that starts once all of them
# have succeeded and writes the report (--report-only).
#
# usage: papers/slurm/submit_sweep.sh N PAPER_EXE OUT [paper options...]
#   e.g. papers/slurm/submit_sweep.sh 8 build/papers/khan_yong_anatomy /scratch/ky --profile paper
#
# Resources and accounts go through sbatch's own environment variables, e.g.
# SBATCH_PARTITION=gpu SBATCH_GRES=gpu:1 SBATCH_TIMELIMIT=12:00:00 SBATCH_ACCOUNT=lab.
# OUT must be on a file system every node sees. Prints the two job ids.
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
shards=$1
exe=$(realpath "$2")
out=$(realpath -m "$3")
shift 3
case $shards in '' | *[!0-9]* | 0) echo "N must be a positive whole number, got '$shards'" >&2; exit 2 ;; esac
here=$(dirname "$(realpath "$0")")
mkdir -p "$out/slurm"
array=$(sbatch --parsable --job-name=medrepro-shard --array=0-$((shards - 1)) --output="$out/slurm/shard-%a.log" \
          "$here/shard.sbatch" "$shards" "$exe" "$out" "$@")
array=${array%%;*}
merge=$(sbatch --parsable --job-name=medrepro-merge --dependency=afterok:"$array" --output="$out/slurm/merge.log" \
          "$here/merge.sbatch" "$exe" "$out" "$@")
echo "${merge%%;*}" > "$out/slurm/merge_job_id"
echo "shards: job $array (array of $shards); merge: job ${merge%%;*}; logs in $out/slurm/"
