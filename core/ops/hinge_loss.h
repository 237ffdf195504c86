#pragma once
// The L2-SVM objective (Tang 2013, "Deep learning using linear support vector machines";
// Keras' squared_hinge): one-vs-rest margins on raw class scores.
#include "core/tensor.h"

namespace medrepro {

// scores [N, C] (any shape, matched by signs); signs: the same shape, +1 for the true
// class of a row and -1 for the others (or +-1 per label, multi-label). Returns shape [1]:
//   mean over every element of max(0, 1 - sign * score)^2
// which is Keras' squared_hinge (the mean over classes, then over the batch). Composed of
// the element-wise and reduction ops, so forward and backward are theirs; the gradient,
// -2 * sign * max(0, 1 - sign * score) / count, reaches scores only.
Tensor squared_hinge(const Tensor& scores, const Tensor& signs);

// +1 at each row's class, -1 elsewhere: signs for `count` rows of `classes` scores, from class
// indices as the batches carry them (floats holding integers 0..classes-1). Host-side.
std::vector<float> one_vs_rest_signs(const std::vector<float>& labels, size_t classes);

}  // namespace medrepro
