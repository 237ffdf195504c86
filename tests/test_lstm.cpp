// LSTM forward against a float64 reference and a hand-computed sequence, backward
// through time against finite differences, bidirectional output order, checkpoint
// layout conversions, TimeDistributed, and a BiLSTM learning a task that needs both
// directions.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "core/autograd.h"
#include "core/init.h"
#include "core/nn/layers.h"
#include "core/nn/recurrent.h"
#include "core/ops/linear.h"
#include "core/ops/loss.h"
#include "core/ops/lstm.h"
#include "core/optim.h"
#include "recurrent_tasks.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;
namespace nn = medrepro::nn;

namespace {

double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

struct Sizes {
  int64_t batch, steps, features, hidden;
};

// Every step's hidden state [B, T, H], in float64, looping over time. Empty bias, h0
// or c0 stand for zeros. Gate blocks i, f, g, o of the rows of w_ih [4H, F], w_hh [4H, H].
std::vector<double> reference_lstm(const Sizes& s, const std::vector<float>& x, const std::vector<float>& w_ih,
                                   const std::vector<float>& w_hh, const std::vector<float>& bias, bool reverse,
                                   const std::vector<float>& h0 = {}, const std::vector<float>& c0 = {}) {
  const int64_t H = s.hidden;
  std::vector<double> y(size_t(s.batch * s.steps * H));
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<double> h(size_t(H), 0.0), c(size_t(H), 0.0);
    for (int64_t j = 0; j < H; ++j) {
      if (!h0.empty()) h[size_t(j)] = h0[size_t(b * H + j)];
      if (!c0.empty()) c[size_t(j)] = c0[size_t(b * H + j)];
    }
    for (int64_t step = 0; step < s.steps; ++step) {
      const int64_t t = reverse ? s.steps - 1 - step : step;
      std::vector<double> a(size_t(4 * H));
      for (int64_t r = 0; r < 4 * H; ++r) {
        double sum = bias.empty() ? 0.0 : bias[size_t(r)];
        for (int64_t f = 0; f < s.features; ++f) {
          sum += double(w_ih[size_t(r * s.features + f)]) * x[size_t((b * s.steps + t) * s.features + f)];
        }
        for (int64_t k = 0; k < H; ++k) sum += double(w_hh[size_t(r * H + k)]) * h[size_t(k)];
        a[size_t(r)] = sum;
      }
      for (int64_t j = 0; j < H; ++j) {
        const double i = sigmoid(a[size_t(j)]), f = sigmoid(a[size_t(H + j)]);
        const double g = std::tanh(a[size_t(2 * H + j)]), o = sigmoid(a[size_t(3 * H + j)]);
        c[size_t(j)] = f * c[size_t(j)] + i * g;
        h[size_t(j)] = o * std::tanh(c[size_t(j)]);
        y[size_t((b * s.steps + t) * H + j)] = h[size_t(j)];
      }
    }
  }
  return y;
}

// y[:, t] of a [B, T, H] sequence.
std::vector<double> time_slice(const std::vector<double>& y, const Sizes& s, int64_t t) {
  std::vector<double> out;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t j = 0; j < s.hidden; ++j) out.push_back(y[size_t((b * s.steps + t) * s.hidden + j)]);
  }
  return out;
}

struct RandomLstm {
  Sizes s;
  std::vector<float> x, w_ih, w_hh, bias, h0, c0;
  RandomLstm(Sizes sizes, uint32_t seed) : s(sizes) {
    x = testing::random_values(size_t(s.batch * s.steps * s.features), seed);
    w_ih = testing::random_values(size_t(4 * s.hidden * s.features), seed + 1, -0.8f, 0.8f);
    w_hh = testing::random_values(size_t(4 * s.hidden * s.hidden), seed + 2, -0.8f, 0.8f);
    bias = testing::random_values(size_t(4 * s.hidden), seed + 3, -0.5f, 0.5f);
    h0 = testing::random_values(size_t(s.batch * s.hidden), seed + 4);
    c0 = testing::random_values(size_t(s.batch * s.hidden), seed + 5);
  }
  Tensor tx() const { return Tensor::from_host({s.batch, s.steps, s.features}, x); }
  Tensor tw_ih() const { return Tensor::from_host({4 * s.hidden, s.features}, w_ih); }
  Tensor tw_hh() const { return Tensor::from_host({4 * s.hidden, s.hidden}, w_hh); }
  Tensor tbias() const { return Tensor::from_host({4 * s.hidden}, bias); }
  Tensor th0() const { return Tensor::from_host({s.batch, s.hidden}, h0); }
  Tensor tc0() const { return Tensor::from_host({s.batch, s.hidden}, c0); }
};

}  // namespace

