#pragma once
// Per-step training losses kept on the device and read back in batches, so a
// training step never waits for the host; reading back checks every value and
// stops the run at the first NaN or Inf, naming its step.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"

namespace medrepro {

// The loss of `step` was NaN or Inf: the run diverged. Its own type, so that an
// experiment can record the divergence as a result and go on with other runs.
struct NonFiniteLoss : Error {
  NonFiniteLoss(const std::string& message, int64_t at_step) : Error(message), step(at_step) {}
  int64_t step;
};

class LossLog {
 public:
  explicit LossLog(std::string what = "training loss", int64_t capacity = 1024);

  // Records the one-element `loss` of `step` (a device copy; no wait).
  void record(const Tensor& loss, int64_t step);
  // Returns the (step, loss) pairs recorded since the last drain, in order. Throws
  // NonFiniteLoss "<what> is NaN at step S" (or Inf) for the first non-finite one.
  std::vector<std::pair<int64_t, float>> drain();

 private:
  std::string what_;
  Tensor slots_;
  std::vector<int64_t> steps_;
  std::vector<std::pair<int64_t, float>> read_back_;  // drained early because the slots filled
};

}  // namespace medrepro
