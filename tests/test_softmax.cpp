#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/ops/elementwise.h"
#include "core/ops/softmax.h"
#include "testing.h"

using medrepro::Tensor;

namespace {

// Row-wise softmax in float64 with the max subtracted.
std::vector<double> softmax_reference(const std::vector<float>& x, size_t columns) {
  std::vector<double> y(x.size());
  for (size_t base = 0; base < x.size(); base += columns) {
    double row_max = x[base];
    for (size_t j = 0; j < columns; ++j) row_max = std::max(row_max, double(x[base + j]));
    double sum = 0;
    for (size_t j = 0; j < columns; ++j) sum += std::exp(double(x[base + j]) - row_max);
    for (size_t j = 0; j < columns; ++j) y[base + j] = std::exp(double(x[base + j]) - row_max) / sum;
  }
  return y;
}

void check_forward(const medrepro::Shape& shape, uint32_t seed, float spread) {
  CAPTURE(medrepro::to_string(shape));
  const std::vector<float> x =
      testing::random_values(static_cast<size_t>(medrepro::element_count(shape)), seed, -spread, spread);
  const std::vector<float> y = medrepro::softmax(Tensor::from_host(shape, x)).to_host();
  testing::check_close(y, softmax_reference(x, static_cast<size_t>(shape.back())), 1e-5, 1e-7, "softmax");
}

}  // namespace

TEST_CASE("softmax forward against float64") {
  check_forward({5, 7}, 1, 3.0f);
  check_forward({1, 3}, 2, 3.0f);
  check_forward({4, 1}, 3, 3.0f);    // a single class: every row is exactly 1
  check_forward({3, 1013}, 4, 8.0f);  // rows longer than a workgroup, of prime length
  check_forward({2, 3, 5}, 5, 3.0f);  // higher rank: rows of the last axis
  check_forward({70001, 2}, 6, 3.0f);  // more rows than maxComputeWorkGroupCount.x on some devices
}

TEST_CASE("softmax stays finite and exact for large logits") {
  const std::vector<float> x{1000.0f, 999.0f, -1000.0f, 0.0f, 88.0f, 89.0f, 90.0f, -90.0f, -1000.0f, -1001.0f,
                             -999.0f, -1000.0f};
  const std::vector<float> y = medrepro::softmax(Tensor::from_host({3, 4}, x)).to_host();
  for (float v : y) CHECK(std::isfinite(v));
  testing::check_close(y, softmax_reference(x, 4), 1e-5, 1e-30, "large logits");
}

TEST_CASE("softmax backward against finite differences") {
  testing::check_gradients([](const auto& in) { return medrepro::softmax(in[0]); },
                           {testing::random_tensor({2, 5}, 11, -2.0f, 2.0f)});
  testing::check_gradients([](const auto& in) { return medrepro::softmax(in[0]); },
                           {testing::random_tensor({1, 7}, 12, -2.0f, 2.0f)});
  testing::check_gradients([](const auto& in) { return medrepro::softmax(in[0]); },
                           {testing::random_tensor({3, 1}, 13)});
  testing::check_gradients([](const auto& in) { return medrepro::softmax(in[0]); },
                           {testing::random_tensor({2, 97}, 14, -2.0f, 2.0f)});
  // Chained, and the same input used twice (the second backward accumulates into the first).
  testing::check_gradients(
      [](const auto& in) { return medrepro::softmax(medrepro::softmax(in[0]).reshape({5, 3})); },
      {testing::random_tensor({3, 5}, 15, -2.0f, 2.0f)});
  testing::check_gradients(
      [](const auto& in) { return medrepro::add(medrepro::softmax(in[0]), medrepro::softmax(in[0])); },
      {testing::random_tensor({3, 5}, 16, -2.0f, 2.0f)});
}

TEST_CASE("softmax refuses a scalar") {
  CHECK_THROWS_WITH_AS(medrepro::softmax(Tensor::zeros({})), doctest::Contains("softmax: logits must have rank >= 1"),
                       medrepro::Error);
}
