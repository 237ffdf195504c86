#include "core/nn/recurrent.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"
#include "core/init.h"
#include "core/ops/concat.h"

namespace medrepro::nn {
namespace {

// PyTorch's default for recurrent layers: U(-k, k), k = 1/sqrt(hidden_size), for every tensor.
void init_recurrent(const std::vector<Parameter*>& parameters, int64_t hidden_size, uint64_t seed) {
  const double k = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  for (size_t i = 0; i < parameters.size(); ++i) init_uniform(parameters[i]->value, -k, k, seed + i);
}

// Keras' LSTM defaults (recurrent.h RecurrentInit::Keras).
void init_keras_lstm(Parameter* weight_ih, Parameter* weight_hh, Parameter* bias, int64_t hidden_size,
                     uint64_t seed) {
  init_xavier_uniform(weight_ih->value, seed);
  init_orthogonal(weight_hh->value, seed + 1);
  std::vector<float> values(size_t(4 * hidden_size), 0.0f);
  std::fill(values.begin() + hidden_size, values.begin() + 2 * hidden_size, 1.0f);  // blocks i, f, g, o
  copy_into(bias->value, Tensor::from_host(bias->value.shape(), values));
}

void upload(Parameter* parameter, const std::vector<float>& values, const char* what) {
  if (static_cast<int64_t>(values.size()) != parameter->value.numel()) {
    fail(std::string("load: ") + what + " has " + std::to_string(values.size()) + " values, the layer's " +
         parameter->name + " has shape " + to_string(parameter->value.shape()));
  }
  copy_into(parameter->value, Tensor::from_host(parameter->value.shape(), values));
}

void check_sizes(int64_t input_size, int64_t hidden_size, int64_t want_input, int64_t want_hidden, const char* what) {
  if (input_size != want_input || hidden_size != want_hidden) {
    fail(std::string(what) + ".load: weights for input " + std::to_string(input_size) + ", hidden " +
         std::to_string(hidden_size) + " given to a layer with input " + std::to_string(want_input) + ", hidden " +
         std::to_string(want_hidden));
  }
}

// [..., H1] and [..., H2] -> [..., H1 + H2]: the channel concatenation over rows.
Tensor concat_last_axis(const Tensor& a, const Tensor& b) {
  if (a.rank() == 2) return concat_channels({a, b});
  Shape shape = a.shape();
  const int64_t rows = a.numel() / a.dim(-1);
  Tensor joined = concat_channels({a.reshape({rows, a.dim(-1)}), b.reshape({rows, b.dim(-1)})});
  shape.back() = joined.dim(1);
  return joined.reshape(shape);
}

}  // namespace

LSTM::LSTM(int64_t input_size, int64_t hidden_size, LstmOptions options, uint64_t seed, RecurrentInit init)
    : input_size_(input_size), hidden_size_(hidden_size), options_(options) {
  weight_ih_ = &add_parameter("weight_ih", Tensor::empty({4 * hidden_size, input_size}));
  weight_hh_ = &add_parameter("weight_hh", Tensor::empty({4 * hidden_size, hidden_size}));
  bias_ = &add_parameter("bias", Tensor::empty({4 * hidden_size}));
  if (init == RecurrentInit::Keras) {
    init_keras_lstm(weight_ih_, weight_hh_, bias_, hidden_size, seed);
  } else {
    init_recurrent({weight_ih_, weight_hh_, bias_}, hidden_size, seed);
  }
}

Tensor LSTM::forward(const Tensor& x) { return forward(x, Tensor(), Tensor()); }

Tensor LSTM::forward(const Tensor& x, const Tensor& h0, const Tensor& c0) {
  return lstm(x, weight_ih_->value, weight_hh_->value, bias_->value, options_, h0, c0);
}

void LSTM::load(const LstmHostWeights& w) {
  check_sizes(w.input_size, w.hidden_size, input_size_, hidden_size_, "LSTM");
  upload(weight_ih_, w.w_ih, "w_ih");
  upload(weight_hh_, w.w_hh, "w_hh");
  upload(bias_, w.bias, "bias");
}

GRU::GRU(int64_t input_size, int64_t hidden_size, GruOptions options, uint64_t seed)
    : input_size_(input_size), hidden_size_(hidden_size), options_(options) {
  weight_ih_ = &add_parameter("weight_ih", Tensor::empty({3 * hidden_size, input_size}));
  weight_hh_ = &add_parameter("weight_hh", Tensor::empty({3 * hidden_size, hidden_size}));
  bias_ih_ = &add_parameter("bias_ih", Tensor::empty({3 * hidden_size}));
  bias_hh_ = &add_parameter("bias_hh", Tensor::empty({3 * hidden_size}));
  init_recurrent({weight_ih_, weight_hh_, bias_ih_, bias_hh_}, hidden_size, seed);
}

Tensor GRU::forward(const Tensor& x) { return forward(x, Tensor()); }

Tensor GRU::forward(const Tensor& x, const Tensor& h0) {
  return gru(x, weight_ih_->value, weight_hh_->value, bias_ih_->value, bias_hh_->value, options_, h0);
}

void GRU::load(const GruHostWeights& w) {
  check_sizes(w.input_size, w.hidden_size, input_size_, hidden_size_, "GRU");
  upload(weight_ih_, w.w_ih, "w_ih");
  upload(weight_hh_, w.w_hh, "w_hh");
  upload(bias_ih_, w.b_ih, "b_ih");
  upload(bias_hh_, w.b_hh, "b_hh");
}

Bidirectional::Bidirectional(std::unique_ptr<Module> forward_layer, std::unique_ptr<Module> reverse_layer)
    : forward_layer_(add_module("forward", std::move(forward_layer))),
      reverse_layer_(add_module("reverse", std::move(reverse_layer))) {}

Tensor Bidirectional::forward(const Tensor& x) {
  return concat_last_axis(forward_layer_.forward(x), reverse_layer_.forward(x));
}

BiLSTM::BiLSTM(int64_t input_size, int64_t hidden_size, bool return_sequence, uint64_t seed, RecurrentInit init)
    : Bidirectional(
          std::make_unique<LSTM>(input_size, hidden_size, LstmOptions{false, return_sequence}, seed, init),
          std::make_unique<LSTM>(input_size, hidden_size, LstmOptions{true, return_sequence}, seed + 101, init)) {}

BiGRU::BiGRU(int64_t input_size, int64_t hidden_size, bool return_sequence, uint64_t seed)
    : Bidirectional(std::make_unique<GRU>(input_size, hidden_size, GruOptions{false, return_sequence}, seed),
                    std::make_unique<GRU>(input_size, hidden_size, GruOptions{true, return_sequence}, seed + 101)) {}

TimeDistributed::TimeDistributed(std::unique_ptr<Module> inner) : inner_(add_module("module", std::move(inner))) {}

Tensor TimeDistributed::forward(const Tensor& x) {
  if (x.rank() < 3) {
    fail("TimeDistributed: input must be [B, T, ...] with rank >= 3, got shape " + to_string(x.shape()));
  }
  const int64_t batch = x.dim(0), steps = x.dim(1);
  Shape items{batch * steps};
  items.insert(items.end(), x.shape().begin() + 2, x.shape().end());
  Tensor y = inner_.forward(x.reshape(items));
  if (y.rank() < 1 || y.dim(0) != batch * steps) {
    fail("TimeDistributed: the inner module turned " + to_string(items) + " into " + to_string(y.shape()) +
         ", not one result per item");
  }
  Shape out{batch, steps};
  out.insert(out.end(), y.shape().begin() + 1, y.shape().end());
  return y.reshape(out);
}

}  // namespace medrepro::nn
