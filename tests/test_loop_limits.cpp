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
#include "core/ops/conv2d.h"
#include "core/ops/conv3d.h"
#include "core/ops/gemm.h"
#include "core/ops/lrn.h"
#include "core/ops/pool2d.h"
#include "core/ops/pool3d.h"
#include "core/ops/shape.h"
#include "core/ops/softmax.h"
#include "core/ops/upsample.h"
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

TEST_CASE("conv3d's slab path has no loop over an output row: rows of 40,000 give exact results both ways") {
  // Forward and data gradient (a convolution of dy with the flipped kernel) both unfold depth slabs.
  const int64_t width = 40'000;
  Tensor x = Tensor::full({1, 1, 1, 1, width}, 1.0f);
  x.set_requires_grad();
  const Tensor y = medrepro::conv3d(x, Tensor::full({1, 1, 1, 1, 2}, 1.0f), Tensor());
  CHECK(y.to_host() == std::vector<float>(size_t(width - 1), 2.0f));
  y.backward(Tensor::full(y.shape(), 1.0f));
  std::vector<float> expected(size_t(width), 2.0f);
  expected.front() = expected.back() = 1.0f;
  CHECK(x.grad().to_host() == expected);
}

TEST_CASE("kernels that cannot split their loops refuse inputs past the budget instead of returning wrong numbers") {
  // Each refusal names the kernel whose loops would have been cut short.
  SUBCASE("softmax over 1.5 million classes") {
    CHECK_THROWS_WITH_AS(medrepro::softmax(Tensor::full({1, 1'500'000}, 0.0f)), doctest::Contains("softmax"),
                         medrepro::DeviceLimitExceeded);
  }
  SUBCASE("avg_pool2d with a 300 x 300 window") {
    const Tensor x = Tensor::full({1, 1, 300, 300}, 1.0f);
    CHECK_THROWS_WITH_AS(medrepro::avg_pool2d(x, medrepro::pool2d(300, 1, 0)), doctest::Contains("avg_pool2d"),
                         medrepro::DeviceLimitExceeded);
  }
  SUBCASE("conv2d_im2col with a 200 x 200 kernel") {
    const Tensor x = Tensor::full({1, 1, 200, 200}, 1.0f), weight = Tensor::full({1, 1, 200, 200}, 1.0f);
    CHECK_THROWS_WITH_AS(medrepro::conv2d(x, weight, Tensor()), doctest::Contains("conv2d_im2col"),
                         medrepro::DeviceLimitExceeded);
  }
  // A kernel dilated along depth takes the vol2col path, which loops over an output row.
  SUBCASE("conv3d_vol2col over output rows of 32,799") {
    const Tensor x = Tensor::full({1, 1, 3, 1, 32'800}, 1.0f), weight = Tensor::full({1, 1, 2, 1, 2}, 1.0f);
    CHECK_THROWS_WITH_AS(medrepro::conv3d(x, weight, Tensor(), {{1, 1, 1}, {0, 0, 0}, {2, 1, 1}}),
                         doctest::Contains("conv3d_vol2col"), medrepro::DeviceLimitExceeded);
  }
  // A strided convolution's data gradient is col2vol's, which walks the kernel and the output row per input.
  SUBCASE("conv3d_col2vol: the backward of a 1 x 1 x 2 kernel with stride 2 over rows of 32,001") {
    Tensor x = Tensor::full({1, 1, 1, 1, 32'001}, 1.0f);
    x.set_requires_grad();
    const Tensor y =
        medrepro::conv3d(x, Tensor::full({1, 1, 1, 1, 2}, 1.0f), Tensor(), {{1, 1, 2}, {0, 0, 0}, {1, 1, 1}});
    CHECK_THROWS_WITH_AS(y.backward(Tensor::full(y.shape(), 1.0f)), doctest::Contains("conv3d_col2vol"),
                         medrepro::DeviceLimitExceeded);
  }
  SUBCASE("lrn over 32,769 channels") {
    CHECK_THROWS_WITH_AS(medrepro::local_response_norm(Tensor::full({1, 32'769, 1, 1}, 1.0f)),
                         doctest::Contains("lrn"), medrepro::DeviceLimitExceeded);
  }
  SUBCASE("upsample_backward of upsampling by 1 x 40,000") {
    CHECK_THROWS_WITH_AS(
        medrepro::upsample(Tensor::full({1, 1, 1, 1}, 1.0f), {1, 40'000}, medrepro::UpsampleMode::Nearest),
        doctest::Contains("upsample_backward"), medrepro::DeviceLimitExceeded);
  }
  SUBCASE("max_pool3d and avg_pool3d with a 40 x 40 x 40 window") {
    const Tensor x = Tensor::full({1, 1, 40, 40, 40}, 1.0f);
    CHECK_THROWS_WITH_AS(medrepro::max_pool3d(x, medrepro::pool3d(40, 1)), doctest::Contains("max_pool3d"),
                         medrepro::DeviceLimitExceeded);
    CHECK_THROWS_WITH_AS(medrepro::avg_pool3d(x, medrepro::pool3d(40, 1)), doctest::Contains("avg_pool3d"),
                         medrepro::DeviceLimitExceeded);
  }
  SUBCASE("gemm_reduce: a sum over 32,769 batch entries of k = 16,384, past the cap on slices") {
    // Each entry needs a slice of its own (two do not fit one invocation's loops),
    // and gemm_reduce would loop over more slices than the budget.
    const int64_t k = 16'384;
    medrepro::Gemm g;
    g.m = 1;
    g.n = 1;
    g.k = k;
    g.batch = 32'769;
    g.sum_over_batch = true;
    g.a = medrepro::MatrixView::row_major(Tensor::full({1, k}, 1.0f), k);  // the same A and B for every entry
    g.b = medrepro::MatrixView::row_major(Tensor::full({k, 1}, 1.0f), 1);
    g.c = medrepro::MatrixView::row_major(Tensor::empty({1, 1}), 1);
    CHECK_THROWS_WITH_AS(medrepro::gemm(g), doctest::Contains("gemm_reduce"), medrepro::DeviceLimitExceeded);
  }
}
