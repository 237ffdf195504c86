#pragma once
// Transposed ("fractionally strided", "deconvolution") 2-D and 3-D convolutions
// with PyTorch's semantics (ConvTranspose2d/3d, groups = 1), differentiable in
// input, weight and bias: the adjoint of the convolution with the same weight,
// stride, padding and dilation.
//
//   x [N, C_in, in...], weight [C_in, C_out, k...], bias [C_out] or undefined
//   out = (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1 per axis
//   y[n, o, p] = bias[o] + sum over (c, i, k) with i * stride - padding + k * dilation = p
//                of x[n, c, i] * weight[c, o, k]
//
// output_padding only extends the output on the far side (it picks one of the
// several output sizes a strided convolution maps to the same input size); as in
// PyTorch it must be smaller than the stride or the dilation of its axis.
//
// Runs as the data gradient of conv3d (GEMM + col2vol, over the batch in chunks
// within volume_column_budget_bytes()); its data gradient is conv3d's forward
// and its weight gradient conv3d's weight gradient with the roles swapped.
#include <array>

#include "core/tensor.h"

namespace medrepro {

struct ConvTranspose2dOptions {
  int stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
  int output_pad_h = 0, output_pad_w = 0, dilation_h = 1, dilation_w = 1;
};

// Per axis, in the order (depth, height, width).
struct ConvTranspose3dOptions {
  std::array<int, 3> stride{1, 1, 1};
  std::array<int, 3> padding{0, 0, 0};
  std::array<int, 3> output_padding{0, 0, 0};
  std::array<int, 3> dilation{1, 1, 1};
};

// x [N, C_in, H, W], weight [C_in, C_out, KH, KW] -> [N, C_out, OH, OW]
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose2dOptions& options = {});
// x [N, C_in, D, H, W], weight [C_in, C_out, KD, KH, KW] -> [N, C_out, OD, OH, OW]
Tensor conv_transpose3d(const Tensor& x, const Tensor& weight, const Tensor& bias,
                        const ConvTranspose3dOptions& options = {});

}  // namespace medrepro
