#pragma once
// The performance targets, judged from the measured rows. Lavapipe
// (a CPU driver) and NVIDIA GPUs have targets; other devices have none.
#include <optional>
#include <string>
#include <vector>

#include "core/device.h"
#include "tests/bench/peer.h"
#include "tests/bench/row.h"

namespace medrepro::bench {

struct TargetVerdict {
  std::string target;    // e.g. "GEMM >= 45 GFLOP/s"
  std::string measured;  // what the numbers were
  std::optional<bool> met;  // nullopt: the rows (or the peer) it needs were not measured
};

std::vector<TargetVerdict> judge_targets(const PhysicalDeviceInfo& device, const std::vector<Result>& results,
                                         const std::vector<PeerRun>& peers);
// Which targets apply, in words ("lavapipe (CPU driver)", ...).
std::string target_set_name(const PhysicalDeviceInfo& device);

}  // namespace medrepro::bench
