#include "core/nn/norm_layers.h"

#include "core/ops/activations.h"
#include "core/ops/batch_norm.h"

namespace medrepro::nn {

BatchNorm::BatchNorm(int64_t channels, float eps, float momentum, bool affine)
    : running_mean_(Tensor::zeros({channels})),
      running_var_(Tensor::full({channels}, 1.0f)),
      momentum_(momentum),
      eps_(eps) {
  add_buffer("running_mean", running_mean_);
  add_buffer("running_var", running_var_);
  if (affine) {
    weight_ = &add_parameter("weight", Tensor::full({channels}, 1.0f));
    bias_ = &add_parameter("bias", Tensor::zeros({channels}));
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  const Tensor gamma = weight_ ? weight_->value : Tensor();
  const Tensor beta = bias_ ? bias_->value : Tensor();
  return batch_norm(x, gamma, beta, running_mean_, running_var_, training(), momentum_, eps_);
}

Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return medrepro::tanh(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, slope_); }

PReLU::PReLU(int64_t channels, float initial_slope)
    : weight_(&add_parameter("weight", Tensor::full({channels}, initial_slope))) {}

Tensor PReLU::forward(const Tensor& x) { return prelu(x, weight_->value); }

}  // namespace medrepro::nn
