#pragma once
// Smooth and leaky activations, elementwise on tensors of any shape.
#include "core/tensor.h"

namespace medrepro {

// y = 1 / (1 + exp(-x)), evaluated as exp(x) / (1 + exp(x)) for x < 0 so that no
// exp overflows (large |x| saturate to exactly 0 or 1). Backward: dx = dy * y * (1 - y).
Tensor sigmoid(const Tensor& x);

// y = tanh(x): an odd Taylor polynomial near 0 (where (1 - e)/(1 + e) would cancel),
// sign(x) * (1 - exp(-2|x|)) / (1 + exp(-2|x|)) elsewhere, saturating to +-1 without
// overflow. Backward: dx = dy * (1 - y^2).
Tensor tanh(const Tensor& x);

// y = x for x > 0, slope * x otherwise (PyTorch's default slope 0.01).
// Backward: dx = dy for x > 0, slope * dy otherwise (the kink at 0 takes the slope).
Tensor leaky_relu(const Tensor& x, float slope = 0.01f);

// PReLU (He et al. 2015), the leaky ReLU with learnable slopes: y = x for x > 0,
// slope[c] * x otherwise, for x [N, C, ...] with one slope per channel (slope [C])
// or one for all (slope [1]). Backward: dx as leaky_relu's with the channel's
// slope; dslope[c] = sum of dy * x over the channel's x <= 0, summed in a fixed
// order (bit-reproducible; no atomics).
Tensor prelu(const Tensor& x, const Tensor& slope);

}  // namespace medrepro
