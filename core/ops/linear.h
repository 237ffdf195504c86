#pragma once
// Matrix product and fully connected layer, differentiable.
#include "core/tensor.h"

namespace medrepro {

// [M, K] x [K, N] -> [M, N]
Tensor matmul(const Tensor& a, const Tensor& b);

// x [N, in], weight [out, in], bias [out] or undefined Tensor() -> x * weight^T + bias, [N, out]
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

}  // namespace medrepro
