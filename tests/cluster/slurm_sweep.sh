#!/usr/bin/env bash
# A real Slurm cluster of one node on this machine runs a paper's sweep as the
# README says to: papers/slurm/submit_sweep.sh submits a 2-task job array and a
# dependent merge job; the merged report must equal the unsharded run's, number
# for number. Installs Debian's slurm-wlm parts and munge when missing (as root),
# starts munged, slurmctld and slurmd with a generated configuration under a
# temporary folder, and stops every daemon it started, whatever happens.
#
# usage: slurm_sweep.sh PAPER_EXE COMPARE_RUNS UNSHARDED_OUT WORK_DIR [paper options...]
set -euo pipefail
exe=$(realpath "$1") compare=$(realpath "$2") unsharded=$(realpath "$3") work=$(realpath -m "$4")
shift 4
here=$(dirname "$(realpath "$0")")
submit="$here/../../papers/slurm/submit_sweep.sh"

packages=(slurmctld slurmd slurm-client munge)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "needs root to install ${missing[*]}"; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

rm -rf "$work"
mkdir -p "$work"
cluster=$(mktemp -d /tmp/medrepro-slurm.XXXXXX)
chmod 755 "$cluster"
pids=()
stop_daemons() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$cluster"
}
trap stop_daemons EXIT
started() {  # waits for a daemon's pid file, records the pid
  for _ in $(seq 100); do [ -s "$1" ] && { pids+=("$(cat "$1")"); return 0; }; sleep 0.1; done
  echo "$2 did not start; its log:"; cat "$3" || true; return 1
}

# munge: a fresh key, a private socket.
mkdir -m 700 "$cluster/munge"
dd if=/dev/urandom of="$cluster/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$cluster/munge/munge.key"
munged --force --key-file="$cluster/munge/munge.key" --socket="$cluster/munge/munge.socket" \
  --pid-file="$cluster/munge/munged.pid" --log-file="$cluster/munge/munged.log" \
  --seed-file="$cluster/munge/munged.seed"
started "$cluster/munge/munged.pid" munged "$cluster/munge/munged.log"

# Slurm: this host as controller and only node, ports away from the defaults.
node=$(hostname -s)
port=$((17000 + RANDOM % 2000))
mkdir -p "$cluster/state" "$cluster/spool"
cat > "$cluster/slurm.conf" <<CONF
ClusterName=medrepro-test
SlurmctldHost=$node
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$cluster/munge/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$node CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$cluster/slurm.conf"
slurmctld -f "$SLURM_CONF"
started "$cluster/slurmctld.pid" slurmctld "$cluster/slurmctld.log"
slurmd -f "$SLURM_CONF"
started "$cluster/slurmd.pid" slurmd "$cluster/slurmd.log"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo

"$submit" 2 "$exe" "$work" "$@"
merge_job=$(cat "$work/slurm/merge_job_id")
deadline=$((SECONDS + 1200))
state=
while [ $SECONDS -lt $deadline ]; do
  state=$(scontrol show job "$merge_job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
  case $state in COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
  sleep 2
done
echo "merge job $merge_job: ${state:-unknown}"
if [ "$state" != COMPLETED ]; then
  for log in "$work"/slurm/*.log; do echo "== $log"; tail -n 20 "$log"; done
  echo "== slurmctld.log"; tail -n 30 "$cluster/slurmctld.log"
  exit 1
fi
grep -h "shard .* done" "$work"/slurm/shard-*.log
"$compare" "$unsharded/run.json" "$work/run.json"
diff -r "$unsharded/predictions" "$work/predictions"
cmp "$unsharded/test_split.txt" "$work/test_split.txt"
echo "the Slurm sweep (2 array tasks and a merge job) equals the unsharded run"
