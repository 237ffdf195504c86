#pragma once
// Batch normalisation (Ioffe & Szegedy 2015) with PyTorch's semantics.
#include "core/tensor.h"

namespace medrepro {

// x: [N, C], [N, C, L], [N, C, H, W] or [N, C, D, H, W] (any rank >= 2); statistics are
// per channel (axis 1) over every other axis, M = N * (product of the spatial sizes) values.
//   y = (x - mean) / sqrt(var + eps) * gamma + beta
// gamma, beta: [C], or both undefined for no affine transform (gamma 1, beta 0).
// running_mean, running_var: [C], or both undefined (training mode only: no running statistics).
//
// Training: mean and the biased variance (divide by M) of the batch normalise x, and the
// running statistics, when given, are updated in place on the device with the batch mean
// and the unbiased variance (divide by M - 1), as PyTorch does. M must be at least 2
// (PyTorch refuses M = 1 too: the variance would be 0 and the unbiased one undefined).
// Evaluation: the running statistics normalise x (they are required); any M >= 1.
//
// Backward reaches x, gamma and beta (the running statistics are data). In training the
// gradient of x runs through the batch statistics:
//   dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)),  xhat = (x - mean) / sigma
// in evaluation they are constants: dx = gamma / sigma * dy. Always dgamma = sum(dy * xhat)
// and dbeta = sum(dy) per channel.
// Reductions take one workgroup per channel and a fixed-order tree: bit-reproducible.
//
// momentum: running = (1 - momentum) * running + momentum * batch statistic (PyTorch's
// convention, default 0.1; Keras' "momentum" is 1 minus this). PyTorch's momentum=None
// (cumulative average) is not offered.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, float momentum = 0.1f, float eps = 1e-5f);

}  // namespace medrepro
