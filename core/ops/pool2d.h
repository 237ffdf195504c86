#pragma once
// 2-D pooling over [N, C, H, W] tensors, with Caffe's semantics (the papers we
// reproduce trained with Caffe):
//
// Output size, per axis (H shown; W alike):
//   floor mode: OH = (H + 2*pad - k) / stride + 1
//   ceil mode:  OH = ceil((H + 2*pad - k) / stride) + 1
//   then, as Caffe (when pad > 0) and PyTorch (always in ceil mode) do: if
//   (OH - 1) * stride >= H + pad, OH -= 1, so the last window starts inside the
//   image or its left/top padding and no window is empty. (Caffe skips this for
//   pad == 0, where stride > kernel in ceil mode would give it an empty window;
//   we follow PyTorch there.) Requires kernel >= 1, stride >= 1, pad < kernel and
//   H + 2*pad >= k.
//
// Window of output row oh: hstart = oh*stride - pad, [hstart, hstart + k).
//   Max:  padding acts as -inf (never selected); ties pick the first element in
//         row-major order. The position of the maximum is saved for backward,
//         which routes dy to it (overlapping windows add up).
//   Avg:  Caffe AVE. hend = min(hstart + k, H + pad); the divisor is
//         (hend - hstart) * (wend - wstart) taken BEFORE clipping the window to
//         the image, so zero padding counts but the overflow past the padded
//         border in ceil mode does not; the sum runs over the clipped window.
//   Global average: mean over H*W per (n, c); [N, C, H, W] -> [N, C].
#include "core/tensor.h"

namespace medrepro {

struct Pool2dOptions {
  int kernel_h = 2, kernel_w = 2;
  int stride_h = 2, stride_w = 2;
  int pad_h = 0, pad_w = 0;
  bool ceil_mode = false;
};

// Square kernel, stride and padding.
Pool2dOptions pool2d(int kernel, int stride, int pad = 0, bool ceil_mode = false);

// Output spatial size along one axis under the rules above (throws on invalid options).
int64_t pool2d_output_size(int64_t input, int kernel, int stride, int pad, bool ceil_mode);

Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options);  // [N,C,H,W] -> [N,C,OH,OW]
Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options);  // [N,C,H,W] -> [N,C,OH,OW]
Tensor global_avg_pool2d(const Tensor& x);                         // [N,C,H,W] -> [N,C]

// L2-norm pooling (LP pooling with p = 2; PyTorch's LPPool2d with norm_type 2, which
// Rezaei et al. place after their first convolutions): y = sqrt(sum of x^2 over the
// window), the window clipped to the image (padding adds nothing), output sizes as
// above. Backward: dx = sum over the windows containing x of dy * x / y, 0 for a
// window whose norm is 0. [N,C,H,W] -> [N,C,OH,OW].
Tensor l2_pool2d(const Tensor& x, const Pool2dOptions& options);

}  // namespace medrepro
