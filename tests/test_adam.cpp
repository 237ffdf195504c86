#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/adam.h"
#include "core/ops/elementwise.h"
#include "core/ops/shape.h"
#include "core/schedules.h"
#include "testing.h"

using medrepro::Adam;
using medrepro::AdamOptions;
using medrepro::Tensor;
using medrepro::nn::Parameter;

namespace {

// The float64 Adam/AdamW of core/adam.h for one parameter.
struct ReferenceAdam {
  std::vector<double> w, m, v;
  int64_t t = 0;

  void step(const std::vector<float>& grad, const AdamOptions& o, double lr_mult, double decay_mult) {
    ++t;
    const double lr = double(o.learning_rate) * (o.use_parameter_multipliers ? lr_mult : 1.0);
    const double decay = double(o.weight_decay) * (o.use_parameter_multipliers ? decay_mult : 1.0);
    const double b1 = o.beta1, b2 = o.beta2;
    const double bias_correction1 = 1 - std::pow(b1, double(t)), bias_correction2 = 1 - std::pow(b2, double(t));
    for (size_t i = 0; i < w.size(); ++i) {
      double g = grad[i];
      if (o.decay_mode == medrepro::WeightDecay::L2) g += decay * w[i];
      else w[i] *= 1 - lr * decay;
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      w[i] -= lr / bias_correction1 * m[i] / (std::sqrt(v[i]) / std::sqrt(bias_correction2) + double(o.eps));
    }
  }
};

}  // namespace

TEST_CASE("Adam matches a float64 reference over three steps") {
  AdamOptions plain;
  plain.learning_rate = 0.01f;
  AdamOptions l2 = plain;
  l2.weight_decay = 0.1f;
  AdamOptions adamw = plain;
  adamw.weight_decay = 0.1f;
  adamw.decay_mode = medrepro::WeightDecay::Decoupled;
  AdamOptions multipliers = l2;
  multipliers.use_parameter_multipliers = true;
  multipliers.beta1 = 0.8f;
  multipliers.beta2 = 0.99f;
  multipliers.eps = 1e-3f;  // large enough to matter in the formula

  int which = 0;
  for (const AdamOptions& options : {plain, l2, adamw, multipliers}) {
    CAPTURE(which++);
    const auto w0 = testing::random_values(15, 1), b0 = testing::random_values(7, 2);
    Parameter weight{"weight", Tensor::from_host({3, 5}, w0)};
    Parameter bias{"bias", Tensor::from_host({7}, b0), 2.0f, 0.0f};
    weight.value.set_requires_grad(true);
    bias.value.set_requires_grad(true);
    Adam adam({&weight, &bias}, options);
    ReferenceAdam ref_w{testing::to_double(w0), std::vector<double>(15), std::vector<double>(15)};
    ReferenceAdam ref_b{testing::to_double(b0), std::vector<double>(7), std::vector<double>(7)};
    for (uint32_t step = 0; step < 3; ++step) {
      // Gradients of varied size and sign, some tiny, so eps and the moments all matter.
      auto gw = testing::random_values(15, 10 + step, -2.0f, 2.0f);
      auto gb = testing::random_values(7, 20 + step, -1e-3f, 1e-3f);
      testing::set_gradient(weight.value, gw);
      testing::set_gradient(bias.value, gb);
      adam.step();
      ref_w.step(gw, options, 1.0, 1.0);
      ref_b.step(gb, options, 2.0, 0.0);
      testing::check_close(weight.value.to_host(), ref_w.w, 1e-6, 1e-7, "weight");
      testing::check_close(bias.value.to_host(), ref_b.w, 1e-6, 1e-7, "bias");
      testing::check_close(adam.first_moments()[0].to_host(), ref_w.m, 1e-5, 1e-9, "first moment");
      testing::check_close(adam.second_moments()[1].to_host(), ref_b.v, 1e-5, 1e-15, "second moment");
    }
    CHECK(adam.step_counts() == std::vector<int64_t>{3, 3});
  }
}

