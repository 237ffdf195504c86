// GRU (PyTorch's formulation) forward against a float64 reference, backward through
// time against finite differences, Keras layout conversion, bidirectional order, and
// a BiGRU learning a task that needs both directions.
#include <doctest/doctest.h>

#include <cmath>

#include "core/autograd.h"
#include "core/nn/recurrent.h"
#include "core/ops/gru.h"
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

// Every step's hidden state [B, T, H] in float64 (empty biases and h0 are zeros):
//   r = s(W_ir x + b_ir + W_hr h + b_hr), z = s(W_iz x + b_iz + W_hz h + b_hz),
//   n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 - z) n + z h.
std::vector<double> reference_gru(const Sizes& s, const std::vector<float>& x, const std::vector<float>& w_ih,
                                  const std::vector<float>& w_hh, const std::vector<float>& b_ih,
                                  const std::vector<float>& b_hh, bool reverse, const std::vector<float>& h0 = {}) {
  const int64_t H = s.hidden;
  std::vector<double> y(size_t(s.batch * s.steps * H));
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<double> h(size_t(H), 0.0);
    for (int64_t j = 0; j < H && !h0.empty(); ++j) h[size_t(j)] = h0[size_t(b * H + j)];
    for (int64_t step = 0; step < s.steps; ++step) {
      const int64_t t = reverse ? s.steps - 1 - step : step;
      std::vector<double> gx(size_t(3 * H)), gh(size_t(3 * H));
      for (int64_t r = 0; r < 3 * H; ++r) {
        double sx = b_ih.empty() ? 0.0 : b_ih[size_t(r)], sh = b_hh.empty() ? 0.0 : b_hh[size_t(r)];
        for (int64_t f = 0; f < s.features; ++f) {
          sx += double(w_ih[size_t(r * s.features + f)]) * x[size_t((b * s.steps + t) * s.features + f)];
        }
        for (int64_t k = 0; k < H; ++k) sh += double(w_hh[size_t(r * H + k)]) * h[size_t(k)];
        gx[size_t(r)] = sx;
        gh[size_t(r)] = sh;
      }
      for (int64_t j = 0; j < H; ++j) {
        const double r = sigmoid(gx[size_t(j)] + gh[size_t(j)]);
        const double z = sigmoid(gx[size_t(H + j)] + gh[size_t(H + j)]);
        const double n = std::tanh(gx[size_t(2 * H + j)] + r * gh[size_t(2 * H + j)]);
        h[size_t(j)] = (1 - z) * n + z * h[size_t(j)];
        y[size_t((b * s.steps + t) * H + j)] = h[size_t(j)];
      }
    }
  }
  return y;
}

std::vector<double> time_slice(const std::vector<double>& y, const Sizes& s, int64_t t) {
  std::vector<double> out;
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t j = 0; j < s.hidden; ++j) out.push_back(y[size_t((b * s.steps + t) * s.hidden + j)]);
  }
  return out;
}

struct RandomGru {
  Sizes s;
  std::vector<float> x, w_ih, w_hh, b_ih, b_hh, h0;
  RandomGru(Sizes sizes, uint32_t seed) : s(sizes) {
    x = testing::random_values(size_t(s.batch * s.steps * s.features), seed);
    w_ih = testing::random_values(size_t(3 * s.hidden * s.features), seed + 1, -0.8f, 0.8f);
    w_hh = testing::random_values(size_t(3 * s.hidden * s.hidden), seed + 2, -0.8f, 0.8f);
    b_ih = testing::random_values(size_t(3 * s.hidden), seed + 3, -0.5f, 0.5f);
    b_hh = testing::random_values(size_t(3 * s.hidden), seed + 4, -0.5f, 0.5f);
    h0 = testing::random_values(size_t(s.batch * s.hidden), seed + 5);
  }
  Tensor tx() const { return Tensor::from_host({s.batch, s.steps, s.features}, x); }
  Tensor tw_ih() const { return Tensor::from_host({3 * s.hidden, s.features}, w_ih); }
  Tensor tw_hh() const { return Tensor::from_host({3 * s.hidden, s.hidden}, w_hh); }
  Tensor tb_ih() const { return Tensor::from_host({3 * s.hidden}, b_ih); }
  Tensor tb_hh() const { return Tensor::from_host({3 * s.hidden}, b_hh); }
  Tensor th0() const { return Tensor::from_host({s.batch, s.hidden}, h0); }
};

}  // namespace

