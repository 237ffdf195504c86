#pragma once
// Local response normalisation across channels, as in AlexNet.
#include "core/tensor.h"

namespace medrepro {

// Caffe's LRN (ACROSS_CHANNELS), the layer AlexNet (Krizhevsky et al. 2012, section 3.3) uses.
// For x [N, C, H, W] and each (n, h, w):
//   scale[c] = k + (alpha / size) * sum_{c' in [c - (size-1)/2, c + size/2], 0 <= c' < C} x[c']^2
//   y[c]     = x[c] * scale[c]^-beta
// alpha is divided by size as in Caffe and PyTorch's LocalResponseNorm (the AlexNet paper's
// alpha = 1e-4 with n = 5 and k = 2 is not divided; pass alpha = 5e-4, k = 2 to reproduce it).
// Channels beyond the edges count as zero. For even sizes the window leans forward, as in
// Caffe's formula (Caffe itself only accepts odd sizes; PyTorch leans backward).
// Backward (Caffe's, gathered per element instead of scattered):
//   dx[c] = dy[c] * scale[c]^-beta - (2 alpha beta / size) * x[c] * sum_{c' : c in window(c')} dy[c'] y[c'] / scale[c']
// where the c' whose window holds c are the forward window for odd sizes.
struct LrnOptions {
  int size = 5;
  float alpha = 1e-4f;
  float beta = 0.75f;
  float k = 1.0f;
};

// Requires size >= 1, alpha >= 0 and k > 0 (so scale stays positive), all finite.
Tensor local_response_norm(const Tensor& x, const LrnOptions& options = {});

}  // namespace medrepro
