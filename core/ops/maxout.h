#pragma once
// Maxout (Goodfellow et al. 2013), as Havaei et al.'s TwoPathCNN uses it after
// its convolutions: each output channel is the element-wise maximum of `pieces`
// consecutive input channels (pylearn2's grouping).
#include <cstdint>

#include "core/tensor.h"

namespace medrepro {

// x [N, C * pieces, ...] -> [N, C, ...], y[n, c] = max over k < pieces of x[n, c * pieces + k].
// Backward: dy goes to the piece that held the maximum (the first on ties), 0 to the others.
Tensor maxout(const Tensor& x, int64_t pieces);

}  // namespace medrepro
