#pragma once
// Upsampling of [N, C, H, W] and [N, C, D, H, W] tensors by integer factors per
// spatial axis, with PyTorch's semantics (nn.Upsample with scale_factor):
// out = in * factor along each axis.
//
//   Nearest: out[o] = in[o / factor] (each input repeated factor times).
//   Linear:  bilinear (4-D) or trilinear (5-D) with align_corners = false: output
//            o samples the input at src = (o + 0.5) / factor - 0.5, clamped below
//            at 0; i0 = floor(src), i1 = min(i0 + 1, in - 1), lambda = src - i0,
//            value = (1 - lambda) * in[i0] + lambda * in[i1], per axis (so the
//            edges repeat the border values, never read padding).
//
// Backward passes are gathers (one invocation per input element, fixed order).
#include <vector>

#include "core/tensor.h"

namespace medrepro {

enum class UpsampleMode { Nearest, Linear };

// factors: one per spatial axis ((H, W) for 4-D x, (D, H, W) for 5-D x), each >= 1.
Tensor upsample(const Tensor& x, const std::vector<int>& factors, UpsampleMode mode);

}  // namespace medrepro
