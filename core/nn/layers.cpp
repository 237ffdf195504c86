#include "core/nn/layers.h"

#include "core/init.h"
#include "core/ops/dropout.h"
#include "core/ops/elementwise.h"
#include "core/ops/linear.h"

namespace medrepro::nn {
namespace {

void initialise(const Tensor& weight, const Tensor& bias, const WeightInit& init, uint64_t seed) {
  switch (init.kind) {
    case WeightInit::Kind::Gaussian: init_gaussian(weight, 0.0, init.sd, seed); break;
    case WeightInit::Kind::XavierUniform: init_xavier_uniform(weight, seed); break;
    case WeightInit::Kind::HeNormal: init_he_normal(weight, seed); break;
  }
  init_constant(bias, init.bias);
}

}  // namespace

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int pad, WeightInit init,
               uint64_t seed)
    : Conv2d(in_channels, out_channels, kernel, kernel,
             Conv2dOptions{stride, stride, pad, pad, 1, 1}, init, seed) {}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel_h, int kernel_w, Conv2dOptions options,
               WeightInit init, uint64_t seed)
    : options_(options) {
  weight_ = &add_parameter("weight", Tensor::empty({out_channels, in_channels, kernel_h, kernel_w}));
  bias_ = &add_parameter("bias", Tensor::empty({out_channels}), 2.0f, 0.0f);
  initialise(weight_->value, bias_->value, init, seed);
}

Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight_->value, bias_->value, options_); }

Linear::Linear(int64_t in_features, int64_t out_features, WeightInit init, uint64_t seed) {
  weight_ = &add_parameter("weight", Tensor::empty({out_features, in_features}));
  bias_ = &add_parameter("bias", Tensor::empty({out_features}), 2.0f, 0.0f);
  initialise(weight_->value, bias_->value, init, seed);
}

Tensor Linear::forward(const Tensor& x) {
  return linear(x.rank() > 2 ? x.flatten(1) : x, weight_->value, bias_->value);
}

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, options_); }
Tensor AvgPool2d::forward(const Tensor& x) { return avg_pool2d(x, options_); }
Tensor GlobalAvgPool2d::forward(const Tensor& x) { return global_avg_pool2d(x); }
Tensor LocalResponseNorm::forward(const Tensor& x) { return local_response_norm(x, options_); }

Tensor Dropout::forward(const Tensor& x) {
  if (!training() || p_ == 0.0f) return x;
  Rng rng(seed_ + 0x9e3779b97f4a7c15ull * ++calls_);
  return dropout(x, p_, static_cast<uint32_t>(rng.next_u64()));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (Module* layer : layers_) h = layer->forward(h);
  return h;
}

}  // namespace medrepro::nn
