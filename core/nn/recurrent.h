#pragma once
// Recurrent layers over sequences [B, T, F] (core/ops/lstm.h, core/ops/gru.h), a
// bidirectional wrapper, and TimeDistributed, which applies a per-item module (a 2D
// CNN on MRI slices, Pereira et al. 2020 Sec. 3.2) to every time step at once.
#include <cstdint>
#include <memory>

#include "core/nn/module.h"
#include "core/ops/gru.h"
#include "core/ops/lstm.h"

namespace medrepro::nn {

// How a recurrent layer's parameters start.
//   PyTorch: every value uniform in [-1/sqrt(H), 1/sqrt(H)].
//   Keras (LSTM only, its defaults): weight_ih Glorot uniform, weight_hh orthogonal,
//   bias 0 but 1 for the forget gate (unit_forget_bias).
enum class RecurrentInit { PyTorch, Keras };

// Parameters weight_ih [4H, F], weight_hh [4H, H], bias [4H] (gate blocks i, f, g, o;
// bias = PyTorch's bias_ih + bias_hh), initialised as `init` says.
class LSTM : public Module {
 public:
  LSTM(int64_t input_size, int64_t hidden_size, LstmOptions options = {}, uint64_t seed = 0,
       RecurrentInit init = RecurrentInit::PyTorch);
  Tensor forward(const Tensor& x) override;  // zero initial state
  Tensor forward(const Tensor& x, const Tensor& h0, const Tensor& c0);
  // Uploads converted checkpoint weights (lstm_from_pytorch, lstm_from_keras).
  void load(const LstmHostWeights& weights);
  int64_t hidden_size() const { return hidden_size_; }
  const LstmOptions& options() const { return options_; }

 private:
  int64_t input_size_, hidden_size_;
  LstmOptions options_;
  Parameter* weight_ih_;
  Parameter* weight_hh_;
  Parameter* bias_;
};

// Parameters weight_ih [3H, F], weight_hh [3H, H], bias_ih, bias_hh [3H] (gate blocks
// r, z, n; PyTorch's names and layout). Initialised as PyTorch does.
class GRU : public Module {
 public:
  GRU(int64_t input_size, int64_t hidden_size, GruOptions options = {}, uint64_t seed = 0);
  Tensor forward(const Tensor& x) override;  // zero initial state
  Tensor forward(const Tensor& x, const Tensor& h0);
  void load(const GruHostWeights& weights);  // PyTorch layout, or gru_from_keras
  int64_t hidden_size() const { return hidden_size_; }
  const GruOptions& options() const { return options_; }

 private:
  int64_t input_size_, hidden_size_;
  GruOptions options_;
  Parameter* weight_ih_;
  Parameter* weight_hh_;
  Parameter* bias_ih_;
  Parameter* bias_hh_;
};

// Runs a forward-direction and a reverse-direction layer over the same input and
// concatenates their outputs on the last axis, forward first (as PyTorch and Keras do):
//   whole sequence: [B, T, 2H], y[b, t] = (forward h_t, reverse h_t), both aligned with x_t;
//   final state:    [B, 2H] = (forward h at time T-1, reverse h at time 0), each the state
//                   after its direction has read the whole sequence.
// Children are named "forward" and "reverse" (e.g. "forward.weight_ih").
class Bidirectional : public Module {
 public:
  Bidirectional(std::unique_ptr<Module> forward_layer, std::unique_ptr<Module> reverse_layer);
  Tensor forward(const Tensor& x) override;

 protected:
  Module& forward_layer_;
  Module& reverse_layer_;
};

class BiLSTM : public Bidirectional {
 public:
  BiLSTM(int64_t input_size, int64_t hidden_size, bool return_sequence = true, uint64_t seed = 0,
         RecurrentInit init = RecurrentInit::PyTorch);
  LSTM& forward_lstm() { return static_cast<LSTM&>(forward_layer_); }
  LSTM& reverse_lstm() { return static_cast<LSTM&>(reverse_layer_); }
};

class BiGRU : public Bidirectional {
 public:
  BiGRU(int64_t input_size, int64_t hidden_size, bool return_sequence = true, uint64_t seed = 0);
  GRU& forward_gru() { return static_cast<GRU&>(forward_layer_); }
  GRU& reverse_gru() { return static_cast<GRU&>(reverse_layer_); }
};

// Applies `inner` to every time step: [B, T, ...] is viewed as [B*T, ...] (no copy),
// passed through inner in one call, and the result [B*T, ...] viewed as [B, T, ...].
// Batch statistics inside inner (batch norm) therefore pool over B*T items, as in Keras.
// The child is named "module".
class TimeDistributed : public Module {
 public:
  explicit TimeDistributed(std::unique_ptr<Module> inner);
  Tensor forward(const Tensor& x) override;
  Module& inner() { return inner_; }

 private:
  Module& inner_;
};

}  // namespace medrepro::nn
