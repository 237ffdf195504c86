// Smooth L1 against float64 on both sides of beta, its gradient against finite
// differences, the mean loss and refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/ops/regression_loss.h"
#include "testing.h"

using medrepro::Tensor;

TEST_CASE("smooth_l1 forward against float64 for several beta, across the join at |d| = beta") {
  std::vector<float> d = testing::random_values(41, 1, -3.0f, 3.0f);
  for (float v : {0.0f, 0.5f, -0.5f, 1.0f, -1.0f, 0.999f, 1.001f}) d.push_back(v);
  for (float beta : {1.0f, 0.5f, 2.0f}) {
    std::vector<double> expected;
    for (float v : d) {
      const double a = std::abs(double(v));
      expected.push_back(a < beta ? 0.5 * double(v) * v / beta : a - 0.5 * beta);
    }
    const Tensor y = medrepro::smooth_l1(Tensor::from_host({int64_t(d.size())}, d), beta);
    testing::check_close(y.to_host(), expected, 1e-6, 1e-7, "beta " + std::to_string(beta));
  }
}

TEST_CASE("smooth_l1_loss: the mean, and its gradient against finite differences") {
  const std::vector<float> p = testing::random_values(3 * 4, 2, -2.0f, 2.0f), t = testing::random_values(12, 3);
  double expected = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    const double d = double(p[i]) - t[i], a = std::abs(d);
    expected += a < 1.0 ? 0.5 * d * d : a - 0.5;
  }
  const Tensor target = Tensor::from_host({3, 4}, t);
  const Tensor loss = medrepro::smooth_l1_loss(Tensor::from_host({3, 4}, p), target);
  REQUIRE(loss.shape() == medrepro::Shape{1});
  testing::check_close(loss.to_host(), {expected / 12.0}, 1e-6, 1e-7, "mean");
  for (float beta : {1.0f, 0.3f}) {
    testing::check_gradients([target, beta](const auto& in) { return medrepro::smooth_l1_loss(in[0], target, beta); },
                             {testing::random_tensor({3, 4}, 4, -2.0f, 2.0f)});
  }
}

TEST_CASE("smooth_l1 refuses a non-positive beta and mismatched shapes") {
  CHECK_THROWS_WITH_AS(medrepro::smooth_l1(Tensor::zeros({3}), 0.0f), doctest::Contains("beta"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::smooth_l1_loss(Tensor::zeros({3}), Tensor::zeros({4})),
                       doctest::Contains("prediction [3] and target [4]"), medrepro::Error);
}
