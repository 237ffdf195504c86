#pragma once
// Adam (Kingma & Ba 2015) with bias correction, updated on the device: one kernel per
// parameter, weights and moments never visit the host. Follows PyTorch's Adam/AdamW:
//   g = grad (+ weight_decay * w           with WeightDecay::L2, PyTorch Adam's weight_decay)
//   w = w * (1 - lr * weight_decay)        with WeightDecay::Decoupled (AdamW, Loshchilov & Hutter)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   w = w - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// t counts the steps this parameter has taken (it starts at 1); the two bias-correction
// factors are computed on the host in double and pushed to the kernel. Parameters that
// received no gradient are skipped and their t does not advance (PyTorch's per-parameter step).
#include <cstdint>
#include <vector>

#include "core/nn/module.h"
#include "core/optim.h"
#include "core/tensor.h"

namespace medrepro {

enum class WeightDecay {
  L2,         // added to the gradient, so it passes through the adaptive scaling (Adam)
  Decoupled,  // shrinks the weights directly, outside the adaptive scaling (AdamW)
};

struct AdamOptions {
  float learning_rate = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  WeightDecay decay_mode = WeightDecay::L2;
  // Scale lr and weight_decay by each parameter's Caffe lr_mult/decay_mult. Off by default:
  // Adam-era code (Keras, PyTorch) has no multipliers, and the layers set lr_mult 2 on biases.
  bool use_parameter_multipliers = false;
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<nn::Parameter*> parameters, AdamOptions options = {});

  // Applies one update with the current learning rate; parameters without a gradient
  // (not reached by backward) are left alone.
  void step() override;
  void zero_grad() override;
  void set_learning_rate(float rate) override { options_.learning_rate = rate; }
  float learning_rate() const override { return options_.learning_rate; }
  // "adam.m.<parameter>", "adam.v.<parameter>"; host state "adam.steps" = the step counts.
  std::vector<std::pair<std::string, Tensor>> state() const override;
  std::vector<std::pair<std::string, std::string>> host_state() const override;
  void restore_host_state(const std::vector<std::pair<std::string, std::string>>& state) override;
  const AdamOptions& options() const { return options_; }

  // Moment buffers and step counts in parameter order, for checkpoints.
  const std::vector<nn::Parameter*>& parameters() const { return parameters_; }
  const std::vector<Tensor>& first_moments() const { return first_moments_; }
  const std::vector<Tensor>& second_moments() const { return second_moments_; }
  const std::vector<int64_t>& step_counts() const { return steps_; }
  // Restores the step counts (the moments are restored by copying into the buffers above).
  void set_step_counts(const std::vector<int64_t>& steps);

 private:
  std::vector<nn::Parameter*> parameters_;
  std::vector<Tensor> first_moments_;
  std::vector<Tensor> second_moments_;
  std::vector<int64_t> steps_;
  AdamOptions options_;
};

}  // namespace medrepro
