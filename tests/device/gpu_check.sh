#!/usr/bin/env bash
# The GPU check: what anyone with a lent GPU machine runs first, in one call, from
# the kit that prepare_gpu_check.sh made (gpu-check/, carried). It lists the
# Vulkan devices, runs the unit tests on the GPU under the validation layer,
# Khan & Yong's smoke profile on a MedNIST subset, and medrepro_benchmark
# --quick with the PyTorch peer on CUDA, each step under its own time limit
# (about 7 minutes in all). It needs no GPU to run: elsewhere it checks the
# device the engine would choose. OUT receives at most 8 files (the device
# tool's limit), to be committed unedited to reports/gpu/<device>/:
#   summary.md, devices.txt, unit_tests.log, khan_yong_smoke.log,
#   khan_yong_smoke.tar.gz, benchmark.log, benchmark.tar.gz
# usage: tests/device/gpu_check.sh OUT
set -uo pipefail
out=${1:?usage: tests/device/gpu_check.sh OUT}
root=$(cd "$(dirname "$0")/../.." && pwd)
kit=$root/gpu-check
bin=$kit/bin
[ -x "$bin/medrepro" ] || { echo "no kit in $kit: run tests/device/prepare_gpu_check.sh first"; exit 2; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
summary=$out/summary.md
note() { echo "$*" | tee -a "$summary"; }

# The carried loader and validation layer, unpacked beside the system's (whose
# loader, if any, still comes first).
vulkan=$(mktemp -d /tmp/medrepro-vulkan.XXXXXX)
for deb in "$kit"/debs/*.deb; do dpkg -x "$deb" "$vulkan"; done
export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$vulkan/usr/lib/x86_64-linux-gnu
export VK_ADD_LAYER_PATH=$vulkan/usr/share/vulkan/explicit_layer.d
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1 && [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES=$nvidia_icd
fi

: > "$summary"
note "# GPU check"
note ""
note "- date (UTC): $(date -u +%Y-%m-%dT%H:%M:%SZ)"
note "- commit of the kit: $(cat "$kit/commit" 2>/dev/null || echo unknown)"
note "- host: $(hostname), $(nproc) cores; GPU (nvidia-smi): $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo none)"
"$bin/medrepro" devices > "$out/devices.txt" 2>&1
device=$(grep -E '^\[[0-9]+\]' "$out/devices.txt" | grep -v ', CPU)$' | head -n 1 | sed -E 's/^\[([0-9]+)\].*/\1/')
if [ -z "$device" ]; then
  device=$(grep -E '^\[[0-9]+\]' "$out/devices.txt" | head -n 1 | sed -E 's/^\[([0-9]+)\].*/\1/')
  note "- no GPU among the Vulkan devices: checking device ${device:-none} instead"
fi
[ -n "$device" ] || { note "- no Vulkan device at all; see devices.txt"; exit 1; }
export MEDREPRO_DEVICE=$device
note "- Vulkan device $device: $(grep -E "^\[$device\]" "$out/devices.txt" | cut -d' ' -f2-)"
note "- $(grep -A1 -E "^\[$device\]" "$out/devices.txt" | tail -n 1 | sed 's/^ *//')"
note ""
note "| step | result | seconds |"
note "|---|---|--:|"

status=0
step() {  # step NAME LIMIT_SECONDS LOG COMMAND...
  local name=$1 limit=$2 log=$3
  shift 3
  local start=$SECONDS
  timeout "$limit" "$@" > "$log" 2>&1
  local rc=$?
  local result=passed
  [ $rc -eq 124 ] && result="stopped at its ${limit} s limit"
  [ $rc -ne 0 ] && [ $rc -ne 124 ] && result="failed (exit $rc)"
  [ $rc -ne 0 ] && status=1
  note "| $name | $result | $((SECONDS - start)) |"
}

step "unit tests, validation layer on" 180 "$out/unit_tests.log" "$bin/medrepro_unit_tests"
work=$(mktemp -d /tmp/medrepro-gpu-check.XXXXXX)
step "Khan & Yong smoke profile (MedNIST subset), validation on" 120 "$out/khan_yong_smoke.log" \
  "$bin/khan_yong_anatomy" --profile smoke --validation --data "$kit/data" --out "$work/khan_yong_smoke"
step "medrepro_benchmark --quick, PyTorch peer" 200 "$out/benchmark.log" \
  "$bin/medrepro_benchmark" --quick --python "$(command -v python3 || echo /usr/bin/python3)" --out "$work/benchmark"
for part in khan_yong_smoke benchmark; do
  [ -d "$work/$part" ] && tar -czf "$out/$part.tar.gz" -C "$work" --exclude=checkpoints --exclude=runs "$part"
done
note ""
note "Unit tests: $(grep -E '^\[doctest\] (test cases|assertions)' "$out/unit_tests.log" | tr '\n' ' ')"
grep -E '^(FAILED|cannot open)' "$out/unit_tests.log" | head -n 5 | while read -r line; do note "- $line"; done
rm -rf "$work" "$vulkan"
exit $status
