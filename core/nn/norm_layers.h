#pragma once
// Batch normalisation and smooth/leaky activation modules.
#include <cstdint>

#include "core/nn/module.h"

namespace medrepro::nn {

// Batch normalisation over axis 1 of [N, C, ...] inputs (BatchNorm1d/2d/3d in one):
// batch statistics while training (updating the running statistics on the device),
// the running statistics in evaluation. Parameters "weight" (gamma, initialised to 1) and
// "bias" (beta, 0) when affine. The running statistics (mean 0, variance 1 at first) are
// state, not parameters: the optimiser never sees them; they are the module's buffers
// "running_mean" and "running_var", which checkpoints save.
class BatchNorm : public Module {
 public:
  // Arguments in the order of PyTorch's BatchNorm{1,2,3}d(num_features, eps, momentum, affine).
  explicit BatchNorm(int64_t channels, float eps = 1e-5f, float momentum = 0.1f, bool affine = true);
  Tensor forward(const Tensor& x) override;

  Tensor& running_mean() { return running_mean_; }
  Tensor& running_var() { return running_var_; }
  float momentum() const { return momentum_; }
  float eps() const { return eps_; }

 private:
  Parameter* weight_ = nullptr;
  Parameter* bias_ = nullptr;
  Tensor running_mean_;
  Tensor running_var_;
  float momentum_;
  float eps_;
};

class Sigmoid : public Module {
 public:
  Tensor forward(const Tensor& x) override;
};

class Tanh : public Module {
 public:
  Tensor forward(const Tensor& x) override;
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(float slope = 0.01f) : slope_(slope) {}
  Tensor forward(const Tensor& x) override;

 private:
  float slope_;
};

// PReLU with one learnable slope per channel of [N, C, ...] (channels 1: one shared
// slope), parameter "weight" initialised to `initial_slope` (PyTorch: 0.25;
// Kamnitsas et al.'s DeepMedic: 0.01).
class PReLU : public Module {
 public:
  explicit PReLU(int64_t channels, float initial_slope = 0.25f);
  Tensor forward(const Tensor& x) override;

 private:
  Parameter* weight_;
};

}  // namespace medrepro::nn
