#include "core/nn/layers.h"

#include "core/error.h"
#include "core/init.h"
#include "core/memory.h"
#include "core/ops/dropout.h"
#include "core/ops/elementwise.h"
#include "core/ops/linear.h"

namespace medrepro::nn {
namespace {

thread_local double flops_counted = 0;

}  // namespace

void initialise(std::span<const Tensor> weight, const Tensor& bias, const WeightInit& init, uint64_t seed) {
  switch (init.kind) {
    case WeightInit::Kind::Gaussian: init_gaussian(weight, 0.0, init.sd, seed); break;
    case WeightInit::Kind::XavierUniform: init_xavier_uniform(weight, seed); break;
    case WeightInit::Kind::HeNormal: init_he_normal(weight, seed); break;
  }
  if (bias.defined()) init_constant(bias, init.bias);
}

double forward_flops() { return flops_counted; }
void reset_forward_flops() { flops_counted = 0; }

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

Tensor Conv2d::forward(const Tensor& x) {
  Tensor y = conv2d(x, weight_->value, bias_->value, options_);
  const Shape& w = weight_->value.shape();
  flops_counted += 2.0 * double(y.numel()) * double(w[1] * w[2] * w[3]);
  return y;
}

Linear::Linear(int64_t in_features, int64_t out_features, WeightInit init, uint64_t seed)
    : in_features_(in_features), out_features_(out_features) {
  if (in_features < 1 || out_features < 1) {
    fail("Linear: " + std::to_string(in_features) + " -> " + std::to_string(out_features) + " features");
  }
  const uint64_t row_bytes = uint64_t(in_features) * sizeof(float);
  const int64_t rows_per_buffer = int64_t(max_tensor_bytes() / row_bytes);
  if (rows_per_buffer < 1) {
    throw DeviceLimitExceeded("Linear " + std::to_string(in_features) + " -> " + std::to_string(out_features) +
                              ": one weight row (" + format_bytes(row_bytes) + ") exceeds this device's " +
                              "largest buffer of " + format_bytes(max_tensor_bytes()));
  }
  const int64_t parts = (out_features + rows_per_buffer - 1) / rows_per_buffer;
  const int64_t rows = (out_features + parts - 1) / parts;
  for (int64_t first = 0, part = 0; first < out_features; first += rows, ++part) {
    const std::string name = parts == 1 ? "weight" : "weight.part" + std::to_string(part);
    weight_.push_back(&add_parameter(name, Tensor::empty({std::min(rows, out_features - first), in_features})));
  }
  bias_ = &add_parameter("bias", Tensor::empty({out_features}), 2.0f, 0.0f);
  initialise(weight_blocks(), bias_->value, init, seed);
}

std::vector<Tensor> Linear::weight_blocks() const {
  std::vector<Tensor> blocks;
  for (const Parameter* p : weight_) blocks.push_back(p->value);
  return blocks;
}

Tensor Linear::forward(const Tensor& x) {
  Tensor y = linear(x.rank() > 2 ? x.flatten(1) : x, weight_blocks(), bias_->value);
  flops_counted += 2.0 * double(y.numel()) * double(in_features_);
  return y;
}

namespace {
std::string pool_text(const char* kind, const Pool2dOptions& o) {
  return std::string(kind) + " " + std::to_string(o.kernel_h) + "x" + std::to_string(o.kernel_w) + "/" +
         std::to_string(o.stride_h) + (o.pad_h ? " pad " + std::to_string(o.pad_h) : "") +
         (o.ceil_mode ? " ceil" : "");
}
}  // namespace

std::string Conv2d::describe() const {
  const Shape& w = weight_->value.shape();
  return "Conv2d " + std::to_string(w[1]) + "->" + std::to_string(w[0]) + " " + std::to_string(w[2]) + "x" +
         std::to_string(w[3]) + "/" + std::to_string(options_.stride_h) +
         (options_.pad_h ? " pad " + std::to_string(options_.pad_h) : "");
}
std::string Linear::describe() const {
  const std::string parts = weight_.size() > 1 ? " (weight in " + std::to_string(weight_.size()) + " row blocks)" : "";
  return "Linear " + std::to_string(in_features_) + "->" + std::to_string(out_features_) + parts;
}
std::string MaxPool2d::describe() const { return pool_text("MaxPool", options_); }
std::string AvgPool2d::describe() const { return pool_text("AvgPool", options_); }
std::string LocalResponseNorm::describe() const {
  return "LRN size " + std::to_string(options_.size);
}
std::string Dropout::describe() const { return "Dropout " + std::to_string(p_).substr(0, 3); }

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor MaxPool2d::forward(const Tensor& x) { return max_pool2d(x, options_); }
Tensor AvgPool2d::forward(const Tensor& x) { return avg_pool2d(x, options_); }
Tensor GlobalAvgPool2d::forward(const Tensor& x) { return global_avg_pool2d(x); }
Tensor LocalResponseNorm::forward(const Tensor& x) { return local_response_norm(x, options_); }

Tensor Dropout::forward(const Tensor& x) {
  if (!training() || p_ == 0.0f) return x;
  Rng rng(seed_ + 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(step_++));
  return dropout(x, p_, static_cast<uint32_t>(rng.next_u64()));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (Module* layer : layers_) h = layer->forward(h);
  return h;
}

}  // namespace medrepro::nn