TEST_CASE("gru forward against float64: shapes, directions, initial state, last-state mode") {
  for (Sizes s : {Sizes{1, 1, 1, 1}, Sizes{2, 3, 3, 5}, Sizes{3, 7, 5, 3}, Sizes{4, 11, 13, 17}}) {
    RandomGru r(s, uint32_t(10 * s.steps + s.hidden));
    for (bool reverse : {false, true}) {
      CAPTURE(s.batch);
      CAPTURE(s.steps);
      CAPTURE(reverse);
      const auto expected = reference_gru(s, r.x, r.w_ih, r.w_hh, r.b_ih, r.b_hh, reverse);
      Tensor y = medrepro::gru(r.tx(), r.tw_ih(), r.tw_hh(), r.tb_ih(), r.tb_hh(), {reverse, true});
      CHECK(y.shape() == Shape{s.batch, s.steps, s.hidden});
      testing::check_close(y.to_host(), expected, 1e-4, 1e-5, "sequence");
      Tensor last = medrepro::gru(r.tx(), r.tw_ih(), r.tw_hh(), r.tb_ih(), r.tb_hh(), {reverse, false});
      CHECK(last.shape() == Shape{s.batch, s.hidden});
      testing::check_close(last.to_host(), time_slice(expected, s, reverse ? 0 : s.steps - 1), 1e-4, 1e-5, "last");
      testing::check_close(
          medrepro::gru(r.tx(), r.tw_ih(), r.tw_hh(), r.tb_ih(), r.tb_hh(), {reverse, true}, r.th0()).to_host(),
          reference_gru(s, r.x, r.w_ih, r.w_hh, r.b_ih, r.b_hh, reverse, r.h0), 1e-4, 1e-5, "with h0");
      testing::check_close(medrepro::gru(r.tx(), r.tw_ih(), r.tw_hh(), Tensor(), r.tb_hh(), {reverse, true}).to_host(),
                           reference_gru(s, r.x, r.w_ih, r.w_hh, {}, r.b_hh, reverse), 1e-4, 1e-5, "no b_ih");
      testing::check_close(medrepro::gru(r.tx(), r.tw_ih(), r.tw_hh(), r.tb_ih(), Tensor(), {reverse, true}).to_host(),
                           reference_gru(s, r.x, r.w_ih, r.w_hh, r.b_ih, {}, reverse), 1e-4, 1e-5, "no b_hh");
    }
  }
  CHECK_THROWS_WITH_AS(medrepro::gru(Tensor::zeros({2, 3, 4}), Tensor::zeros({15, 4}), Tensor::zeros({15, 5}),
                                     Tensor::zeros({15}), Tensor::zeros({12})),
                       doctest::Contains("gru: input [2, 3, 4], w_ih [15, 4], w_hh [15, 5], b_ih [15], b_hh [12]"),
                       medrepro::Error);
}

TEST_CASE("gru backward through time against finite differences") {
  for (Sizes s : {Sizes{1, 1, 3, 5}, Sizes{2, 3, 3, 5}, Sizes{1, 3, 5, 3}}) {
    RandomGru r(s, uint32_t(200 + s.steps));
    for (bool reverse : {false, true}) {
      for (bool sequence : {true, false}) {
        CAPTURE(s.batch);
        CAPTURE(s.steps);
        CAPTURE(reverse);
        CAPTURE(sequence);
        const medrepro::GruOptions options{reverse, sequence};
        testing::check_gradients(
            [options](const auto& in) { return medrepro::gru(in[0], in[1], in[2], in[3], in[4], options, in[5]); },
            {r.tx(), r.tw_ih(), r.tw_hh(), r.tb_ih(), r.tb_hh(), r.th0()});
      }
    }
  }
  RandomGru r(Sizes{2, 3, 3, 5}, 9);
  testing::check_gradients([](const auto& in) { return medrepro::gru(in[0], in[1], in[2], Tensor(), Tensor()); },
                           {r.tx(), r.tw_ih(), r.tw_hh()});
}