TEST_CASE("Adam skips parameters without a gradient, their step count included") {
  Parameter a{"a", Tensor::full({4}, 1.0f)}, b{"b", Tensor::full({2}, 1.0f)};
  a.value.set_requires_grad(true);
  b.value.set_requires_grad(true);
  Adam adam({&a, &b}, {});
  testing::set_gradient(a.value, {1, -1, 1, -1});
  adam.step();
  CHECK(adam.step_counts() == std::vector<int64_t>{1, 0});
  CHECK(b.value.to_host() == std::vector<float>{1.0f, 1.0f});
  // The first step moves every weight by lr against the sign of its gradient.
  testing::check_close(a.value.to_host(), {0.999, 1.001, 0.999, 1.001}, 0, 1e-7, "first step");
  adam.zero_grad();
  CHECK_FALSE(a.value.grad().defined());
  adam.set_step_counts({5, 2});
  CHECK(adam.step_counts() == std::vector<int64_t>{5, 2});
  CHECK_THROWS_WITH_AS(adam.set_step_counts({1}), doctest::Contains("1 counts for 2 parameters"), medrepro::Error);
}

TEST_CASE("Adam converges to the optimum of a convex quadratic") {
  // f(w) = sum_i a_i (w_i - c_i)^2, minimised at w = c; with coupled L2 decay lambda the
  // minimum of f + lambda / 2 |w|^2 is at w = 2 a c / (2 a + lambda).
  const std::vector<float> a_values{0.5f, 1.0f, 2.0f, 4.0f, 8.0f}, c_values{1.0f, -2.0f, 0.5f, 3.0f, -0.25f};
  const Tensor a = Tensor::from_host({5}, a_values);
  std::vector<float> minus_c;
  for (float c : c_values) minus_c.push_back(-c);
  const Tensor negative_c = Tensor::from_host({5}, minus_c);

  for (float decay : {0.0f, 0.5f}) {
    CAPTURE(decay);
    Parameter w{"w", Tensor::zeros({5})};
    w.value.set_requires_grad(true);
    AdamOptions options;
    options.learning_rate = 0.05f;
    options.weight_decay = decay;
    Adam adam({&w}, options);
    for (int step = 0; step < 600; ++step) {
      if (step == 400) adam.set_learning_rate(0.005f);
      adam.zero_grad();
      const Tensor d = medrepro::add(w.value, negative_c);
      const Tensor loss = medrepro::sum(medrepro::mul(a, medrepro::mul(d, d)), 0, true);
      loss.backward();
      adam.step();
    }
    std::vector<double> optimum;
    for (size_t i = 0; i < 5; ++i) {
      optimum.push_back(2.0 * a_values[i] * c_values[i] / (2.0 * a_values[i] + decay));
    }
    testing::check_close(w.value.to_host(), optimum, 0, 2e-3, "optimum");
  }
}

TEST_CASE("ReduceLROnPlateau follows PyTorch step by step (min, relative, cooldown, min_lr)") {
  medrepro::PlateauOptions options;
  options.factor = 0.5;
  options.patience = 2;
  options.threshold = 0.1;
  options.cooldown = 1;
  options.min_lr = 0.2;
  medrepro::ReduceLROnPlateau plateau(1.0, options);
  struct Expect {
    double metric, rate;
    bool reduced;
  };
  const std::vector<Expect> sequence{
      {10.0, 1.0, false},  // first metric: the best so far
      {9.5, 1.0, false},   // not below 10 * 0.9: bad epoch 1
      {8.9, 1.0, false},   // below 9: new best, bad epochs reset
      {8.9, 1.0, false},  {8.9, 1.0, false},
      {8.9, 0.5, true},    // bad epoch 3 > patience 2: halve, cooldown 1
      {8.9, 0.5, false},   // in cooldown: the bad epoch does not count
      {8.9, 0.5, false},  {8.9, 0.5, false}, {8.9, 0.25, true},
      {8.9, 0.25, false}, {8.9, 0.25, false}, {8.9, 0.25, false},
      {8.9, 0.2, true},    // 0.125 would fall below min_lr 0.2
      {8.9, 0.2, false},  {8.9, 0.2, false}, {8.9, 0.2, false},
      {8.9, 0.2, false},   // already at min_lr: nothing changes
  };
  for (size_t epoch = 0; epoch < sequence.size(); ++epoch) {
    CAPTURE(epoch);
    CHECK(plateau.step(sequence[epoch].metric) == doctest::Approx(sequence[epoch].rate).epsilon(1e-12));
    CHECK(plateau.reduced_last_step() == sequence[epoch].reduced);
  }
  CHECK(plateau.state().best == 8.9);
  CHECK(plateau.state().epochs == int64_t(sequence.size()));
}

