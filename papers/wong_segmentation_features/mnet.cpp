#include "papers/wong_segmentation_features/mnet.h"

#include <memory>
#include <string>

#include "core/error.h"
#include "core/nn/layers.h"
#include "core/nn/norm_layers.h"
#include "core/nn/volumetric_layers.h"
#include "core/ops/concat.h"
#include "core/ops/elementwise.h"
#include "core/ops/pool2d.h"
#include "core/ops/pool3d.h"
#include "core/ops/upsample.h"

namespace medrepro::wong {
namespace {

std::unique_ptr<nn::Module> convolution(int dims, int64_t in, int64_t out, int kernel, uint64_t seed) {
  const int pad = kernel / 2;  // "same"
  if (dims == 2) return std::make_unique<nn::Conv2d>(in, out, kernel, 1, pad, nn::WeightInit::xavier(), seed);
  return std::make_unique<nn::Conv3d>(in, out, kernel, 1, pad, nn::WeightInit::xavier(), seed);
}

Tensor max_pool(const Tensor& x, int dims, int times) {
  Tensor out = x;
  for (int i = 0; i < times; ++i) out = dims == 2 ? max_pool2d(out, pool2d(2, 2)) : max_pool3d(out, pool3d(2, 2));
  return out;
}

Tensor upsample_by(const Tensor& x, int dims, int factor) {
  return factor == 1 ? x : upsample(x, std::vector<int>(size_t(dims), factor), UpsampleMode::Nearest);
}

}  // namespace

// Two 3^dim convolutions, each followed by batch norm and ReLU, joined by the skip mode.
class MNet::Level : public nn::Module {
 public:
  Level(const MNetOptions& o, int64_t in, int64_t out, uint64_t seed) : skip_(o.skip) {
    first_ = &add_module("conv1", convolution(o.dims, in, out, 3, seed));
    first_norm_ = &add_module("bn1", std::make_unique<nn::BatchNorm>(out, o.batch_norm_eps, o.batch_norm_momentum));
    const int64_t second_in = o.skip == SkipMode::Concatenated ? in + out : out;
    second_ = &add_module("conv2", convolution(o.dims, second_in, out, 3, seed + 1));
    second_norm_ = &add_module("bn2", std::make_unique<nn::BatchNorm>(out, o.batch_norm_eps, o.batch_norm_momentum));
  }
  Tensor forward(const Tensor& x) override {
    first_output = relu((*first_norm_)((*first_)(x)));
    const Tensor second_input = skip_ == SkipMode::Concatenated ? concat_channels({x, first_output}) : first_output;
    const Tensor second_output = relu((*second_norm_)((*second_)(second_input)));
    return skip_ == SkipMode::Additive ? add(first_output, second_output) : second_output;
  }
  Tensor first_output;  // of the last forward: the left leg starts from level 0's

 private:
  SkipMode skip_;
  nn::Module *first_, *first_norm_, *second_, *second_norm_;
};

MNet::MNet(const MNetOptions& options) : options_(options) {
  if (options.dims != 2 && options.dims != 3) fail("MNet: dims must be 2 or 3");
  if (options.base_channels < 1 || options.labels < 2 || options.in_channels < 1) {
    fail("MNet: at least one input channel, one base channel and two labels");
  }
  const int64_t ns = options.base_channels;
  uint64_t seed = options.seed * 1000;
  // Encoder level l reads the pooled level l-1 (n_s 2^(l-1) channels) and the left leg (n_s).
  for (int level = 0; level <= 4; ++level) {
    const int64_t in = level == 0 ? options.in_channels : (ns << (level - 1)) + ns;
    encoder_.push_back(&add_module("encoder" + std::to_string(level), std::make_unique<Level>(options, in, ns << level, seed)));
    seed += 10;
  }
  dropout_ = &add_module("dropout", std::make_unique<nn::Dropout>(options.dropout, seed++));
  // Decoder level l reads the upsampled level l+1 (n_s 2^(l+1)) and encoder level l (n_s 2^l).
  for (int level = 3; level >= 0; --level) {
    const int64_t in = (ns << (level + 1)) + (ns << level);
    decoder_.push_back(&add_module("decoder" + std::to_string(level), std::make_unique<Level>(options, in, ns << level, seed)));
    seed += 10;
  }
  classifier_ = &add_module("classifier", convolution(options.dims, feature_channels(), options.labels, 1, seed));
}

int64_t MNet::feature_channels() const {
  const int64_t ns = options_.base_channels;
  return options_.dims == 2 ? 31 * ns : 7 * ns;
}

Tensor MNet::features(const Tensor& x) {
  const int dims = options_.dims;
  const int64_t spatial_axes = int64_t(x.shape().size()) - 2;
  if (spatial_axes != dims) fail("MNet: a " + std::to_string(dims) + "D network got " + to_string(x.shape()));
  for (int64_t axis = 2; axis < int64_t(x.shape().size()); ++axis) {
    if (x.shape()[size_t(axis)] % 16 != 0) {
      fail("MNet: spatial extents must be multiples of 16 (four poolings), got " + to_string(x.shape()));
    }
  }
  std::vector<Tensor> encoded;
  Tensor level_input = x;
  for (int level = 0; level <= 4; ++level) {
    if (level > 0) {
      const Tensor left_leg = max_pool(encoder_[0]->first_output, dims, level);
      level_input = concat_channels({max_pool(encoded.back(), dims, 1), left_leg});
      if (level == 4) level_input = (*dropout_)(level_input);
    }
    encoded.push_back((*encoder_[size_t(level)])(level_input));
  }
  // Right leg: the bottom (2D only) and decoder outputs, upsampled to full size.
  std::vector<Tensor> right_leg;
  if (dims == 2) right_leg.push_back(upsample_by(encoded[4], dims, 16));
  Tensor below = encoded[4];
  for (int level = 3; level >= 0; --level) {
    below = (*decoder_[size_t(3 - level)])(concat_channels({upsample_by(below, dims, 2), encoded[size_t(level)]}));
    const bool kept = dims == 2 ? level >= 1 : (level == 2 || level == 1);
    if (kept) right_leg.push_back(upsample_by(below, dims, 1 << level));
  }
  right_leg.push_back(below);  // level 0's output: the last convolution's n_s channels
  return concat_channels(right_leg);
}

Tensor MNet::forward(const Tensor& x) { return (*classifier_)(features(x)); }

int64_t keras_parameter_count(nn::Module& model) {
  int64_t count = 0;
  for (nn::Parameter* p : model.parameters()) count += p->value.numel();
  for (const auto& [name, buffer] : model.buffers()) count += buffer.numel();
  return count;
}

}  // namespace medrepro::wong