TEST_CASE("lstm: a hand-computed two-step sequence") {
  // F = H = 1, gate blocks i, f, g, o. Step 1 (x = 1, h = c = 0): pre-activations
  // (0.5, -0.4, 1.0, 0.15) -> i = 0.622459, f = 0.401312, g = tanh(1) = 0.761594,
  // o = 0.537430; c1 = i * g = 0.474061, h1 = o * tanh(c1) = 0.237262.
  // Step 2 (x = -2): pre-activations (-0.976274, 1.147452, -2.071179, -0.505095),
  // c2 = f * c1 + i * g = 0.094760, h2 = 0.035556.
  Tensor x = Tensor::from_host({1, 2, 1}, std::vector<float>{1.0f, -2.0f});
  Tensor w_ih = Tensor::from_host({4, 1}, std::vector<float>{0.5f, -0.5f, 1.0f, 0.25f});
  Tensor w_hh = Tensor::from_host({4, 1}, std::vector<float>{0.1f, 0.2f, -0.3f, 0.4f});
  Tensor bias = Tensor::from_host({4}, std::vector<float>{0.0f, 0.1f, 0.0f, -0.1f});
  testing::check_close(medrepro::lstm(x, w_ih, w_hh, bias).to_host(), {0.237261837579, 0.035555935105}, 1e-5, 1e-7,
                       "h1, h2");
  testing::check_close(medrepro::lstm(x, w_ih, w_hh, bias, {false, false}).to_host(), {0.035555935105}, 1e-5, 1e-7,
                       "last state");
}

TEST_CASE("lstm forward against float64: shapes, directions, initial states, last-state mode") {
  for (Sizes s : {Sizes{1, 1, 1, 1}, Sizes{2, 3, 3, 5}, Sizes{3, 7, 5, 3}, Sizes{4, 11, 13, 17}}) {
    RandomLstm r(s, uint32_t(10 * s.steps + s.hidden));
    for (bool reverse : {false, true}) {
      CAPTURE(s.batch);
      CAPTURE(s.steps);
      CAPTURE(reverse);
      const auto expected = reference_lstm(s, r.x, r.w_ih, r.w_hh, r.bias, reverse);
      Tensor y = medrepro::lstm(r.tx(), r.tw_ih(), r.tw_hh(), r.tbias(), {reverse, true});
      CHECK(y.shape() == Shape{s.batch, s.steps, s.hidden});
      testing::check_close(y.to_host(), expected, 1e-4, 1e-5, "sequence");
      Tensor last = medrepro::lstm(r.tx(), r.tw_ih(), r.tw_hh(), r.tbias(), {reverse, false});
      CHECK(last.shape() == Shape{s.batch, s.hidden});
      testing::check_close(last.to_host(), time_slice(expected, s, reverse ? 0 : s.steps - 1), 1e-4, 1e-5, "last");

      const auto with_state = reference_lstm(s, r.x, r.w_ih, r.w_hh, r.bias, reverse, r.h0, r.c0);
      testing::check_close(
          medrepro::lstm(r.tx(), r.tw_ih(), r.tw_hh(), r.tbias(), {reverse, true}, r.th0(), r.tc0()).to_host(),
          with_state, 1e-4, 1e-5, "with h0, c0");
      // Only one of the two states given; no bias.
      testing::check_close(
          medrepro::lstm(r.tx(), r.tw_ih(), r.tw_hh(), Tensor(), {reverse, true}, Tensor(), r.tc0()).to_host(),
          reference_lstm(s, r.x, r.w_ih, r.w_hh, {}, reverse, {}, r.c0), 1e-4, 1e-5, "c0 only, no bias");
      testing::check_close(
          medrepro::lstm(r.tx(), r.tw_ih(), r.tw_hh(), r.tbias(), {reverse, true}, r.th0(), Tensor()).to_host(),
          reference_lstm(s, r.x, r.w_ih, r.w_hh, r.bias, reverse, r.h0, {}), 1e-4, 1e-5, "h0 only");
    }
  }
}

