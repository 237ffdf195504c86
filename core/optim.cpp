#include "core/optim.h"

#include <cmath>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/ops/checks.h"
#include "core/ops/elementwise.h"
#include "core/ops/shape.h"

namespace medrepro {
namespace {

// Scales each row along axis 0 of `weight` whose L2 norm exceeds max_norm back to it.
// The squared norms are summed by sum() in a fixed order, so the result is reproducible.
void bound_row_norms(const Tensor& weight, float max_norm) {
  const int64_t rows = weight.dim(0), row_length = weight.numel() / rows;
  const Tensor matrix = weight.reshape({rows, row_length});
  const Tensor squares = sum(mul(matrix, matrix), 1);
  struct {
    FastDivisor row_divisor;
    uint32_t count;
    float max_norm;
  } push{fast_divisor(uint32_t(row_length)), count32(weight, "sgd max_norm"), max_norm};
  launch_linear("max_norm_scale", {squares.read(), weight.write()}, push, push.count);
}

}  // namespace

Sgd::Sgd(std::vector<nn::Parameter*> parameters, SgdOptions options)
    : parameters_(std::move(parameters)), options_(options) {
  for (nn::Parameter* p : parameters_) momentum_.push_back(Tensor::zeros(p->value.shape()));
}

void Sgd::step() {
  NoGradGuard no_grad;
  struct {
    uint32_t count;
    float learning_rate, momentum, weight_decay;
    uint32_t caffe_convention;
    float l1;
  } push{};
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const nn::Parameter& p = *parameters_[i];
    Tensor grad = p.value.grad();
    if (!grad.defined()) continue;
    push.count = count32(p.value, "sgd");
    push.learning_rate = options_.learning_rate * p.lr_mult;
    push.momentum = options_.momentum;
    push.weight_decay = options_.weight_decay * p.decay_mult;
    push.caffe_convention = options_.convention == MomentumConvention::Caffe ? 1u : 0u;
    push.l1 = options_.l1 * p.decay_mult;
    const BufferRange gradient = grad.range();
    if (fits_vec4_texels(gradient, p.value.numel())) {
      push.count = static_cast<uint32_t>(p.value.numel() / 4);
      launch_linear("sgd_step_vec4", {texels(gradient, BindingKind::TexelRGBA32F), p.value.write(),
                                      momentum_[i].write()}, push, push.count);
    } else {
      launch_linear("sgd_step", {grad.read(), p.value.write(), momentum_[i].write()}, push, p.value.numel());
    }
    if (options_.max_norm > 0.0f && p.value.rank() >= 2) bound_row_norms(p.value, options_.max_norm);
  }
}

void Sgd::zero_grad() {
  for (nn::Parameter* p : parameters_) p->value.zero_grad();
}

std::vector<std::pair<std::string, Tensor>> Sgd::state() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (size_t i = 0; i < parameters_.size(); ++i) out.emplace_back("sgd.momentum." + parameters_[i]->name, momentum_[i]);
  return out;
}

float StepSchedule::rate(int64_t iteration) const {
  if (step_size <= 0) return base_rate;
  return base_rate * std::pow(gamma, static_cast<float>(iteration / step_size));
}

}  // namespace medrepro
