#include <doctest/doctest.h>

#include <cmath>

#include "core/nn/norm_layers.h"
#include "core/ops/activations.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Tensor;

namespace {

// Values spread over the interesting range plus the saturated tails.
std::vector<float> spread_values() {
  std::vector<float> values = testing::random_values(97, 5, -6.0f, 6.0f);
  for (float v : {0.0f, 1e-6f, -1e-6f, 0.01f, -0.05f, 0.124f, 0.126f, -0.2f, 30.0f, -30.0f, 100.0f, -100.0f,
                  1e4f, -1e4f, 88.0f, -88.0f, -104.0f}) {
    values.push_back(v);
  }
  return values;
}

}  // namespace

TEST_CASE("sigmoid forward against float64, saturating without NaN") {
  const std::vector<float> values = spread_values();
  const Tensor x = Tensor::from_host({int64_t(values.size())}, values);
  std::vector<double> expected;
  for (float v : values) expected.push_back(1.0 / (1.0 + std::exp(-double(v))));
  // Relative accuracy matters in the tail: sigmoid(-30) ~ 1e-13 must not collapse to 0.
  testing::check_close(medrepro::sigmoid(x).to_host(), expected, 1e-5, 1e-30, "sigmoid");
}

TEST_CASE("tanh forward against float64, accurate near 0 and saturating") {
  const std::vector<float> values = spread_values();
  const Tensor x = Tensor::from_host({int64_t(values.size())}, values);
  std::vector<double> expected;
  for (float v : values) expected.push_back(std::tanh(double(v)));
  testing::check_close(medrepro::tanh(x).to_host(), expected, 2e-6, 1e-30, "tanh");
  // Below |x| = 0.125 the polynomial needs no exp, so it holds to about 1 ulp on any device
  // (lavapipe: 0.5 ulp); every term of it matters at this tolerance.
  std::vector<float> small;
  for (int i = -125; i < 125; ++i) small.push_back(float(i) * 1e-3f);
  for (float v : {0.1249f, -0.1249f, 1e-30f, 3e-4f}) small.push_back(v);
  std::vector<double> small_expected;
  for (float v : small) small_expected.push_back(std::tanh(double(v)));
  testing::check_close(medrepro::tanh(Tensor::from_host({int64_t(small.size())}, small)).to_host(), small_expected,
                       1.5e-7, 0, "tanh near 0");
}

TEST_CASE("leaky_relu forward against float64, default and custom slope") {
  const std::vector<float> values = spread_values();
  const Tensor x = Tensor::from_host({int64_t(values.size())}, values);
  for (float slope : {0.01f, 0.2f, -0.5f}) {
    std::vector<double> expected;
    for (float v : values) expected.push_back(v > 0 ? double(v) : double(slope) * v);
    const Tensor y = slope == 0.01f ? medrepro::leaky_relu(x) : medrepro::leaky_relu(x, slope);
    testing::check_close(y.to_host(), expected, 1e-7, 0, "leaky_relu slope " + std::to_string(slope));
  }
}

TEST_CASE("activation backward against finite differences") {
  // Odd shape with batch 1; values clear of leaky_relu's kink at 0.
  std::vector<float> values = testing::random_values(3 * 7, 31, -3.0f, 3.0f);
  for (float& v : values) {
    if (std::abs(v) < 0.05f) v += 0.1f;
  }
  const Tensor x = Tensor::from_host({1, 3, 7}, values);
  testing::check_gradients([](const auto& in) { return medrepro::sigmoid(in[0]); }, {x});
  testing::check_gradients([](const auto& in) { return medrepro::tanh(in[0]); }, {x});
  testing::check_gradients([](const auto& in) { return medrepro::leaky_relu(in[0]); }, {x});
  testing::check_gradients([](const auto& in) { return medrepro::leaky_relu(in[0], 0.3f); }, {x});
  // Used twice: the two gradients add up (beta = 1 path of every backward kernel).
  testing::check_gradients(
      [](const auto& in) { return medrepro::tanh(medrepro::sigmoid(medrepro::leaky_relu(in[0], 0.1f))); }, {x});
}

TEST_CASE("activation gradients accumulate into an existing gradient") {
  // x feeds three activations: whichever backward runs second and third adds (beta = 1).
  const Tensor x = testing::random_tensor({2, 5}, 41, 0.1f, 2.0f);
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::add(medrepro::sigmoid(in[0]),
                             medrepro::add(medrepro::tanh(in[0]), medrepro::leaky_relu(in[0], 0.2f)));
      },
      {x});
}

TEST_CASE("saturated backward stays finite") {
  Tensor leaf = Tensor::from_host({4}, std::vector<float>{100.0f, -100.0f, 1e4f, -1e4f});
  leaf.set_requires_grad(true);
  Tensor s = medrepro::sigmoid(leaf);
  s.backward(Tensor::full({4}, 1.0f));
  for (float g : leaf.grad().to_host()) CHECK(g == 0.0f);
  leaf.zero_grad();
  Tensor t = medrepro::tanh(leaf);
  t.backward(Tensor::full({4}, 1.0f));
  for (float g : leaf.grad().to_host()) CHECK(g == 0.0f);
}

TEST_CASE("activation modules") {
  const Tensor x = Tensor::from_host({1, 4}, std::vector<float>{-2.0f, -0.5f, 0.5f, 2.0f});
  medrepro::nn::Sigmoid sigmoid;
  medrepro::nn::Tanh tanh_module;
  medrepro::nn::LeakyReLU leaky(0.25f);
  std::vector<double> s, t, l;
  for (double v : {-2.0, -0.5, 0.5, 2.0}) {
    s.push_back(1.0 / (1.0 + std::exp(-v)));
    t.push_back(std::tanh(v));
    l.push_back(v > 0 ? v : 0.25 * v);
  }
  testing::check_close(sigmoid(x).to_host(), s, 2e-6, 0, "Sigmoid");
  testing::check_close(tanh_module(x).to_host(), t, 2e-6, 0, "Tanh");
  testing::check_close(leaky(x).to_host(), l, 1e-7, 0, "LeakyReLU");
  CHECK(sigmoid.parameter_count() == 0);
}
