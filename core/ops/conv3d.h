#pragma once
// 3-D convolution (cross-correlation, groups = 1), differentiable in input,
// weight and bias. Runs as unfolded columns + GEMM: where the kernel is not
// dilated along depth, each input depth slice is unfolded once ("slabs") and one
// GEMM per image reads all kernel depths from adjacent slabs; the data gradient
// of a stride-1 convolution runs the same way, as a convolution of dy with the
// flipped kernel. Other convolutions unfold every output position's whole
// receptive field (vol2col) and gather the data gradient back (col2vol). The
// column buffer of a chunk stays within a memory budget: the batch is split into
// chunks of whole images and, when one image alone is too large, that image's
// output depth into slices.
#include <array>
#include <cstdint>

#include "core/tensor.h"

namespace medrepro {

// Per axis, in the order (depth, height, width).
struct Conv3dOptions {
  std::array<int, 3> stride{1, 1, 1};
  std::array<int, 3> padding{0, 0, 0};
  std::array<int, 3> dilation{1, 1, 1};
};

// The same stride, padding and dilation on every axis.
Conv3dOptions conv3d_options(int stride, int padding, int dilation = 1);

// x [N, C, D, H, W], weight [O, C, KD, KH, KW], bias [O] or undefined Tensor() -> [N, O, OD, OH, OW]
// with OD = (D + 2 * padding[0] - dilation[0] * (KD - 1) - 1) / stride[0] + 1, likewise OH, OW.
Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv3dOptions& options = {});

// Most bytes the column buffer of one volumetric convolution (conv3d and the
// transposed convolutions) may take: default 64 MiB, never more than the device's
// maxStorageBufferRange. One output-depth slice of one image that needs more still
// runs, up to maxStorageBufferRange. Exposed for tests and tuning; 0 restores the default.
uint64_t volume_column_budget_bytes();
void set_volume_column_budget_bytes(uint64_t bytes);

// ---------------------------------------------------------------------------
// History-free building blocks, shared with the transposed convolutions
// (core/ops/conv_transpose.cpp), whose forward is this convolution's data
// gradient and whose data gradient is this convolution's forward. A 2-D
// convolution is the case depth = kernel depth = 1.

// The sizes of one convolution from an input volume [N, C, in...] to an output
// volume [N, O, out...] with a weight [O, C, kernel...]; axes (depth, height, width).
// `out` is given, not derived, so a transposed convolution can name its own input
// size as the output even when output_padding made the relation ambiguous.
struct ConvVolumeGeometry {
  int64_t batch = 0, channels = 0, out_channels = 0;
  std::array<int64_t, 3> in{}, out{}, kernel{};
  std::array<int, 3> stride{1, 1, 1}, padding{0, 0, 0}, dilation{1, 1, 1};

  int64_t rows() const { return channels * kernel[0] * kernel[1] * kernel[2]; }  // GEMM depth
  int64_t positions() const { return out[0] * out[1] * out[2]; }
  int64_t input_image() const { return channels * in[0] * in[1] * in[2]; }
  int64_t output_image() const { return out_channels * positions(); }
  // A 1x1x1 kernel with stride 1, no padding and out == in: each image already is its column matrix.
  bool pointwise() const;
};

// out = conv(x, weight) + bias (per output channel, optional) + beta * out.
void conv_volume_forward(const ConvVolumeGeometry& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                         const Tensor& out, float beta);
// dx = conv-transpose(dy, weight) + channel_bias (per input channel, optional) + beta * dx.
void conv_volume_backward_data(const ConvVolumeGeometry& g, const Tensor& dy, const Tensor& weight,
                               const Tensor& channel_bias, const Tensor& dx, float beta);
// dweight = sum over the batch of dy_n x columns(x_n)^T + beta * dweight.
void conv_volume_backward_weight(const ConvVolumeGeometry& g, const Tensor& dy, const Tensor& x,
                                 const Tensor& dweight, float beta);

}  // namespace medrepro
