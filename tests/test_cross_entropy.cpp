#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/device.h"
#include "core/ops/elementwise.h"
#include "core/ops/loss.h"
#include "core/stream.h"
#include "testing.h"

using medrepro::Tensor;

namespace {

struct Batch {
  size_t rows, columns;
  std::vector<float> logits, targets, weights;  // weights empty: unweighted
};

Batch make_batch(size_t rows, size_t columns, uint32_t seed, bool weighted, float spread = 3.0f) {
  Batch b{rows, columns, testing::random_values(rows * columns, seed, -spread, spread), {}, {}};
  for (size_t i = 0; i < rows; ++i) b.targets.push_back(float((i * 5 + seed) % columns));
  if (weighted) b.weights = testing::random_values(columns, seed + 1, 0.2f, 3.0f);
  return b;
}

double weight_of(const Batch& b, size_t target) { return b.weights.empty() ? 1.0 : b.weights[target]; }

double log_sum_exp(const Batch& b, size_t row) {
  const float* x = &b.logits[row * b.columns];
  const double row_max = *std::max_element(x, x + b.columns);
  double sum = 0;
  for (size_t j = 0; j < b.columns; ++j) sum += std::exp(x[j] - row_max);
  return row_max + std::log(sum);
}

// PyTorch's mean reduction: sum_i w[y_i] * -log p_i[y_i] / sum_i w[y_i].
double loss_reference(const Batch& b) {
  double loss = 0, total_weight = 0;
  for (size_t i = 0; i < b.rows; ++i) {
    const auto t = static_cast<size_t>(b.targets[i]);
    loss += weight_of(b, t) * (log_sum_exp(b, i) - b.logits[i * b.columns + t]);
    total_weight += weight_of(b, t);
  }
  return loss / total_weight;
}

std::vector<double> gradient_reference(const Batch& b, double dloss) {
  double total_weight = 0;
  for (float t : b.targets) total_weight += weight_of(b, static_cast<size_t>(t));
  std::vector<double> grad(b.logits.size());
  for (size_t i = 0; i < b.rows; ++i) {
    const auto t = static_cast<size_t>(b.targets[i]);
    const double lse = log_sum_exp(b, i);
    for (size_t j = 0; j < b.columns; ++j) {
      const double p = std::exp(b.logits[i * b.columns + j] - lse);
      grad[i * b.columns + j] = (p - (j == t ? 1.0 : 0.0)) * weight_of(b, t) / total_weight * dloss;
    }
  }
  return grad;
}

Tensor logits_of(const Batch& b) {
  return Tensor::from_host({int64_t(b.rows), int64_t(b.columns)}, b.logits);
}
Tensor targets_of(const Batch& b) { return Tensor::from_host({int64_t(b.rows)}, b.targets); }
Tensor weights_of(const Batch& b) {
  return b.weights.empty() ? Tensor() : Tensor::from_host({int64_t(b.columns)}, b.weights);
}

void check_batch(const Batch& b) {
  CAPTURE(b.rows);
  CAPTURE(b.columns);
  CAPTURE(b.weights.size());
  Tensor logits = logits_of(b);
  logits.set_requires_grad(true);
  Tensor loss = medrepro::cross_entropy(logits, targets_of(b), weights_of(b));
  REQUIRE(loss.shape() == medrepro::Shape{1});
  testing::check_close(loss.to_host(), {loss_reference(b)}, 1e-5, 1e-6, "loss");
  // A non-unit incoming gradient: it must be read from the device, not assumed 1.
  loss.backward(Tensor::full({1}, -2.5f));
  testing::check_close(logits.grad().to_host(), gradient_reference(b, -2.5), 1e-4, 1e-6, "gradient");
}

}  // namespace

TEST_CASE("cross_entropy forward and backward against float64 log-sum-exp") {
  for (bool weighted : {false, true}) {
    check_batch(make_batch(1, 2, 1, weighted));
    check_batch(make_batch(1, 7, 2, weighted));
    check_batch(make_batch(5, 2, 3, weighted));
    check_batch(make_batch(6, 7, 4, weighted));
    check_batch(make_batch(3, 1009, 5, weighted));  // rows longer than a workgroup
    check_batch(make_batch(70001, 3, 6, weighted));  // many rows: folded grid, long batch reduction
  }
}

