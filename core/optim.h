#pragma once
// Stochastic gradient descent with momentum and L2 weight decay, updated on the
// device (one kernel per parameter; weights never visit the host).
//
// Two conventions exist and differ once the learning rate changes:
//   Caffe   (default): v = m*v + lr*(g + wd*w);  w = w - v
//   PyTorch:           v = m*v + (g + wd*w);     w = w - lr*v
// The papers reproduced here trained with Caffe, hence the default.
// Per-parameter lr_mult/decay_mult scale lr and wd as in Caffe.
// Havaei et al. (pylearn2) also regularise with L1, g += l1 * sign(w) (scaled by
// decay_mult, as Caffe's L1), and bound every filter's norm: after each update a
// weight's rows along axis 0 (a filter, or an output unit's weights) longer than
// max_norm are scaled back to it; biases (rank 1) are left alone.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/nn/module.h"
#include "core/tensor.h"

namespace medrepro {

// What every optimiser offers the training loop and the checkpoints.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual void step() = 0;
  virtual void zero_grad() = 0;
  virtual void set_learning_rate(float rate) = 0;
  virtual float learning_rate() const = 0;
  // Device state by name (momentum, moments), saved and restored by checkpoints.
  virtual std::vector<std::pair<std::string, Tensor>> state() const = 0;
  // Host state (step counts) as text, saved in checkpoint metadata.
  virtual std::vector<std::pair<std::string, std::string>> host_state() const { return {}; }
  virtual void restore_host_state(const std::vector<std::pair<std::string, std::string>>&) {}
};

enum class MomentumConvention { Caffe, PyTorch };

struct SgdOptions {
  float learning_rate = 0.01f;
  float momentum = 0.9f;
  float weight_decay = 0.0005f;
  MomentumConvention convention = MomentumConvention::Caffe;
  float l1 = 0.0f;        // L1 regularisation strength
  float max_norm = 0.0f;  // bound on each filter's L2 norm; 0: none
};

class Sgd : public Optimizer {
 public:
  Sgd(std::vector<nn::Parameter*> parameters, SgdOptions options);

  // Applies one update with the current learning rate; parameters without a
  // gradient (not reached by backward) are left alone.
  void step() override;
  void zero_grad() override;
  void set_learning_rate(float rate) override { options_.learning_rate = rate; }
  float learning_rate() const override { return options_.learning_rate; }
  // For momentum schedules (Havaei et al. raise it from 0.5 to 0.9 during training).
  void set_momentum(float momentum) { options_.momentum = momentum; }
  const SgdOptions& options() const { return options_; }

  const std::vector<nn::Parameter*>& parameters() const { return parameters_; }
  const std::vector<Tensor>& momentum_buffers() const { return momentum_; }
  std::vector<std::pair<std::string, Tensor>> state() const override;  // "sgd.momentum.<parameter>"

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
