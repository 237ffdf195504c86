#pragma once
// One line of the benchmark: what it measures, how to build the work, what the
// peer measures for it, and, once run, our timing and the peers'.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "papers/common/json.h"
#include "tests/bench/timing.h"

namespace medrepro::bench {

enum class Unit { GflopPerSecond, GbPerSecond, ImagesPerSecond };
const char* unit_name(Unit unit);

struct Row {
  std::string group;  // "peak", "gemm", "conv2d", "lstm", "batch norm", "conv3d", "train step"
  std::string name;   // unique: --rows filters on it and the peer's results are keyed by it
  std::string shape;  // for the reader
  Unit unit = Unit::GflopPerSecond;
  double work = 0;    // per repetition: FLOPs, bytes or images, as the unit says
  Budget budget;
  bool device_time = true;  // kernel rows: device ms is the primary time; training steps: wall ms
  // Builds the row's tensors when the row runs, so only one row's memory is held at a time.
  std::function<Work()> make;
  report::Json peer;  // the same measurement for the peer (peer_pytorch.py); null: none

  // What the targets select rows by.
  std::string model;  // "lenet", "alexnet", "googlenet", "proposed" or empty
  std::string pass;   // conv2d: "fwd", "bwd-data", "bwd-weight"
  int input_size = 0; // the model's input size the row belongs to
};

struct PeerTiming {
  Spread time;  // ms per repetition, wall clock (the peer synchronizes the device itself)
  int samples = 0;
};

struct Result {
  Row row;
  Timing ours;
  std::string error;  // our side could not run the row (e.g. a tensor over the device's limits): why
  std::string note;   // how our side ran the row, where the reader should know (Work::note)
  double forward_flops_per_image = 0;  // Work::forward_flops_per_image
  std::vector<std::pair<std::string, double>> kernel_shares;  // conv2d and training steps (kernel_shares())
  std::vector<std::optional<PeerTiming>> peers;  // one per peer, in the peers' order

  double rate_at(double ms) const;  // in the row's unit
  double our_rate() const { return rate_at(ours.primary().median); }
  std::optional<double> peer_rate(size_t peer) const;
  // ours / peer, as rates: > 1 means we are faster.
  std::optional<double> ratio(size_t peer) const;  // none when either side has no time
};

// The result of the row named `name` if it ran without error, else null.
const Result* find_result(const std::vector<Result>& results, const std::string& name);
// Its rate in its unit, if it ran.
std::optional<double> rate_of(const std::vector<Result>& results, const std::string& name);

}  // namespace medrepro::bench
