#pragma once
// Layers of volumetric (3-D) CNNs and of decoders: 3-D convolution and pooling,
// upsampling and transposed convolutions, each a thin module over a core op.
#include <cstdint>
#include <vector>

#include "core/nn/layers.h"
#include "core/ops/conv3d.h"
#include "core/ops/conv_transpose.h"
#include "core/ops/pool3d.h"
#include "core/ops/upsample.h"

namespace medrepro::nn {

// Weight [out, in, KD, KH, KW]; bias [out] with lr_mult 2 and no weight decay, as Conv2d.
class Conv3d : public Module {
 public:
  Conv3d(int64_t in_channels, int64_t out_channels, int kernel, int stride = 1, int padding = 0,
         WeightInit init = {}, uint64_t seed = 0);
  Conv3d(int64_t in_channels, int64_t out_channels, std::array<int64_t, 3> kernel, Conv3dOptions options,
         WeightInit init, uint64_t seed);
  Tensor forward(const Tensor& x) override;

 private:
  Parameter* weight_;
  Parameter* bias_;
  Conv3dOptions options_;
};

class MaxPool3d : public Module {
 public:
  explicit MaxPool3d(Pool3dOptions options) : options_(options) {}
  Tensor forward(const Tensor& x) override;

 private:
  Pool3dOptions options_;
};

class AvgPool3d : public Module {
 public:
  explicit AvgPool3d(Pool3dOptions options) : options_(options) {}
  Tensor forward(const Tensor& x) override;

 private:
  Pool3dOptions options_;
};

class GlobalAvgPool3d : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // [N, C, D, H, W] -> [N, C]
};

// One integer factor per spatial axis of the inputs it will see (2 or 3 of them).
class Upsample : public Module {
 public:
  Upsample(std::vector<int> factors, UpsampleMode mode) : factors_(std::move(factors)), mode_(mode) {}
  Tensor forward(const Tensor& x) override;

 private:
  std::vector<int> factors_;
  UpsampleMode mode_;
};

// Weight [in, out, KH, KW] (PyTorch's layout); bias [out] with lr_mult 2 and no
// weight decay. Initialisers take fan_in = out * KH * KW from the weight's second
// axis, as PyTorch's do for transposed convolutions.
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, int kernel, int stride = 1, int padding = 0,
                  int output_padding = 0, WeightInit init = {}, uint64_t seed = 0);
  Tensor forward(const Tensor& x) override;

 private:
  Parameter* weight_;
  Parameter* bias_;
  ConvTranspose2dOptions options_;
};

// Weight [in, out, KD, KH, KW]; as ConvTranspose2d otherwise.
class ConvTranspose3d : public Module {
 public:
  ConvTranspose3d(int64_t in_channels, int64_t out_channels, int kernel, int stride = 1, int padding = 0,
                  int output_padding = 0, WeightInit init = {}, uint64_t seed = 0);
  Tensor forward(const Tensor& x) override;

 private:
  Parameter* weight_;
  Parameter* bias_;
  ConvTranspose3dOptions options_;
};

}  // namespace medrepro::nn
