#include "tests/bench/targets.h"

#include <cstdio>
#include <functional>

namespace medrepro::bench {
namespace {

enum class DeviceClass { CpuDriver, Nvidia, Other };

DeviceClass classify(const PhysicalDeviceInfo& device) {
  if (device.type == "CPU") return DeviceClass::CpuDriver;
  if (device.vendor == "NVIDIA") return DeviceClass::Nvidia;
  return DeviceClass::Other;
}

std::string number(double value, int decimals = 1) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

// Every selected row's rate must reach `minimum`.
TargetVerdict every_rate_at_least(const std::string& target, const std::vector<Result>& results,
                                  const std::function<bool(const Row&)>& selects, double minimum) {
  TargetVerdict verdict{target, "", std::nullopt};
  int count = 0, meeting = 0, failed = 0;
  const Result* slowest = nullptr;
  for (const Result& r : results) {
    if (!selects(r.row)) continue;
    ++count;
    if (!r.error.empty()) {
      ++failed;
      continue;
    }
    if (r.our_rate() >= minimum) ++meeting;
    if (!slowest || r.our_rate() < slowest->our_rate()) slowest = &r;
  }
  if (count == 0) {
    verdict.measured = "rows not measured in this run";
    return verdict;
  }
  verdict.measured = std::to_string(meeting) + " of " + std::to_string(count) + " rows reach it";
  if (slowest) {
    verdict.measured += "; slowest " + number(slowest->our_rate()) + " " + unit_name(slowest->row.unit) + " (" +
                        slowest->row.name + ")";
  }
  if (failed) verdict.measured += "; " + std::to_string(failed) + " failed to run";
  verdict.met = meeting == count;
  return verdict;
}

// The training-step row of `model` at `size`: ours / peer in img/s must reach `minimum` (strictly exceed when `faster`).
TargetVerdict step_ratio(const std::string& target, const std::vector<Result>& results, size_t peer,
                         const std::string& model, int size, double minimum, bool faster = false) {
  TargetVerdict verdict{target, "", std::nullopt};
  for (const Result& r : results) {
    if (r.row.group != "train step" || r.row.model != model || r.row.input_size != size) continue;
    if (!r.error.empty()) {
      verdict.measured = "ours failed to run: " + r.error;
      verdict.met = false;
      return verdict;
    }
    const std::optional<double> ratio = r.ratio(peer);
    if (!ratio) {
      verdict.measured = "ours " + number(r.our_rate()) + " img/s; no peer measurement";
      return verdict;
    }
    verdict.measured = "ours " + number(r.our_rate()) + " img/s, peer " + number(*r.peer_rate(peer)) +
                       " img/s: " + number(*ratio, 2) + "x";
    verdict.met = faster ? *ratio > minimum : *ratio >= minimum;
    return verdict;
  }
  verdict.measured = "row not measured in this run";
  return verdict;
}

// Every selected row's ratio ours / peer must reach `minimum`.
TargetVerdict every_ratio_at_least(const std::string& target, const std::vector<Result>& results, size_t peer,
                                   const std::function<bool(const Row&)>& selects, double minimum) {
  TargetVerdict verdict{target, "", std::nullopt};
  std::string measured;
  bool met = true, judged = true;
  for (const Result& r : results) {
    if (!selects(r.row)) continue;
    if (!measured.empty()) measured += "; ";
    if (!r.error.empty()) {
      measured += r.row.name + " failed to run";
      met = false;
      continue;
    }
    const double ratio = r.ratio(peer).value_or(-1.0);  // ratios are positive: -1 marks none
    if (ratio < 0) {
      measured += r.row.name + " has no peer measurement";
      judged = false;
      continue;
    }
    measured += r.row.name + " " + number(ratio, 2) + "x";
    met = met && ratio >= minimum;
  }
  verdict.measured = measured.empty() ? "rows not measured in this run" : measured;
  if (!measured.empty() && (judged || !met)) verdict.met = met;
  return verdict;
}

bool alexnet_or_proposed(const Row& row) { return row.model == "alexnet" || row.model == "proposed"; }
bool volumetric_paper(const Row& row) { return row.model == "deepmedic" || row.model == "mnet3d"; }

}  // namespace

std::string target_set_name(const PhysicalDeviceInfo& device) {
  switch (classify(device)) {
    case DeviceClass::CpuDriver: return "lavapipe (a CPU driver), against PyTorch on the same CPU";
    case DeviceClass::Nvidia: return "NVIDIA, against PyTorch CUDA with TF32 off";
    case DeviceClass::Other: return "none: the issue sets targets for lavapipe and NVIDIA GPUs only";
  }
  return "";
}

std::vector<TargetVerdict> judge_targets(const PhysicalDeviceInfo& device, const std::vector<Result>& results,
                                         const std::vector<PeerRun>& peers) {
  std::vector<TargetVerdict> verdicts;
  const DeviceClass device_class = classify(device);
  if (device_class == DeviceClass::CpuDriver) {
    verdicts.push_back(every_rate_at_least("GEMM >= 45 GFLOP/s (every GEMM row)", results,
                                           [](const Row& row) { return row.group == "gemm"; }, 45));
    for (const char* pass : {"fwd", "bwd-data", "bwd-weight"}) {
      verdicts.push_back(every_rate_at_least(
          std::string("conv2d ") + pass + " >= 30 GFLOP/s at the AlexNet and proposed CNN shapes", results,
          [pass](const Row& row) { return row.group == "conv2d" && row.pass == pass && alexnet_or_proposed(row); },
          30));
    }
    const size_t cpu = 0;  // on a CPU driver the one peer is PyTorch on the CPU
    const bool have_peer = !peers.empty() && peers[cpu].failure.empty();
    const size_t peer = have_peer ? cpu : size_t(-1);
    verdicts.push_back(step_ratio("Training step AlexNet @64, batch 64: >= 0.5x PyTorch CPU img/s", results, peer,
                                  "alexnet", 64, 0.5));
    verdicts.push_back(step_ratio("Training step proposed CNN @64, batch 64: >= 0.5x PyTorch CPU img/s", results,
                                  peer, "proposed", 64, 0.5));
    verdicts.push_back(step_ratio("Training step LeNet @64, batch 64: >= 0.25x PyTorch CPU img/s", results, peer,
                                  "lenet", 64, 0.25));
    for (const char* pass : {"fwd", "bwd-data", "bwd-weight"}) {
      verdicts.push_back(every_rate_at_least(
          std::string("conv3d ") + pass + " >= 30 GFLOP/s at the DeepMedic and 3-D M-Net shapes", results,
          [pass](const Row& row) { return row.group == "conv3d" && row.pass == pass && volumetric_paper(row); }, 30));
    }
    verdicts.push_back(every_ratio_at_least(
        "LSTM and BiLSTM forward+backward >= 0.5x PyTorch CPU", results, peer,
        [](const Row& row) { return row.name == "lstm fwd+bwd" || row.name == "bilstm fwd+bwd pereira"; }, 0.5));
    const std::string copy = "copy storage->storage";
    const std::optional<double> memory_speed = rate_of(results, copy);
    if (memory_speed) {
      verdicts.push_back(every_rate_at_least(
          "batch norm forward+backward at memory speed: >= the " + copy + " row (" + number(*memory_speed, 2) +
              " GB/s in this run)",
          results, [](const Row& row) { return row.group == "batch norm"; }, *memory_speed));
    } else {
      verdicts.push_back({"batch norm forward+backward at memory speed (the " + copy + " row)",
                          "not judged: the copy row did not run", std::nullopt});
    }
  } else if (device_class == DeviceClass::Nvidia) {
    size_t tf32_off = size_t(-1);
    for (size_t i = 0; i < peers.size(); ++i) {
      if (peers[i].config.device == "cuda" && !peers[i].config.tf32 && peers[i].failure.empty()) tf32_off = i;
    }
    verdicts.push_back(step_ratio("Training step AlexNet @227, batch 64: >= 0.5x PyTorch CUDA (TF32 off) img/s",
                                  results, tf32_off, "alexnet", 227, 0.5));
    verdicts.push_back(step_ratio("Training step proposed CNN @227, batch 64: >= 0.5x PyTorch CUDA (TF32 off) img/s",
                                  results, tf32_off, "proposed", 227, 0.5));
    verdicts.push_back(step_ratio("Training step LeNet @28 (native), batch 64: faster than PyTorch CUDA (TF32 off)",
                                  results, tf32_off, "lenet", 28, 1.0, true));
  }
  return verdicts;
}

}  // namespace medrepro::bench
