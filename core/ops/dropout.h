#pragma once
// Inverted dropout with a counter-based mask.
#include <cstdint>

#include "core/tensor.h"

namespace medrepro {

// Element i is kept when uniform01(seed, i) >= p (shaders/common.glsl), i.e. with
// probability 1 - p, and kept values are multiplied by 1 / (1 - p) so that the
// expected output equals x; dropped elements become 0. The mask is a pure function
// of (seed, flat index): the backward recomputes it instead of storing it, and the
// same seed gives the same mask on every device. Callers pass a fresh seed per step.
// p must lie in [0, 1); p == 0 returns x itself (no kernel, no copy).
Tensor dropout(const Tensor& x, float p, uint32_t seed);

}  // namespace medrepro
