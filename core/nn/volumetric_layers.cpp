#include "core/nn/volumetric_layers.h"

#include "core/init.h"

namespace medrepro::nn {
Conv3d::Conv3d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding, WeightInit init,
               uint64_t seed)
    : Conv3d(in_channels, out_channels, {kernel, kernel, kernel}, conv3d_options(stride, padding), init, seed) {}

Conv3d::Conv3d(int64_t in_channels, int64_t out_channels, std::array<int64_t, 3> kernel, Conv3dOptions options,
               WeightInit init, uint64_t seed)
    : options_(options) {
  weight_ = &add_parameter("weight", Tensor::empty({out_channels, in_channels, kernel[0], kernel[1], kernel[2]}));
  bias_ = &add_parameter("bias", Tensor::empty({out_channels}), 2.0f, 0.0f);
  initialise(weight_->value, bias_->value, init, seed);
}

Tensor Conv3d::forward(const Tensor& x) { return conv3d(x, weight_->value, bias_->value, options_); }

Tensor MaxPool3d::forward(const Tensor& x) { return max_pool3d(x, options_); }
Tensor AvgPool3d::forward(const Tensor& x) { return avg_pool3d(x, options_); }
Tensor GlobalAvgPool3d::forward(const Tensor& x) { return global_avg_pool3d(x); }
Tensor Upsample::forward(const Tensor& x) { return upsample(x, factors_, mode_); }

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding,
                                 int output_padding, WeightInit init, uint64_t seed)
    : options_{stride, stride, padding, padding, output_padding, output_padding, 1, 1} {
  weight_ = &add_parameter("weight", Tensor::empty({in_channels, out_channels, kernel, kernel}));
  bias_ = &add_parameter("bias", Tensor::empty({out_channels}), 2.0f, 0.0f);
  initialise(weight_->value, bias_->value, init, seed);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  return conv_transpose2d(x, weight_->value, bias_->value, options_);
}

ConvTranspose3d::ConvTranspose3d(int64_t in_channels, int64_t out_channels, int kernel, int stride, int padding,
                                 int output_padding, WeightInit init, uint64_t seed)
    : options_{{stride, stride, stride}, {padding, padding, padding}, {output_padding, output_padding, output_padding},
               {1, 1, 1}} {
  weight_ = &add_parameter("weight", Tensor::empty({in_channels, out_channels, kernel, kernel, kernel}));
  bias_ = &add_parameter("bias", Tensor::empty({out_channels}), 2.0f, 0.0f);
  initialise(weight_->value, bias_->value, init, seed);
}

Tensor ConvTranspose3d::forward(const Tensor& x) {
  return conv_transpose3d(x, weight_->value, bias_->value, options_);
}

}  // namespace medrepro::nn
