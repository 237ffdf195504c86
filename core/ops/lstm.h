#pragma once
// Long short-term memory layer over a sequence, forward and backward through time
// on the device (Pereira et al. 2020, Eq. 4-5; Hochreiter & Schmidhuber 1997):
//
//   i_t = sigmoid(W_ii x_t + W_hi h_{t-1} + b_i)      input gate
//   f_t = sigmoid(W_if x_t + W_hf h_{t-1} + b_f)      forget gate
//   g_t = tanh   (W_ig x_t + W_hg h_{t-1} + b_g)      cell candidate (the paper's C*_t)
//   o_t = sigmoid(W_io x_t + W_ho h_{t-1} + b_o)      output gate
//   c_t = f_t * c_{t-1} + i_t * g_t,   h_t = o_t * tanh(c_t)
//
// The paper writes W_f [h_{t-1}, x_t]: the same product with the input and recurrent
// halves of W kept apart, as here and in PyTorch and Keras.
//
// Weight layout (PyTorch's nn.LSTM, one layer, one direction):
//   w_ih [4H, F]: row blocks i, f, g, o of H rows each   (weight_ih_l0)
//   w_hh [4H, H]: row blocks i, f, g, o                  (weight_hh_l0)
//   bias [4H]:    blocks i, f, g, o, or undefined for none
// PyTorch keeps two biases that are only ever added, bias_ih_l0 + bias_hh_l0; this op
// takes their sum (lstm_from_pytorch). Keras' LSTM stores kernel [F, 4H] and
// recurrent_kernel [H, 4H] with column blocks i, f, c, o (the same order) and one bias
// [4H]: w_ih = kernel^T, w_hh = recurrent_kernel^T (lstm_from_keras). Keras 2 before
// TF 2 defaulted to recurrent_activation "hard_sigmoid"; this op uses the logistic
// sigmoid (tf.keras' default), so such checkpoints need retraining or a different gate.
//
// Computation: one GEMM projects every time step's input, [B*T, F] x W_ih^T (+ bias);
// then per step one GEMM adds h_{t-1} W_hh^T and one fused kernel does the cell's
// elementwise work, keeping the gate activations and c_t for backward. Backward runs
// per step a fused kernel for the gate gradients and one GEMM for the gradient of
// h_{t-1}; dW_ih, dx, dW_hh and the bias gradient are each one GEMM/reduction over all
// steps after the loop, so every result is bit-reproducible.
#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace medrepro {

struct LstmOptions {
  // Processes time from T-1 down to 0: the backward direction of a bidirectional
  // layer. Outputs stay aligned with the input: y[:, t] is the state after reading x_t.
  bool reverse = false;
  // true: every step's hidden state, [B, T, H]. false: the final state [B, H], that is
  // h at time T-1 (forward) or at time 0 (reverse, after reading the whole sequence).
  bool return_sequence = true;
};

// x [B, T, F]; w_ih [4H, F]; w_hh [4H, H]; bias [4H] or undefined.
// h0, c0 [B, H]: initial hidden and cell state, each zero when undefined.
// Differentiable in x, the weights, the bias, h0 and c0. The final cell state is not
// returned (so receives no gradient).
Tensor lstm(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& bias,
            const LstmOptions& options = {}, const Tensor& h0 = Tensor(), const Tensor& c0 = Tensor());

// Host-side weights in this op's layout (above), for loading checkpoints.
struct LstmHostWeights {
  int64_t input_size = 0, hidden_size = 0;
  std::vector<float> w_ih;  // [4H, F]
  std::vector<float> w_hh;  // [4H, H]
  std::vector<float> bias;  // [4H]
};

// PyTorch: weight_ih_l0 [4H, F], weight_hh_l0 [4H, H], bias_ih_l0 [4H], bias_hh_l0 [4H]
// (an empty bias span stands for zeros, as with bias=False).
LstmHostWeights lstm_from_pytorch(int64_t input_size, int64_t hidden_size, std::span<const float> weight_ih,
                                  std::span<const float> weight_hh, std::span<const float> bias_ih,
                                  std::span<const float> bias_hh);
// Keras: kernel [F, 4H], recurrent_kernel [H, 4H], bias [4H] (empty: use_bias=False).
LstmHostWeights lstm_from_keras(int64_t input_size, int64_t hidden_size, std::span<const float> kernel,
                                std::span<const float> recurrent_kernel, std::span<const float> bias);

struct KerasLstmWeights {
  std::vector<float> kernel, recurrent_kernel, bias;
};
KerasLstmWeights lstm_to_keras(const LstmHostWeights& weights);

struct PytorchLstmWeights {
  std::vector<float> weight_ih, weight_hh, bias_ih, bias_hh;
};
// The summed bias goes to bias_ih; bias_hh is zero (only the sum is recoverable).
PytorchLstmWeights lstm_to_pytorch(const LstmHostWeights& weights);

// [rows, cols] row-major -> [cols, rows]; shared by the layout conversions.
std::vector<float> transpose_host(std::span<const float> matrix, int64_t rows, int64_t cols);

}  // namespace medrepro
