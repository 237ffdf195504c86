#include "core/adam.h"

#include <cmath>
#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches shaders/adam_step.comp.
struct AdamPush {
  uint32_t count;
  float beta1, beta2, eps;
  float step_size;              // lr / (1 - beta1^t)
  float bias_correction2_sqrt;  // sqrt(1 - beta2^t)
  float l2_decay;               // weight_decay for WeightDecay::L2, else 0
  float decoupled_shrink;       // lr * weight_decay for WeightDecay::Decoupled, else 0
};

}  // namespace

Adam::Adam(std::vector<nn::Parameter*> parameters, AdamOptions options)
    : parameters_(std::move(parameters)), steps_(parameters_.size(), 0), options_(options) {
  for (nn::Parameter* p : parameters_) {
    first_moments_.push_back(Tensor::zeros(p->value.shape()));
    second_moments_.push_back(Tensor::zeros(p->value.shape()));
  }
}

void Adam::step() {
  NoGradGuard no_grad;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const nn::Parameter& p = *parameters_[i];
    Tensor grad = p.value.grad();
    if (!grad.defined() || p.value.numel() == 0) continue;
    const int64_t t = ++steps_[i];
    const double lr = double(options_.learning_rate) * (options_.use_parameter_multipliers ? p.lr_mult : 1.0f);
    const double decay = double(options_.weight_decay) * (options_.use_parameter_multipliers ? p.decay_mult : 1.0f);
    const double bias_correction1 = 1.0 - std::pow(double(options_.beta1), double(t));
    const double bias_correction2 = 1.0 - std::pow(double(options_.beta2), double(t));
    const bool decoupled = options_.decay_mode == WeightDecay::Decoupled;
    const AdamPush push{count32(p.value, "adam"),
                        options_.beta1,
                        options_.beta2,
                        options_.eps,
                        static_cast<float>(lr / bias_correction1),
                        static_cast<float>(std::sqrt(bias_correction2)),
                        decoupled ? 0.0f : static_cast<float>(decay),
                        decoupled ? static_cast<float>(lr * decay) : 0.0f};
    launch_linear("adam_step", {grad.read(), p.value.write(), first_moments_[i].write(), second_moments_[i].write()},
                  push, p.value.numel());
  }
}

void Adam::zero_grad() {
  for (nn::Parameter* p : parameters_) p->value.zero_grad();
}

void Adam::set_step_counts(const std::vector<int64_t>& steps) {
  if (steps.size() != parameters_.size()) {
    fail("Adam::set_step_counts: " + std::to_string(steps.size()) + " counts for " +
         std::to_string(parameters_.size()) + " parameters");
  }
  for (int64_t s : steps) {
    if (s < 0) fail("Adam::set_step_counts: negative step count " + std::to_string(s));
  }
  steps_ = steps;
}

std::vector<std::pair<std::string, Tensor>> Adam::state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < parameters_.size(); ++i) {
    out.emplace_back("adam.m." + parameters_[i]->name, first_moments_[i]);
    out.emplace_back("adam.v." + parameters_[i]->name, second_moments_[i]);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Adam::host_state() const {
  std::string steps;
  for (size_t i = 0; i < steps_.size(); ++i) steps.append(i ? "," : "").append(std::to_string(steps_[i]));
  return {{"adam.steps", steps}};
}

void Adam::restore_host_state(const std::vector<std::pair<std::string, std::string>>& state) {
  for (const auto& [key, value] : state) {
    if (key != "adam.steps") continue;
    std::vector<int64_t> steps;
    size_t start = 0;
    while (start < value.size()) {
      size_t end = value.find(',', start);
      if (end == std::string::npos) end = value.size();
      steps.push_back(std::stoll(value.substr(start, end - start)));
      start = end + 1;
    }
    set_step_counts(steps);
  }
}

}  // namespace medrepro