TEST_CASE("lstm refuses mismatched shapes, naming them") {
  Tensor x = Tensor::zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(medrepro::lstm(x, Tensor::zeros({20, 3}), Tensor::zeros({20, 5}), Tensor()),
                       doctest::Contains("lstm: input [2, 3, 4], w_ih [20, 3], w_hh [20, 5]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::lstm(x, Tensor::zeros({20, 4}), Tensor::zeros({20, 5}), Tensor::zeros({5})),
                       doctest::Contains("bias [5]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::lstm(Tensor::zeros({2, 4}), Tensor::zeros({20, 4}), Tensor::zeros({20, 5}), Tensor()),
                       doctest::Contains("lstm: input must have rank 3"), medrepro::Error);
  CHECK_THROWS_WITH_AS(
      medrepro::lstm(x, Tensor::zeros({20, 4}), Tensor::zeros({20, 5}), Tensor(), {}, Tensor::zeros({2, 4})),
      doctest::Contains("lstm: h0 must have shape [2, 5], got [2, 4]"), medrepro::Error);
  CHECK_THROWS_AS(medrepro::lstm(Tensor::zeros({2, 0, 4}), Tensor::zeros({20, 4}), Tensor::zeros({20, 5}), Tensor()),
                  medrepro::Error);
}

TEST_CASE("lstm backward through time against finite differences") {
  // Every input: x, w_ih, w_hh, bias, h0, c0; each direction and output mode.
  for (Sizes s : {Sizes{1, 1, 3, 5}, Sizes{2, 3, 3, 5}, Sizes{1, 3, 5, 3}}) {
    RandomLstm r(s, uint32_t(100 + s.steps));
    for (bool reverse : {false, true}) {
      for (bool sequence : {true, false}) {
        CAPTURE(s.batch);
        CAPTURE(s.steps);
        CAPTURE(reverse);
        CAPTURE(sequence);
        const medrepro::LstmOptions options{reverse, sequence};
        testing::check_gradients(
            [options](const auto& in) { return medrepro::lstm(in[0], in[1], in[2], in[3], options, in[4], in[5]); },
            {r.tx(), r.tw_ih(), r.tw_hh(), r.tbias(), r.th0(), r.tc0()});
      }
    }
  }
  // Without bias and initial states; and one tensor as both h0 and c0 (gradients add up).
  RandomLstm r(Sizes{2, 3, 3, 5}, 7);
  testing::check_gradients([](const auto& in) { return medrepro::lstm(in[0], in[1], in[2], Tensor()); },
                           {r.tx(), r.tw_ih(), r.tw_hh()});
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::lstm(in[0], in[1], in[2], in[3], {true, true}, in[4], in[4]);
      },
      {r.tx(), r.tw_ih(), r.tw_hh(), r.tbias(), r.th0()});
}

TEST_CASE("bidirectional LSTM: forward direction first, reverse direction aligned with the input") {
  const Sizes s{2, 5, 3, 4};
  RandomLstm r(s, 55);
  nn::BiLSTM bi(s.features, s.hidden, true, 3);
  nn::BiLSTM bi_last(s.features, s.hidden, false, 3);
  auto forward_weights = medrepro::lstm_from_pytorch(s.features, s.hidden, r.w_ih, r.w_hh, r.bias, {});
  RandomLstm other(s, 77);
  auto reverse_weights = medrepro::lstm_from_pytorch(s.features, s.hidden, other.w_ih, other.w_hh, other.bias, {});
  for (nn::BiLSTM* layer : {&bi, &bi_last}) {
    layer->forward_lstm().load(forward_weights);
    layer->reverse_lstm().load(reverse_weights);
  }
  const auto forward_y = reference_lstm(s, r.x, r.w_ih, r.w_hh, r.bias, false);
  const auto reverse_y = reference_lstm(s, r.x, other.w_ih, other.w_hh, other.bias, true);

  Tensor y = bi(r.tx());
  REQUIRE(y.shape() == Shape{s.batch, s.steps, 2 * s.hidden});
  std::vector<double> expected;
  for (int64_t row = 0; row < s.batch * s.steps; ++row) {
    for (int64_t j = 0; j < s.hidden; ++j) expected.push_back(forward_y[size_t(row * s.hidden + j)]);
    for (int64_t j = 0; j < s.hidden; ++j) expected.push_back(reverse_y[size_t(row * s.hidden + j)]);
  }
  testing::check_close(y.to_host(), expected, 1e-4, 1e-5, "[B, T, 2H]: (forward h_t, reverse h_t)");

  // The reverse half at time t has read x_t .. x_{T-1} only: changing x_0 leaves its last
  // step alone, while the forward half's last step changes.
  std::vector<float> changed = r.x;
  for (int64_t f = 0; f < s.features; ++f) changed[size_t(f)] += 0.5f;
  const auto y_changed = bi(Tensor::from_host({s.batch, s.steps, s.features}, changed)).to_host();
  const auto y_host = y.to_host();
  const size_t last_step = size_t((s.steps - 1) * 2 * s.hidden);  // batch 0, time T-1
  CHECK(y_changed[last_step] != y_host[last_step]);
  for (int64_t j = 0; j < s.hidden; ++j)
    CHECK(y_changed[last_step + size_t(s.hidden + j)] == y_host[last_step + size_t(s.hidden + j)]);

  // Final states: (forward h at time T-1, reverse h at time 0).
  Tensor last = bi_last(r.tx());
  REQUIRE(last.shape() == Shape{s.batch, 2 * s.hidden});
  std::vector<double> expected_last;
  const auto forward_final = time_slice(forward_y, s, s.steps - 1), reverse_final = time_slice(reverse_y, s, 0);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t j = 0; j < s.hidden; ++j) expected_last.push_back(forward_final[size_t(b * s.hidden + j)]);
    for (int64_t j = 0; j < s.hidden; ++j) expected_last.push_back(reverse_final[size_t(b * s.hidden + j)]);
  }
  testing::check_close(last.to_host(), expected_last, 1e-4, 1e-5, "[B, 2H] final states");
  CHECK(bi.parameters()[0]->name == "forward.weight_ih");
  CHECK(bi.parameters()[3]->name == "reverse.weight_ih");

  // Gradients flow through the concatenation into both directions and the input.
  nn::BiLSTM small(3, 2, true, 9);
  testing::check_gradients([&small](const auto& in) { return small(in[0]); }, {testing::random_tensor({2, 3, 3}, 12)});
}

