#!/usr/bin/env bash
# Prepares the GPU check on this machine (Debian, the project's dependencies
# installed): nothing can be fetched on a lent GPU machine, and what travels
# there is at most 64 MiB, so this builds the four programs the check runs
# (stripped; the unit tests as one executable), downloads the Debian packages of
# the Vulkan loader and the Khronos validation layer, and cuts a small MedNIST
# folder, all into gpu-check/ (ignored by git). Then, with the device tool:
#   run  carry: ["gpu-check"]  command: tests/device/gpu_check.sh "$OUT"
# usage: tests/device/prepare_gpu_check.sh [images per class, default 60]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
per_class=${1:-60}
build=$root/build-gpu
kit=$root/gpu-check
data=${MEDREPRO_DATA:-$root/../shared/datasets}

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMEDREPRO_UNIT_TEST_BUNDLE=ON >/dev/null
cmake --build "$build" --target medrepro khan_yong_anatomy medrepro_benchmark medrepro_unit_tests compare_runs
rm -rf "$kit"
mkdir -p "$kit/bin" "$kit/debs" "$kit/data"
for exe in medrepro papers/khan_yong_anatomy tests/medrepro_benchmark tests/medrepro_unit_tests tests/compare_runs; do
  strip -o "$kit/bin/$(basename "$exe")" "$build/$exe"
done
(cd "$kit/debs" && apt-get download libvulkan1 vulkan-validationlayers >/dev/null 2>&1) || {
  apt-get update -qq && (cd "$kit/debs" && apt-get download libvulkan1 vulkan-validationlayers >/dev/null)
}
# The first images of each class, in the archive's order: enough for the smoke profile.
python3 - "$data/MedNIST.tar.gz" "$kit/data" "$per_class" <<'PY'
import sys, tarfile, collections
archive, out, per_class = sys.argv[1], sys.argv[2], int(sys.argv[3])
taken = collections.Counter()
with tarfile.open(archive) as tar:
    for member in tar:
        parts = member.name.split("/")
        if not member.isfile() or len(parts) != 3 or not parts[2].endswith(".jpeg"):
            continue
        if taken[parts[1]] < per_class:
            taken[parts[1]] += 1
            tar.extract(member, out)
print("MedNIST subset:", dict(taken))
PY
git -C "$root" rev-parse HEAD > "$kit/commit"
du -sh "$kit"
