#pragma once
// Stochastic gradient descent with momentum and L2 weight decay, updated on the
// device (one kernel per parameter; weights never visit the host).
//
// Two conventions exist and differ once the learning rate changes:
//   Caffe   (default): v = m*v + lr*(g + wd*w);  w = w - v
//   PyTorch:           v = m*v + (g + wd*w);     w = w - lr*v
// The papers reproduced here trained with Caffe, hence the default.
// Per-parameter lr_mult/decay_mult scale lr and wd as in Caffe.
#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/module.h"
#include "core/tensor.h"

namespace medrepro {

enum class MomentumConvention { Caffe, PyTorch };

struct SgdOptions {
  float learning_rate = 0.01f;
  float momentum = 0.9f;
  float weight_decay = 0.0005f;
  MomentumConvention convention = MomentumConvention::Caffe;
};

class Sgd {
 public:
  Sgd(std::vector<nn::Parameter*> parameters, SgdOptions options);

  // Applies one update with the current learning rate; parameters without a
  // gradient (not reached by backward) are left alone.
  void step();
  void zero_grad();
  void set_learning_rate(float rate) { options_.learning_rate = rate; }
  const SgdOptions& options() const { return options_; }

  // Momentum buffers by parameter name, for checkpoints.
  const std::vector<nn::Parameter*>& parameters() const { return parameters_; }
  const std::vector<Tensor>& momentum_buffers() const { return momentum_; }

 private:
  std::vector<nn::Parameter*> parameters_;
  std::vector<Tensor> momentum_;
  SgdOptions options_;
};

// Caffe "step" policy: rate = base * gamma^floor(iteration / step_size).
struct StepSchedule {
  float base_rate = 0.01f;
  float gamma = 0.1f;
  int64_t step_size = 0;  // 0: constant rate
  float rate(int64_t iteration) const;
};

}  // namespace medrepro
