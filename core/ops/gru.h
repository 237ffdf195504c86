#pragma once
// Gated recurrent unit layer (Cho et al. 2014) in PyTorch's formulation (nn.GRU),
// forward and backward through time on the device:
//
//   r_t = sigmoid(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
//   z_t = sigmoid(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate
//   n_t = tanh   (W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))   candidate
//   h_t = (1 - z_t) * n_t + z_t * h_{t-1}
//
// The reset gate multiplies the recurrent product including its bias, so the two
// biases are not interchangeable (unlike the LSTM's). Keras' GRU with
// reset_after=True (the TF 2 default) is the same function; with reset_after=False
// (Keras 2 before TF 2) r multiplies h_{t-1} before W_hn, which this op does not do.
//
// Weight layout (PyTorch's, one layer, one direction): w_ih [3H, F] and w_hh [3H, H]
// with row blocks r, z, n; b_ih, b_hh [3H] (each may be undefined: none).
// Keras stores kernel [F, 3H] and recurrent_kernel [H, 3H] with column blocks z, r, h,
// and bias [2, 3H] (input bias, recurrent bias): gru_from_keras reorders them.
//
// Computation mirrors core/ops/lstm.h: one GEMM for every step's input projection,
// per step one GEMM for h_{t-1} W_hh^T + b_hh and one fused kernel; backward per step
// one fused kernel and one GEMM, then one GEMM or reduction per weight gradient.
#include <cstdint>
#include <span>
#include <vector>

#include "core/ops/lstm.h"
#include "core/tensor.h"

namespace medrepro {

using GruOptions = LstmOptions;  // reverse, return_sequence: same meaning

// x [B, T, F]; w_ih [3H, F]; w_hh [3H, H]; b_ih, b_hh [3H] or undefined; h0 [B, H] or
// undefined (zeros). Differentiable in every defined input.
Tensor gru(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
           const GruOptions& options = {}, const Tensor& h0 = Tensor());

// Host-side weights in this op's (PyTorch's) layout, for loading checkpoints.
struct GruHostWeights {
  int64_t input_size = 0, hidden_size = 0;
  std::vector<float> w_ih, w_hh, b_ih, b_hh;  // [3H, F], [3H, H], [3H], [3H]
};

// Keras (reset_after=True): kernel [F, 3H], recurrent_kernel [H, 3H], bias [2, 3H]
// (empty: use_bias=False), column blocks z, r, h.
GruHostWeights gru_from_keras(int64_t input_size, int64_t hidden_size, std::span<const float> kernel,
                              std::span<const float> recurrent_kernel, std::span<const float> bias);

struct KerasGruWeights {
  std::vector<float> kernel, recurrent_kernel, bias;
};
KerasGruWeights gru_to_keras(const GruHostWeights& weights);

}  // namespace medrepro
