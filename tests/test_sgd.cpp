#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/optim.h"
#include "testing.h"

using medrepro::MomentumConvention;
using medrepro::Sgd;
using medrepro::SgdOptions;
using medrepro::Tensor;
using medrepro::nn::Parameter;

namespace {

// The float64 SGD of core/optim.h for one parameter; `rows` > 1 makes it a weight
// whose rows the max-norm bound applies to.
struct ReferenceSgd {
  std::vector<double> w, v;
  size_t rows = 1;

  void step(const std::vector<float>& grad, const SgdOptions& o, double lr_mult, double decay_mult) {
    const double lr = double(o.learning_rate) * lr_mult, decay = double(o.weight_decay) * decay_mult;
    const double l1 = double(o.l1) * decay_mult;
    for (size_t i = 0; i < w.size(); ++i) {
      const double sign = w[i] > 0 ? 1.0 : w[i] < 0 ? -1.0 : 0.0;
      const double direction = grad[i] + decay * w[i] + l1 * sign;
      if (o.convention == MomentumConvention::Caffe) {
        v[i] = o.momentum * v[i] + lr * direction;
        w[i] -= v[i];
      } else {
        v[i] = o.momentum * v[i] + direction;
        w[i] -= lr * v[i];
      }
    }
    if (o.max_norm <= 0 || rows < 2) return;
    const size_t length = w.size() / rows;
    for (size_t r = 0; r < rows; ++r) {
      double squares = 0;
      for (size_t j = 0; j < length; ++j) squares += w[r * length + j] * w[r * length + j];
      const double norm = std::sqrt(squares);
      if (norm <= o.max_norm) continue;
      for (size_t j = 0; j < length; ++j) w[r * length + j] *= o.max_norm / norm;
    }
  }
};

}  // namespace

// 4100 values take the four-at-a-time kernel, 7 the one-at-a-time one.
TEST_CASE("SGD with momentum matches a float64 reference in both conventions and both kernels") {
  for (MomentumConvention convention : {MomentumConvention::Caffe, MomentumConvention::PyTorch}) {
    CAPTURE(int(convention));
    const SgdOptions options{0.05f, 0.9f, 0.01f, convention};
    const auto w0 = testing::random_values(4100, 1), b0 = testing::random_values(7, 2);
    Parameter weight{"weight", Tensor::from_host({41, 100}, w0)};
    Parameter bias{"bias", Tensor::from_host({7}, b0), 2.0f, 0.0f};
    weight.value.set_requires_grad(true);
    bias.value.set_requires_grad(true);
    Sgd sgd({&weight, &bias}, options);
    ReferenceSgd ref_w{testing::to_double(w0), std::vector<double>(w0.size())};
    ReferenceSgd ref_b{testing::to_double(b0), std::vector<double>(b0.size())};
    for (uint32_t step = 0; step < 3; ++step) {
      const auto gw = testing::random_values(w0.size(), 10 + step, -2.0f, 2.0f);
      const auto gb = testing::random_values(b0.size(), 20 + step, -1.0f, 1.0f);
      testing::set_gradient(weight.value, gw);
      testing::set_gradient(bias.value, gb);
      sgd.step();
      ref_w.step(gw, options, 1.0, 1.0);
      ref_b.step(gb, options, 2.0, 0.0);
      testing::check_close(weight.value.to_host(), ref_w.w, 1e-5, 1e-6, "weight");
      testing::check_close(bias.value.to_host(), ref_b.w, 1e-5, 1e-6, "bias");
      testing::check_close(sgd.momentum_buffers()[0].to_host(), ref_w.v, 1e-5, 1e-6, "weight momentum");
      testing::check_close(sgd.momentum_buffers()[1].to_host(), ref_b.v, 1e-5, 1e-6, "bias momentum");
    }
  }
}

// Havaei et al.'s regularisation: L1 beside L2, a momentum raised during training,
// every filter's norm bounded. [41, 100] takes the four-at-a-time kernel, the
// 3 x (2 x 3 x 3) filters the one-at-a-time one; the bias (decay_mult 0) gets neither
// L1 nor the bound.
TEST_CASE("SGD with L1, a momentum schedule and a max-norm bound matches a float64 reference") {
  SgdOptions options{0.05f, 0.5f, 0.01f, MomentumConvention::Caffe};
  options.l1 = 0.02f;
  options.max_norm = 1.6f;  // below some initial filter norms (about 1.2 to 2.2 for 18 values), above others
  const auto w0 = testing::random_values(4100, 3), f0 = testing::random_values(54, 4), b0 = testing::random_values(7, 5);
  Parameter weight{"weight", Tensor::from_host({41, 100}, w0)};
  Parameter filters{"filters", Tensor::from_host({3, 2, 3, 3}, f0)};
  Parameter bias{"bias", Tensor::from_host({7}, b0), 2.0f, 0.0f};
  for (Parameter* p : {&weight, &filters, &bias}) p->value.set_requires_grad(true);
  Sgd sgd({&weight, &filters, &bias}, options);
  ReferenceSgd ref_w{testing::to_double(w0), std::vector<double>(w0.size()), 41};
  ReferenceSgd ref_f{testing::to_double(f0), std::vector<double>(f0.size()), 3};
  ReferenceSgd ref_b{testing::to_double(b0), std::vector<double>(b0.size())};
  for (uint32_t step = 0; step < 3; ++step) {
    options.momentum = 0.5f + 0.2f * float(step);
    sgd.set_momentum(options.momentum);
    const auto gw = testing::random_values(w0.size(), 30 + step), gf = testing::random_values(f0.size(), 40 + step);
    const auto gb = testing::random_values(b0.size(), 50 + step);
    testing::set_gradient(weight.value, gw);
    testing::set_gradient(filters.value, gf);
    testing::set_gradient(bias.value, gb);
    sgd.step();
    ref_w.step(gw, options, 1.0, 1.0);
    ref_f.step(gf, options, 1.0, 1.0);
    ref_b.step(gb, options, 2.0, 0.0);
    testing::check_close(weight.value.to_host(), ref_w.w, 1e-5, 1e-6, "weight");
    testing::check_close(filters.value.to_host(), ref_f.w, 1e-5, 1e-6, "filters");
    testing::check_close(bias.value.to_host(), ref_b.w, 1e-5, 1e-6, "bias");
  }
  // The bound held and bit: at least one filter sits on it.
  const double bound = options.max_norm;
  int bounded = 0;
  for (size_t r = 0; r < 3; ++r) {
    double squares = 0;
    for (size_t j = 0; j < 18; ++j) squares += ref_f.w[r * 18 + j] * ref_f.w[r * 18 + j];
    CHECK(std::sqrt(squares) <= bound + 1e-9);
    bounded += std::abs(std::sqrt(squares) - bound) < 1e-9;
  }
  CHECK(bounded >= 1);
}
