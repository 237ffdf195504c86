#include "core/loss_log.h"

#include <cmath>
#include <utility>

#include "core/device.h"
#include "core/error.h"

namespace medrepro {

LossLog::LossLog(std::string what, int64_t capacity) : what_(std::move(what)), slots_(Tensor::empty({capacity})) {}

void LossLog::record(const Tensor& loss, int64_t step) {
  if (loss.numel() != 1) fail("LossLog::record: the loss must have one element, got " + to_string(loss.shape()));
  if (static_cast<int64_t>(steps_.size()) == slots_.numel()) {
    auto early = drain();
    read_back_.insert(read_back_.end(), early.begin(), early.end());
  }
  BufferRange slot = slots_.range();
  slot.offset += steps_.size() * sizeof(float);
  slot.bytes = sizeof(float);
  Context::get().stream().copy(loss.range(), slot);
  steps_.push_back(step);
}

std::vector<std::pair<int64_t, float>> LossLog::drain() {
  std::vector<std::pair<int64_t, float>> out = std::exchange(read_back_, {});
  if (steps_.empty()) return out;
  const std::vector<float> values = slots_.to_host();
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (!std::isfinite(values[i])) {
      const int64_t step = steps_[i];
      steps_.clear();
      throw NonFiniteLoss(what_ + " is " + (std::isnan(values[i]) ? "NaN" : "Inf") + " at step " +
                              std::to_string(step) +
                              ": training stopped (lower the learning rate, or check the data of that step)",
                          step);
    }
    out.emplace_back(steps_[i], values[i]);
  }
  steps_.clear();
  return out;
}

}  // namespace medrepro