TEST_CASE("cross_entropy backward against finite differences") {
  for (bool weighted : {false, true}) {
    for (auto [rows, columns] : {std::pair<size_t, size_t>{1, 2}, {1, 7}, {3, 2}, {5, 7}}) {
      CAPTURE(rows);
      CAPTURE(columns);
      CAPTURE(weighted);
      const Batch b = make_batch(rows, columns, uint32_t(rows * 10 + columns), weighted);
      const Tensor targets = targets_of(b), weights = weights_of(b);
      testing::check_gradients(
          [&](const auto& in) { return medrepro::cross_entropy(in[0], targets, weights); }, {logits_of(b)});
    }
  }
}

TEST_CASE("cross_entropy with large logits stays finite") {
  Batch b{2, 3, {1000.0f, -1000.0f, 999.0f, -1000.0f, 1000.0f, 0.0f}, {2.0f, 0.0f}, {}};
  Tensor logits = logits_of(b);
  logits.set_requires_grad(true);
  Tensor loss = medrepro::cross_entropy(logits, targets_of(b));
  const float value = loss.item();
  CHECK(std::isfinite(value));
  testing::check_close({value}, {loss_reference(b)}, 1e-5, 1e-6, "loss");
  loss.backward();
  for (float g : logits.grad().to_host()) CHECK(std::isfinite(g));
  testing::check_close(logits.grad().to_host(), gradient_reference(b, 1.0), 1e-5, 1e-7, "gradient");
}

TEST_CASE("cross_entropy runs without a host round trip and is bit-reproducible") {
  const Batch b = make_batch(300, 7, 9, true);
  Tensor logits = logits_of(b), targets = targets_of(b), weights = weights_of(b);
  logits.set_requires_grad(true);
  medrepro::Stream& stream = medrepro::Context::get().stream();
  stream.synchronize();
  const uint64_t waits_before = stream.stats().waits;
  Tensor first = medrepro::cross_entropy(logits, targets, weights);
  first.backward();
  CHECK(stream.stats().waits == waits_before);
  const std::vector<float> first_grad = logits.grad().to_host();
  logits.zero_grad();
  Tensor second = medrepro::cross_entropy(logits, targets, weights);
  second.backward();
  CHECK(first.item() == second.item());
  CHECK(logits.grad().to_host() == first_grad);
}

TEST_CASE("cross_entropy flags targets outside [0, C) with NaN instead of reading out of bounds") {
  for (float bad : {-1.0f, 7.0f, 1e9f, 2.5f}) {
    CAPTURE(bad);
    Batch b = make_batch(4, 7, 3, true);
    b.targets[2] = bad;
    Tensor logits = logits_of(b);
    logits.set_requires_grad(true);
    Tensor loss = medrepro::cross_entropy(logits, targets_of(b), weights_of(b));
    CHECK(std::isnan(loss.item()));
    loss.backward();
    for (float g : logits.grad().to_host()) REQUIRE(std::isnan(g));
  }
}

TEST_CASE("cross_entropy shape errors name both shapes") {
  const Tensor logits = Tensor::zeros({4, 3});
  CHECK_THROWS_WITH_AS(medrepro::cross_entropy(logits, Tensor::zeros({5})),
                       doctest::Contains("cross_entropy: targets [5] do not match logits [4, 3]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::cross_entropy(logits, Tensor::zeros({4}), Tensor::zeros({4})),
                       doctest::Contains("cross_entropy: class_weights [4] do not match logits [4, 3]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::cross_entropy(Tensor::zeros({4}), Tensor::zeros({4})),
                       doctest::Contains("cross_entropy: logits must have rank 2"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::cross_entropy(Tensor::zeros({0, 3}), Tensor::zeros({0})),
                       doctest::Contains("need at least one row and one class"), medrepro::Error);
}