TEST_CASE("ReduceLROnPlateau in max mode with an absolute threshold, and NaN metrics") {
  medrepro::PlateauOptions options;
  options.mode = medrepro::MetricMode::Max;
  options.threshold_mode = medrepro::ThresholdMode::Absolute;
  options.threshold = 0.05;
  options.patience = 0;
  medrepro::ReduceLROnPlateau plateau(1e-3, options);
  CHECK(plateau.step(0.5) == doctest::Approx(1e-3));
  CHECK(plateau.step(0.54) == doctest::Approx(1e-4));  // not above 0.55: bad, patience 0
  CHECK(plateau.step(0.6) == doctest::Approx(1e-4));   // new best
  CHECK(plateau.step(std::numeric_limits<double>::quiet_NaN()) == doctest::Approx(1e-5));  // NaN is never better
  const auto saved = plateau.state();
  medrepro::ReduceLROnPlateau resumed(1.0, options);
  resumed.restore(saved);
  CHECK(resumed.learning_rate() == doctest::Approx(1e-5));
  CHECK(resumed.step(0.7) == doctest::Approx(1e-5));
  CHECK(resumed.state().best == 0.7);
  CHECK_THROWS_AS(medrepro::ReduceLROnPlateau(1.0, {medrepro::MetricMode::Min, 1.5}), medrepro::Error);
}

TEST_CASE("EarlyStopping step by step") {
  medrepro::EarlyStopping stopping({medrepro::MetricMode::Min, 3, 0.01});
  struct Expect {
    double metric;
    bool improved, stop;
    int64_t best_epoch;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Expect> sequence{
      {1.0, true, false, 0},     // the first metric always improves
      {0.995, false, false, 0},  // not below 1.0 - 0.01
      {0.98, true, false, 2},    // improvement resets the count
      {0.99, false, false, 2},  {nan, false, false, 2},
      {0.975, false, true, 2},   // third epoch without improvement: stop
  };
  for (size_t epoch = 0; epoch < sequence.size(); ++epoch) {
    CAPTURE(epoch);
    CHECK(stopping.step(sequence[epoch].metric) == sequence[epoch].stop);
    CHECK(stopping.improved() == sequence[epoch].improved);
    CHECK(stopping.best_epoch() == sequence[epoch].best_epoch);
  }
  CHECK(stopping.should_stop());
  CHECK(stopping.best() == 0.98);

  // Pereira et al.: patience 8 on a validation metric to maximise.
  medrepro::EarlyStopping pereira({medrepro::MetricMode::Max, 8, 0.0});
  CHECK_FALSE(pereira.step(0.70));
  CHECK_FALSE(pereira.step(0.75));
  for (int epoch = 0; epoch < 7; ++epoch) CHECK_FALSE(pereira.step(0.75));  // equal is not better
  CHECK(pereira.step(0.74));
  CHECK(pereira.best_epoch() == 1);
  CHECK(pereira.bad_epochs() == 8);
  CHECK_THROWS_AS(medrepro::EarlyStopping({medrepro::MetricMode::Min, 0, 0.0}), medrepro::Error);
}
