#pragma once
// Classification loss.
#include "core/tensor.h"

namespace medrepro {

// Fused log-softmax + negative log-likelihood, averaged over the batch (PyTorch's
// CrossEntropyLoss with reduction "mean"). Returns shape [1].
//   logits [N, C]; targets [N] holding class indices as floats (exact integers 0..C-1);
//   class_weights [C], optional (undefined: every class weighs 1).
//   loss = sum_i w[y_i] * (logsumexp(x_i) - x_i[y_i]) / sum_i w[y_i]
// so without weights it is the plain mean over N. A zero total weight gives NaN, as in PyTorch.
// The forward never reads back to the host; the reductions run in a fixed order, so the
// result is bit-reproducible on a given device.
// A target that is not an integer in [0, C) cannot be reported from the device without a
// host round trip, so it is flagged instead: it is never used as an index, and the loss
// and the whole gradient become NaN (check the loss when labels are untrusted).
// Backward: dlogits_i = (softmax(x_i) - onehot(y_i)) * w[y_i] / sum_j w[y_j] * dloss, with
// dloss read on the device. Only logits receive a gradient (targets and weights are data).
Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const Tensor& class_weights = Tensor());

}  // namespace medrepro
