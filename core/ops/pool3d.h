#pragma once
// 3-D pooling over [N, C, D, H, W] tensors with PyTorch's semantics
// (MaxPool3d / AvgPool3d in floor mode, no dilation), axes (depth, height, width):
//
// Output size per axis: OD = (D + 2 * padding - kernel) / stride + 1 (floor).
// Requires kernel >= 1, stride >= 1, 0 <= padding <= kernel / 2 (as PyTorch) and
// D + 2 * padding >= kernel. Window of output od: [od * stride - padding, + kernel);
// in floor mode it always lies within the padded input and overlaps the image.
//
//   Max: padding acts as -inf (never selected); NaN propagates; ties pick the first
//        element in (d, h, w) order. The winner's position is saved for backward,
//        which routes dy to it (overlapping windows add up).
//   Avg: the sum over the window's voxels inside the image, divided by
//        count_include_pad (PyTorch's default, true): the full window volume
//          kernel_d * kernel_h * kernel_w (zero padding counts, as in Caffe);
//        count_include_pad false: the number of window voxels inside the image.
//   Global average: the mean over D*H*W per (n, c); [N, C, D, H, W] -> [N, C].
//
// Backward passes are gathers (one invocation per input voxel, fixed order, no atomics).
#include <array>

#include "core/tensor.h"

namespace medrepro {

struct Pool3dOptions {
  std::array<int, 3> kernel{2, 2, 2};
  std::array<int, 3> stride{2, 2, 2};
  std::array<int, 3> padding{0, 0, 0};
  bool count_include_pad = true;  // average pooling only
};

// The same kernel, stride and padding on every axis.
Pool3dOptions pool3d(int kernel, int stride, int padding = 0);

Tensor max_pool3d(const Tensor& x, const Pool3dOptions& options);  // [N,C,D,H,W] -> [N,C,OD,OH,OW]
Tensor avg_pool3d(const Tensor& x, const Pool3dOptions& options);  // [N,C,D,H,W] -> [N,C,OD,OH,OW]
Tensor global_avg_pool3d(const Tensor& x);                         // [N,C,D,H,W] -> [N,C]

}  // namespace medrepro
