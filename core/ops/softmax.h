#pragma once
// Softmax along the last axis.
#include "core/tensor.h"

namespace medrepro {

// y = exp(x - max) / sum(exp(x - max)) over the last axis of logits (usually [N, C];
// any rank >= 1 is read as rows of the last dimension). Subtracting the row maximum
// keeps large logits finite. Backward: dx = y * (dy - sum(dy * y)) per row.
// For a classification loss use cross_entropy (core/ops/loss.h), which fuses the
// log-softmax and is more accurate than log(softmax(x)).
Tensor softmax(const Tensor& logits);

}  // namespace medrepro
