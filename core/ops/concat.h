#pragma once
// Concatenation along the channel axis (axis 1), as in DenseNet blocks and
// Inception/GoogLeNet modules.
#include <vector>

#include "core/tensor.h"

namespace medrepro {

// inputs[i] of shape [N, C_i, ...] -> [N, sum C_i, ...]. All inputs share N and the
// trailing dimensions; rank >= 2. The same tensor may appear more than once (its
// gradients add up). A single input is copied, not aliased.
Tensor concat_channels(const std::vector<Tensor>& inputs);

}  // namespace medrepro