TEST_CASE("LSTM's Keras initialisation: Glorot kernel, orthogonal recurrent kernel, unit forget bias") {
  const int64_t input = 5, hidden = 3;
  nn::LSTM layer(input, hidden, {}, 9, nn::RecurrentInit::Keras);
  const auto params = layer.parameters();
  REQUIRE(params.size() == 3);
  const double limit = std::sqrt(6.0 / double(input + 4 * hidden));
  for (float v : params[0]->value.to_host()) CHECK(std::abs(v) <= limit);
  const auto w_hh = params[1]->value.to_host();  // [4H, H]: orthonormal columns
  for (int64_t a = 0; a < hidden; ++a) {
    for (int64_t b = 0; b < hidden; ++b) {
      double dot = 0;
      for (int64_t r = 0; r < 4 * hidden; ++r) {
        dot += double(w_hh[size_t(r * hidden + a)]) * w_hh[size_t(r * hidden + b)];
      }
      CHECK(dot == doctest::Approx(a == b ? 1.0 : 0.0).scale(1.0));
    }
  }
  CHECK(params[2]->value.to_host() == std::vector<float>{0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("lstm weight layouts: PyTorch and Keras conversions round-trip and compute the same function") {
  const int64_t F = 3, H = 2;
  const auto weight_ih = testing::random_values(size_t(4 * H * F), 1),
             weight_hh = testing::random_values(size_t(4 * H * H), 2);
  const auto bias_ih = testing::random_values(size_t(4 * H), 3), bias_hh = testing::random_values(size_t(4 * H), 4);
  const auto ours = medrepro::lstm_from_pytorch(F, H, weight_ih, weight_hh, bias_ih, bias_hh);
  CHECK(ours.w_ih == weight_ih);
  CHECK(ours.w_hh == weight_hh);
  for (size_t i = 0; i < ours.bias.size(); ++i) CHECK(ours.bias[i] == bias_ih[i] + bias_hh[i]);
  const auto back = medrepro::lstm_to_pytorch(ours);
  CHECK(back.weight_ih == weight_ih);
  CHECK(back.weight_hh == weight_hh);
  CHECK(back.bias_ih == ours.bias);

  // Keras: kernel [F, 4H] and recurrent_kernel [H, 4H], column blocks i, f, c, o.
  const auto kernel = testing::random_values(size_t(F * 4 * H), 5);
  const auto recurrent_kernel = testing::random_values(size_t(H * 4 * H), 6);
  const auto keras_bias = testing::random_values(size_t(4 * H), 7);
  const auto from_keras = medrepro::lstm_from_keras(F, H, kernel, recurrent_kernel, keras_bias);
  const auto keras = medrepro::lstm_to_keras(from_keras);
  CHECK(keras.kernel == kernel);
  CHECK(keras.recurrent_kernel == recurrent_kernel);
  CHECK(keras.bias == keras_bias);
  CHECK(from_keras.w_ih[size_t(1 * F + 2)] == kernel[size_t(2 * 4 * H + 1)]);  // row 1 = column 1 of kernel

  // The converted weights compute Keras' formula: z = x_t kernel + h recurrent_kernel + bias.
  const Sizes s{2, 4, F, H};
  const auto x = testing::random_values(size_t(s.batch * s.steps * F), 8);
  std::vector<double> expected(size_t(s.batch * s.steps * H));
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<double> h(size_t(H), 0.0), c(size_t(H), 0.0);
    for (int64_t t = 0; t < s.steps; ++t) {
      std::vector<double> z(size_t(4 * H));
      for (int64_t col = 0; col < 4 * H; ++col) {
        double sum = keras_bias[size_t(col)];
        for (int64_t f = 0; f < F; ++f)
          sum += double(x[size_t((b * s.steps + t) * F + f)]) * kernel[size_t(f * 4 * H + col)];
        for (int64_t k = 0; k < H; ++k) sum += h[size_t(k)] * recurrent_kernel[size_t(k * 4 * H + col)];
        z[size_t(col)] = sum;
      }
      for (int64_t j = 0; j < H; ++j) {
        const double i = sigmoid(z[size_t(j)]), f = sigmoid(z[size_t(H + j)]);
        const double cc = std::tanh(z[size_t(2 * H + j)]), o = sigmoid(z[size_t(3 * H + j)]);
        c[size_t(j)] = f * c[size_t(j)] + i * cc;
        h[size_t(j)] = o * std::tanh(c[size_t(j)]);
        expected[size_t((b * s.steps + t) * H + j)] = h[size_t(j)];
      }
    }
  }
  nn::LSTM layer(F, H);
  layer.load(from_keras);
  testing::check_close(layer(Tensor::from_host({s.batch, s.steps, F}, x)).to_host(), expected, 1e-4, 1e-5,
                       "Keras weights");
  CHECK_THROWS_WITH_AS(medrepro::lstm_from_keras(F, H, kernel, recurrent_kernel, std::vector<float>(3)),
                       doctest::Contains("bias has 3 values, expected 8"), medrepro::Error);
  CHECK_THROWS_AS(nn::LSTM(F + 1, H).load(from_keras), medrepro::Error);
}

TEST_CASE("TimeDistributed folds time into the batch and back, with gradients") {
  // A linear layer per step: y[b, t] = W x[b, t] + bias.
  auto td = std::make_unique<nn::TimeDistributed>(std::make_unique<nn::Linear>(5, 3, nn::WeightInit::xavier(0.1f), 4));
  const auto x = testing::random_values(2 * 4 * 5, 31);
  Tensor y = (*td)(Tensor::from_host({2, 4, 5}, x));
  REQUIRE(y.shape() == Shape{2, 4, 3});
  const auto params = td->parameters();
  CHECK(params[0]->name == "module.weight");
  const auto w = params[0]->value.to_host(), bias = params[1]->value.to_host();
  std::vector<double> expected;
  for (int64_t row = 0; row < 8; ++row) {
    for (int64_t o = 0; o < 3; ++o) {
      double sum = bias[size_t(o)];
      for (int64_t f = 0; f < 5; ++f) sum += double(w[size_t(o * 5 + f)]) * x[size_t(row * 5 + f)];
      expected.push_back(sum);
    }
  }
  testing::check_close(y.to_host(), expected, 1e-5, 1e-6, "per-step linear");
  CHECK_THROWS_WITH_AS((*td)(Tensor::zeros({8, 5})), doctest::Contains("TimeDistributed: input must be [B, T, ...]"),
                       medrepro::Error);

  // A 2D CNN on every slice of a [B, T, C, H, W] volume feeding an LSTM: gradients reach the slices.
  auto cnn = std::make_unique<nn::Sequential>();
  cnn->emplace<nn::Conv2d>(1, 2, 3, 1, 0, nn::WeightInit::xavier(), 5);
  cnn->emplace<nn::Flatten>();
  nn::TimeDistributed per_slice(std::move(cnn));
  nn::LSTM lstm_layer(2 * 2 * 2, 3, medrepro::LstmOptions{false, false}, 6);
  testing::check_gradients([&](const auto& in) { return lstm_layer(per_slice(in[0])); },
                           {testing::random_tensor({2, 3, 1, 4, 4}, 41)});
  CHECK(per_slice(Tensor::zeros({2, 3, 1, 4, 4})).shape() == Shape{2, 3, 8});
}

TEST_CASE("a BiLSTM learns a per-step task that needs both directions") {
  nn::BiLSTM bi(1, 8, true, 21);
  const double accuracy = testing::train_neighbour_task(bi, 16, 150, 0.3f, 21).accuracy;
  MESSAGE("BiLSTM per-step accuracy on fresh sequences: " << accuracy);
  CHECK(accuracy > 0.95);
}
