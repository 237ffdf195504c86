#pragma once
// cross_entropy over more rows than one workgroup of its batch reduction may walk
// (core/loop_budget.h), against float64: the loss and the gradient, which divides
// by the reduction's sum of weights. Shared by test_loop_limits_losses.cpp and
// test_long_loop_limits.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/ops/loss.h"
#include "testing.h"

namespace testing {

inline void check_long_cross_entropy(int64_t rows) {
  const int64_t classes = 2;
  const std::vector<float> x = random_values(size_t(rows * classes), 51, -3.0f, 3.0f);
  std::vector<float> targets = random_values(size_t(rows), 52, 0.0f, 2.0f);
  for (float& target : targets) target = std::min(std::floor(target), 1.0f);
  const std::vector<float> weights{1.5f, 0.5f};
  std::vector<double> probability_minus_onehot(x.size());
  double loss_sum = 0, weight_sum = 0;
  for (size_t r = 0; r < size_t(rows); ++r) {
    const size_t target = size_t(targets[r]);
    const double high = std::max<double>(x[2 * r], x[2 * r + 1]);
    const double lse = high + std::log(std::exp(x[2 * r] - high) + std::exp(x[2 * r + 1] - high));
    const double w = weights[target];
    loss_sum += w * (lse - x[2 * r + target]);
    weight_sum += w;
    for (size_t c = 0; c < 2; ++c) {
      probability_minus_onehot[2 * r + c] = w * (std::exp(x[2 * r + c] - lse) - (c == target ? 1.0 : 0.0));
    }
  }
  medrepro::Tensor logits = medrepro::Tensor::from_host({rows, classes}, x);
  logits.set_requires_grad();
  const medrepro::Tensor loss = medrepro::cross_entropy(logits, medrepro::Tensor::from_host({rows}, targets),
                                                        medrepro::Tensor::from_host({classes}, weights));
  loss.backward();
  check_close(loss.to_host(), {loss_sum / weight_sum}, 1e-5, 0.0, "loss");
  std::vector<double> expected_grad(x.size());
  for (size_t i = 0; i < x.size(); ++i) expected_grad[i] = probability_minus_onehot[i] / weight_sum;
  check_close(logits.grad().to_host(), expected_grad, 1e-4, 1e-12, "gradient");
}

}  // namespace testing
