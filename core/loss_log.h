#pragma once
// Per-step training losses kept on the device and read back in batches, so a
// training step never waits for the host; reading back checks every value and
// stops the run at the first NaN or Inf, naming its step.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace medrepro {

class LossLog {
 public:
  explicit LossLog(std::string what = "training loss", int64_t capacity = 1024);

  // Records the one-element `loss` of `step` (a device copy; no wait).
  void record(const Tensor& loss, int64_t step);
  // Returns the (step, loss) pairs recorded since the last drain, in order. Throws Error
  // "<what> is NaN at step S" (or Inf) for the first non-finite one.
  std::vector<std::pair<int64_t, float>> drain();

 private:
  std::string what_;
  Tensor slots_;
  std::vector<int64_t> steps_;
  std::vector<std::pair<int64_t, float>> read_back_;  // drained early because the slots filled
};

}  // namespace medrepro
