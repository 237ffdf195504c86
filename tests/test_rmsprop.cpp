#include <doctest/doctest.h>

#include <cmath>

#include "core/ops/elementwise.h"
#include "core/ops/shape.h"
#include "core/rmsprop.h"
#include "testing.h"

using medrepro::RmsProp;
using medrepro::RmsPropOptions;
using medrepro::Tensor;
using medrepro::nn::Parameter;

TEST_CASE("RMSProp matches a float64 reference over three steps, with and without weight decay") {
  RmsPropOptions keras;
  keras.learning_rate = 0.01f;
  RmsPropOptions decayed = keras;
  decayed.weight_decay = 0.1f;
  decayed.rho = 0.99f;
  decayed.eps = 1e-3f;  // large enough to matter in the formula
  int which = 0;
  for (const RmsPropOptions& options : {keras, decayed}) {
    CAPTURE(which++);
    const auto w0 = testing::random_values(13, 3);
    Parameter weight{"weight", Tensor::from_host({13}, w0)};
    weight.value.set_requires_grad(true);
    RmsProp rmsprop({&weight}, options);
    std::vector<double> w = testing::to_double(w0), v(13, 0.0);
    for (uint32_t step = 0; step < 3; ++step) {
      const auto grad = testing::random_values(13, 30 + step, -2.0f, 2.0f);
      testing::set_gradient(weight.value, grad);
      rmsprop.step();
      for (size_t i = 0; i < w.size(); ++i) {
        const double g = double(grad[i]) + double(options.weight_decay) * w[i];
        v[i] = double(options.rho) * v[i] + (1 - double(options.rho)) * g * g;
        w[i] -= double(options.learning_rate) * g / (std::sqrt(v[i]) + double(options.eps));
      }
      testing::check_close(weight.value.to_host(), w, 1e-6, 1e-7, "weight");
      testing::check_close(rmsprop.state()[0].second.to_host(), v, 1e-5, 1e-12, "mean square");
    }
  }
}

TEST_CASE("RMSProp with DeepMedic's normalised Nesterov momentum matches a float64 reference over four steps") {
  RmsPropOptions options;
  options.learning_rate = 0.01f;
  options.eps = 1e-4f;
  options.momentum = 0.6f;
  options.weight_decay = 0.05f;
  const auto w0 = testing::random_values(11, 4);
  Parameter weight{"weight", Tensor::from_host({11}, w0)};
  weight.value.set_requires_grad(true);
  RmsProp rmsprop({&weight}, options);
  REQUIRE(rmsprop.state().size() == 2);
  CHECK(rmsprop.state()[1].first == "rmsprop.m.weight");
  std::vector<double> w = testing::to_double(w0), v(11, 0.0), m(11, 0.0);
  const double mu = options.momentum, lr = options.learning_rate;
  for (uint32_t step = 0; step < 4; ++step) {
    const auto grad = testing::random_values(11, 40 + step, -2.0f, 2.0f);
    testing::set_gradient(weight.value, grad);
    rmsprop.step();
    for (size_t i = 0; i < w.size(); ++i) {
      const double g = double(grad[i]) + double(options.weight_decay) * w[i];
      v[i] = double(options.rho) * v[i] + (1 - double(options.rho)) * g * g;
      const double s = (1 - mu) * lr * g / std::sqrt(v[i] + double(options.eps));
      m[i] = mu * m[i] - s;
      w[i] += mu * m[i] - s;
    }
    testing::check_close(weight.value.to_host(), w, 1e-6, 1e-7, "weight");
    testing::check_close(rmsprop.state()[1].second.to_host(), m, 1e-5, 1e-9, "momentum");
  }
  options.momentum = 1.0f;
  CHECK_THROWS_WITH_AS(RmsProp({&weight}, options), doctest::Contains("momentum"), medrepro::Error);
}

TEST_CASE("RMSProp leaves parameters without a gradient alone and converges on a quadratic") {
  Parameter untouched{"untouched", Tensor::full({3}, 1.0f)};
  Parameter w{"w", Tensor::zeros({4})};
  untouched.value.set_requires_grad(true);
  w.value.set_requires_grad(true);
  RmsPropOptions options;
  options.learning_rate = 0.02f;
  RmsProp rmsprop({&untouched, &w}, options);
  const std::vector<float> target{1.0f, -2.0f, 0.5f, 3.0f};
  std::vector<float> minus_target;
  for (float t : target) minus_target.push_back(-t);
  const Tensor negative_target = Tensor::from_host({4}, minus_target);
  for (int step = 0; step < 800; ++step) {
    if (step == 500) rmsprop.set_learning_rate(0.002f);
    rmsprop.zero_grad();
    const Tensor d = medrepro::add(w.value, negative_target);
    medrepro::sum(medrepro::mul(d, d), 0, true).backward();
    rmsprop.step();
  }
  CHECK(untouched.value.to_host() == std::vector<float>{1.0f, 1.0f, 1.0f});
  testing::check_close(w.value.to_host(), testing::to_double(target), 0, 1e-2, "optimum");
}
