// Kernels whose loops grow with the input, at sizes past the loop budget of one
// shader invocation (core/loop_budget.h): lavapipe leaves every loop of an
// invocation after 65,535 back-edges without an error, so each of these returned
// wrong numbers before its launch split the work (or refused it). Each result is
// compared with a float64 reference computed here.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "core/loop_budget.h"
#include "core/ops/gemm.h"
#include "core/ops/pool2d.h"
#include "core/ops/shape.h"
#include "core/ops/softmax.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

// float64 sums of x viewed as [outer, extent, inner] along the middle axis.
std::vector<double> reference_axis_sums(const std::vector<float>& x, int64_t outer, int64_t extent, int64_t inner) {
  std::vector<double> sums(size_t(outer * inner), 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t l = 0; l < extent; ++l)
      for (int64_t k = 0; k < inner; ++k) sums[size_t(o * inner + k)] += x[size_t((o * extent + l) * inner + k)];
  return sums;
}

}  // namespace

TEST_CASE("sum of 20 and 30 million ones is exact: the issue's measurement") {
  for (int64_t n : {20'000'000, 30'000'000}) {
    CAPTURE(n);
    const std::vector<float> result = medrepro::sum(Tensor::full({1, n}, 1.0f), 1).to_host();
    REQUIRE(result.size() == 1);
    CHECK(double(result[0]) == double(n));
  }
}

TEST_CASE("sum_axis_wide: mean along an axis of 20 million, past one workgroup's loop budget") {
  const int64_t n = 20'000'000;
  const std::vector<float> values = testing::random_values(size_t(n), 11, 0.0f, 1.0f);
  const Tensor x = Tensor::from_host({1, n}, values);
  std::vector<double> expected = reference_axis_sums(values, 1, n, 1);
  const std::vector<float> sums = medrepro::sum(x, 1).to_host();
  testing::check_close(sums, expected, 1e-5, 0.0, "sum");
  expected[0] /= double(n);
  testing::check_close(medrepro::mean(x, -1).to_host(), expected, 1e-5, 0.0, "mean");
  CHECK(medrepro::sum(x, 1).to_host() == sums);  // fixed order: the same bits again
}

TEST_CASE("channel_sum: 5 million terms per channel, past one workgroup's loop budget") {
  const int64_t outer = 2, channels = 3, inner = 2'500'000;
  const std::vector<float> values = testing::random_values(size_t(outer * channels * inner), 12);
  const Tensor x = Tensor::from_host({outer, channels, inner}, values);
  std::vector<double> expected(size_t(channels), 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < inner; ++i) expected[size_t(c)] += values[size_t((o * channels + c) * inner + i)];
  const Tensor out = Tensor::empty({channels});
  medrepro::channel_sum(out, x, outer, channels, inner, 0.0f);
  testing::check_close(out.to_host(), expected, 1e-4, 1e-2, "channel sums");
}

TEST_CASE("column_sum: 70,000 rows per channel (one invocation per channel), with beta") {
  const int64_t rows = 70'000, channels = 4;
  const std::vector<float> values = testing::random_values(size_t(rows * channels), 13);
  const Tensor x = Tensor::from_host({rows, channels}, values);
  std::vector<double> expected = reference_axis_sums(values, 1, rows, channels);
  for (double& e : expected) e += 0.5 * 2.0;
  const Tensor out = Tensor::full({channels}, 2.0f);
  medrepro::channel_sum(out, x, rows, channels, 1, 0.5f);
  testing::check_close(out.to_host(), expected, 1e-4, 1e-3, "column sums");
}

namespace {

// float64 C = A * B + beta_c * C for row-major A [m, k], B [k, n].
std::vector<double> reference_product(const std::vector<float>& a, const std::vector<float>& b, int64_t m, int64_t n,
                                      int64_t k) {
  std::vector<double> c(size_t(m * n), 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t l = 0; l < k; ++l)
      for (int64_t j = 0; j < n; ++j) c[size_t(i * n + j)] += double(a[size_t(i * k + l)]) * b[size_t(l * n + j)];
  return c;
}

void check_long_product(int64_t k) {
  const int64_t m = 3, n = 5;
  const std::vector<float> a = testing::random_values(size_t(m * k), 14), b = testing::random_values(size_t(k * n), 15);
  const std::vector<float> bias = {0.25f, -0.5f, 1.0f};
  medrepro::Gemm g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = medrepro::MatrixView::row_major(Tensor::from_host({m, k}, a), k);
  g.b = medrepro::MatrixView::row_major(Tensor::from_host({k, n}, b), n);
  const Tensor c = Tensor::full({m, n}, 1.0f);
  g.c = medrepro::MatrixView::row_major(c, n);
  g.beta = 2.0f;
  g.bias_mode = medrepro::GemmBias::PerRow;
  g.bias = Tensor::from_host({m}, bias);
  medrepro::gemm(g);
  std::vector<double> expected = reference_product(a, b, m, n, k);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) expected[size_t(i * n + j)] += 2.0 + bias[size_t(i)];
  testing::check_close(c.to_host(), expected, 1e-4, 2e-3, "C");
}

}  // namespace

TEST_CASE("gemm: k past the loop budget, split into products added to C in turn") {
  // The blocked kernel loops over k / 4: past 65,535 from k = 262,144.
  SUBCASE("blocked kernel, k = 300,000") { check_long_product(300'000); }
  SUBCASE("storage kernel, k = 70,000") {
    const medrepro::GemmTuning saved = medrepro::gemm_tuning();
    medrepro::GemmTuning storage = saved;
    storage.path = medrepro::GemmPath::Storage;
    medrepro::set_gemm_tuning(storage);
    check_long_product(70'000);
    medrepro::set_gemm_tuning(saved);
  }
}

TEST_CASE("global_avg_pool2d: planes of 300 x 300, past one invocation's loop budget") {
  const Shape shape{2, 3, 300, 300};
  const std::vector<float> values = testing::random_values(size_t(medrepro::element_count(shape)), 16);
  std::vector<double> expected = reference_axis_sums(values, 6, 300 * 300, 1);
  for (double& e : expected) e /= 300.0 * 300.0;
  testing::check_close(medrepro::global_avg_pool2d(Tensor::from_host(shape, values)).to_host(), expected, 1e-4, 1e-6,
                       "means");
}

TEST_CASE("kernels that cannot split their loops refuse inputs past the budget instead of returning wrong numbers") {
  SUBCASE("softmax over 1.5 million classes") {
    CHECK_THROWS_AS(medrepro::softmax(Tensor::full({1, 1'500'000}, 0.0f)), medrepro::DeviceLimitExceeded);
  }
  SUBCASE("avg_pool2d with a 300 x 300 window") {
    const Tensor x = Tensor::full({1, 1, 300, 300}, 1.0f);
    CHECK_THROWS_AS(medrepro::avg_pool2d(x, medrepro::pool2d(300, 1, 0)), medrepro::DeviceLimitExceeded);
  }
}
