#include "core/rmsprop.h"

#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches shaders/rmsprop_step.comp.
struct RmsPropPush {
  uint32_t count;
  float rho, eps, learning_rate, weight_decay, momentum;
};

}  // namespace

RmsProp::RmsProp(std::vector<nn::Parameter*> parameters, RmsPropOptions options)
    : parameters_(std::move(parameters)), options_(options) {
  if (options.momentum < 0.0f || options.momentum >= 1.0f) {
    fail("RmsProp: momentum " + std::to_string(options.momentum) + " outside [0, 1)");
  }
  for (nn::Parameter* p : parameters_) {
    mean_squares_.push_back(Tensor::zeros(p->value.shape()));
    if (options.momentum > 0.0f) momenta_.push_back(Tensor::zeros(p->value.shape()));
  }
}

void RmsProp::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const nn::Parameter& p = *parameters_[i];
    Tensor grad = p.value.grad();
    if (!grad.defined() || p.value.numel() == 0) continue;
    const RmsPropPush push{count32(p.value, "rmsprop"), options_.rho,          options_.eps,
                           options_.learning_rate,         options_.weight_decay, options_.momentum};
    if (momenta_.empty()) {
      launch_linear("rmsprop_step", {grad.read(), p.value.write(), mean_squares_[i].write()}, push,
                    p.value.numel());
    } else {
      launch_linear("rmsprop_nesterov_step",
                    {grad.read(), p.value.write(), mean_squares_[i].write(), momenta_[i].write()}, push,
                    p.value.numel());
    }
  }
}

void RmsProp::zero_grad() {
  for (nn::Parameter* p : parameters_) p->value.zero_grad();
}

std::vector<std::pair<std::string, Tensor>> RmsProp::state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    out.emplace_back("rmsprop.v." + parameters_[i]->name, mean_squares_[i]);
    if (!momenta_.empty()) out.emplace_back("rmsprop.m." + parameters_[i]->name, momenta_[i]);
  }
  return out;
}

}  // namespace medrepro