TEST_CASE("gru Keras layout: round trip, gate reordering, same function") {
  const int64_t F = 3, H = 2;
  const auto kernel = testing::random_values(size_t(F * 3 * H), 1);
  const auto recurrent_kernel = testing::random_values(size_t(H * 3 * H), 2);
  const auto bias = testing::random_values(size_t(2 * 3 * H), 3);
  const auto ours = medrepro::gru_from_keras(F, H, kernel, recurrent_kernel, bias);
  const auto keras = medrepro::gru_to_keras(ours);
  CHECK(keras.kernel == kernel);
  CHECK(keras.recurrent_kernel == recurrent_kernel);
  CHECK(keras.bias == bias);
  // Our reset gate (block 0) is Keras' block 1; our update gate (block 1) is Keras' block 0.
  CHECK(ours.w_ih[size_t((0 * H + 1) * F + 2)] == kernel[size_t(2 * 3 * H + 1 * H + 1)]);
  CHECK(ours.w_ih[size_t((1 * H + 0) * F + 0)] == kernel[size_t(0 * 3 * H + 0 * H + 0)]);
  CHECK(ours.b_hh[size_t(2 * H + 1)] == bias[size_t(3 * H + 2 * H + 1)]);

  // Keras' GRUCell with reset_after=True, written out with its own blocks z, r, h.
  const Sizes s{2, 4, F, H};
  const auto x = testing::random_values(size_t(s.batch * s.steps * F), 4);
  std::vector<double> expected(size_t(s.batch * s.steps * H));
  for (int64_t b = 0; b < s.batch; ++b) {
    std::vector<double> h(size_t(H), 0.0);
    for (int64_t t = 0; t < s.steps; ++t) {
      std::vector<double> mx(size_t(3 * H)), mh(size_t(3 * H));
      for (int64_t col = 0; col < 3 * H; ++col) {
        double sx = bias[size_t(col)], sh = bias[size_t(3 * H + col)];
        for (int64_t f = 0; f < F; ++f)
          sx += double(x[size_t((b * s.steps + t) * F + f)]) * kernel[size_t(f * 3 * H + col)];
        for (int64_t k = 0; k < H; ++k) sh += h[size_t(k)] * recurrent_kernel[size_t(k * 3 * H + col)];
        mx[size_t(col)] = sx;
        mh[size_t(col)] = sh;
      }
      std::vector<double> next(static_cast<size_t>(H));
      for (int64_t j = 0; j < H; ++j) {
        const double z = sigmoid(mx[size_t(j)] + mh[size_t(j)]);
        const double r = sigmoid(mx[size_t(H + j)] + mh[size_t(H + j)]);
        const double hh = std::tanh(mx[size_t(2 * H + j)] + r * mh[size_t(2 * H + j)]);
        next[size_t(j)] = z * h[size_t(j)] + (1 - z) * hh;
        expected[size_t((b * s.steps + t) * H + j)] = next[size_t(j)];
      }
      h = next;
    }
  }
  nn::GRU layer(F, H);
  layer.load(ours);
  testing::check_close(layer(Tensor::from_host({s.batch, s.steps, F}, x)).to_host(), expected, 1e-4, 1e-5,
                       "Keras weights");
  CHECK_THROWS_WITH_AS(medrepro::gru_from_keras(F, H, kernel, recurrent_kernel, std::vector<float>(6)),
                       doctest::Contains("bias has 6 values, expected 12"), medrepro::Error);
}

TEST_CASE("bidirectional GRU: forward direction first") {
  const Sizes s{2, 4, 3, 2};
  RandomGru a(s, 61), b(s, 71);
  nn::BiGRU bi(s.features, s.hidden, true, 1);
  bi.forward_gru().load({s.features, s.hidden, a.w_ih, a.w_hh, a.b_ih, a.b_hh});
  bi.reverse_gru().load({s.features, s.hidden, b.w_ih, b.w_hh, b.b_ih, b.b_hh});
  const auto forward_y = reference_gru(s, a.x, a.w_ih, a.w_hh, a.b_ih, a.b_hh, false);
  const auto reverse_y = reference_gru(s, a.x, b.w_ih, b.w_hh, b.b_ih, b.b_hh, true);
  std::vector<double> expected;
  for (int64_t row = 0; row < s.batch * s.steps; ++row) {
    for (int64_t j = 0; j < s.hidden; ++j) expected.push_back(forward_y[size_t(row * s.hidden + j)]);
    for (int64_t j = 0; j < s.hidden; ++j) expected.push_back(reverse_y[size_t(row * s.hidden + j)]);
  }
  Tensor y = bi(a.tx());
  REQUIRE(y.shape() == Shape{s.batch, s.steps, 2 * s.hidden});
  testing::check_close(y.to_host(), expected, 1e-4, 1e-5, "[B, T, 2H]");
  CHECK(bi.parameters()[4]->name == "reverse.weight_ih");
}

TEST_CASE("a BiGRU learns a per-step task that needs both directions") {
  nn::BiGRU bi(1, 8, true, 31);
  const double accuracy = testing::train_neighbour_task(bi, 16, 150, 0.3f, 31).accuracy;
  MESSAGE("BiGRU per-step accuracy on fresh sequences: " << accuracy);
  CHECK(accuracy > 0.95);
}
