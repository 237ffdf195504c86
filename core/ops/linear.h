#pragma once
// Matrix product and fully connected layer, differentiable.
#include <span>

#include "core/tensor.h"

namespace medrepro {

// [M, K] x [K, N] -> [M, N]
Tensor matmul(const Tensor& a, const Tensor& b);

// x [N, in], weight [out, in], bias [out] or undefined Tensor() -> x * weight^T + bias, [N, out]
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

// The same with a weight stored as consecutive row blocks [out_i, in] (out =
// the sum of out_i), for a weight larger than one device buffer (AlexNet's fc6
// at 227x227 on a device with 128 MiB buffers). Each block is one GEMM writing
// its columns of the output; the results are those of the whole weight.
Tensor linear(const Tensor& x, std::span<const Tensor> weight_row_blocks, const Tensor& bias);

}  // namespace medrepro
