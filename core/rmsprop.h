#pragma once
// RMSProp (Tieleman & Hinton 2012), updated on the device: one kernel per parameter,
// weights and running averages never visit the host. Keras' and PyTorch's form:
//   g = grad (+ weight_decay * w)
//   v = rho * v + (1 - rho) * g^2
//   w = w - lr * g / (sqrt(v) + eps)
// Keras defaults are rho 0.9, eps 1e-7; PyTorch's are alpha (rho) 0.99, eps 1e-8.
// The defaults here are Keras': the papers that name RMSProp trained with Keras.
//
// With momentum mu > 0, the form of Kamnitsas et al.'s DeepMedic (its Theano code:
// RMSProp with "normalised" Nesterov momentum), eps inside the root:
//   g = grad (+ weight_decay * w)
//   v = rho * v + (1 - rho) * g^2
//   s = (1 - mu) * lr * g / sqrt(v + eps)
//   m = mu * m - s
//   w = w + mu * m - s
// DeepMedic trains with lr 1e-3, rho 0.9, eps 1e-4, mu 0.6.
// Parameters that received no gradient are left alone.
#include <string>
#include <utility>
#include <vector>

#include "core/nn/module.h"
#include "core/optim.h"
#include "core/tensor.h"

namespace medrepro {

struct RmsPropOptions {
  float learning_rate = 1e-3f;
  float rho = 0.9f;
  float eps = 1e-7f;
  float weight_decay = 0.0f;  // L2, added to the gradient
  float momentum = 0.0f;      // mu: 0 for Keras' RMSProp, > 0 for DeepMedic's Nesterov form
};

class RmsProp : public Optimizer {
 public:
  RmsProp(std::vector<nn::Parameter*> parameters, RmsPropOptions options = {});

  void step() override;
  void zero_grad() override;
  void set_learning_rate(float rate) override { options_.learning_rate = rate; }
  float learning_rate() const override { return options_.learning_rate; }
  // "rmsprop.v.<parameter>", and with momentum "rmsprop.m.<parameter>"
  std::vector<std::pair<std::string, Tensor>> state() const override;
  const RmsPropOptions& options() const { return options_; }

 private:
  std::vector<nn::Parameter*> parameters_;
  std::vector<Tensor> mean_squares_;
  std::vector<Tensor> momenta_;  // with momentum only
  RmsPropOptions options_;
};

}  // namespace medrepro
