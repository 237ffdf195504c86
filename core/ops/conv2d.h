#pragma once
// 2-D convolution (cross-correlation, groups = 1), differentiable in input,
// weight and bias. Runs as im2col + GEMM, over the batch in chunks so that the
// column buffer stays within a memory budget.
#include <cstdint>

#include "core/tensor.h"

namespace medrepro {

struct Conv2dOptions {
  int stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
};

// x [N, C, H, W], weight [O, C, KH, KW], bias [O] or undefined Tensor() -> [N, O, OH, OW]
// with OH = (H + 2 * pad_h - dilation_h * (KH - 1) - 1) / stride_h + 1, likewise OW.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options = {});

// Most bytes the im2col buffer of one conv2d call may take (default 64 MiB, and
// never more than the device's maxStorageBufferRange); the batch is processed in
// as many chunks as that needs. A single image that needs more still runs, up to
// maxStorageBufferRange. Exposed for tests and tuning; 0 restores the default.
uint64_t conv2d_column_budget_bytes();
void set_conv2d_column_budget_bytes(uint64_t bytes);

}  // namespace medrepro
