#pragma once
// Multi-label binary classification loss: one independent sigmoid per output.
#include "core/tensor.h"

namespace medrepro {

// Binary cross-entropy on logits, averaged over every element (PyTorch's
// BCEWithLogitsLoss, reduction "mean"). Returns shape [1].
//   logits: any shape of rank >= 1, e.g. [N, labels];  targets: the same shape, floats in [0, 1]
//   (soft targets allowed);  pos_weight: [labels] (the last axis of logits), optional, weighting
//   the positive term of each label as PyTorch does.
// Per element, in the numerically stable form (no exp overflows, finite at logits +-100 and beyond):
//   loss = max(x, 0) - x * t + log(1 + exp(-|x|))                                   (no pos_weight)
//   loss = (1 - t) * x + (1 + (p - 1) * t) * (log(1 + exp(-|x|)) + max(-x, 0))       (pos_weight p)
// Backward, with dloss read on the device: dx = (sigmoid(x) - t) / count * dloss, or with p,
// ((1 - t) - (1 + (p - 1) * t) * sigmoid(-x)) / count * dloss, arranged per sign of x so that
// confident correct predictions keep their tiny gradients. Only logits receive a gradient.
// The sum is one workgroup with a fixed-order tree: bit-reproducible on a given device.
Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, const Tensor& pos_weight = Tensor());

}  // namespace medrepro
