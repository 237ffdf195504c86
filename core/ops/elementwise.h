#pragma once
// Elementwise arithmetic and activations on same-shape tensors.
#include "core/tensor.h"

namespace medrepro {

Tensor add(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor scale(const Tensor& x, float factor);
Tensor relu(const Tensor& x);

}  // namespace medrepro
