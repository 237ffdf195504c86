#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/device.h"
#include "core/ops/gemm.h"
#include "testing.h"

using medrepro::Gemm;
using medrepro::GemmBias;
using medrepro::MatrixView;
using medrepro::Tensor;

namespace {

// The documented meaning of a Gemm, in float64 plain loops over host copies of
// its tensors; returns the expected contents of the whole C tensor.
std::vector<double> reference(const Gemm& g, const std::vector<float>& c_before) {
  const std::vector<float> a = g.a.tensor.to_host(), b = g.b.tensor.to_host();
  const std::vector<float> bias = g.bias_mode != GemmBias::None ? g.bias.to_host() : std::vector<float>{};
  std::vector<double> c = testing::to_double(c_before);
  auto at = [](const MatrixView& v, int64_t batch, int64_t row, int64_t col) {
    return static_cast<size_t>(v.offset + batch * v.batch_stride + row * v.row_stride + col * v.col_stride);
  };
  const int64_t outputs = g.sum_over_batch ? 1 : g.batch;
  for (int64_t out = 0; out < outputs; ++out) {
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t j = 0; j < g.n; ++j) {
        double sum = 0;
        for (int64_t batch = g.sum_over_batch ? 0 : out; batch < (g.sum_over_batch ? g.batch : out + 1); ++batch) {
          for (int64_t l = 0; l < g.k; ++l) sum += double(a[at(g.a, batch, i, l)]) * b[at(g.b, batch, l, j)];
        }
        double value = g.alpha * sum;
        if (g.bias_mode == GemmBias::PerRow) value += bias[static_cast<size_t>(g.bias_offset + i)];
        if (g.bias_mode == GemmBias::PerColumn) value += bias[static_cast<size_t>(g.bias_offset + j)];
        const size_t index = at(g.c, out, i, j);
        c[index] = g.beta == 0 ? value : value + g.beta * c[index];
      }
    }
  }
  return c;
}

// Runs g on the device and compares all of C (including what it must leave alone).
void check_gemm(const Gemm& g, const std::string& what) {
  const std::vector<float> c_before = g.c.tensor.to_host();
  const std::vector<double> expected = reference(g, c_before);
  medrepro::gemm(g);
  testing::check_close(g.c.tensor.to_host(), expected, 1e-5, 1e-4, what);
}

// A plain batched product of row-major operands: [batch, m, k] x [batch, k, n].
Gemm plain(int64_t m, int64_t n, int64_t k, int64_t batch = 1, uint32_t seed = 1) {
  Gemm g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.batch = batch;
  g.a = MatrixView::row_major(testing::random_tensor({batch, m, k}, seed), k).batched(m * k);
  g.b = MatrixView::row_major(testing::random_tensor({batch, k, n}, seed + 1), n).batched(k * n);
  g.c = MatrixView::row_major(Tensor::full({batch, m, n}, std::numeric_limits<float>::quiet_NaN()), n)
            .batched(m * n);
  return g;
}

std::string name(const Gemm& g) {
  return std::to_string(g.m) + "x" + std::to_string(g.n) + "x" + std::to_string(g.k) + " batch " +
         std::to_string(g.batch);
}

}  // namespace

TEST_CASE("gemm matches float64 at awkward sizes; beta 0 never reads C (NaN-filled)") {
  for (auto [m, n, k] : {std::array<int64_t, 3>{1, 1, 1}, {7, 13, 5}, {64, 33, 129}, {1, 67, 3}, {67, 1, 2},
                         {17, 19, 1}}) {
    check_gemm(plain(m, n, k), name(plain(m, n, k)));
  }
}

TEST_CASE("gemm transposes are strides") {
  const int64_t m = 7, n = 13, k = 5;
  for (bool transpose_a : {false, true}) {
    for (bool transpose_b : {false, true}) {
      Gemm g = plain(m, n, k);
      // A stored as [k, m] and B as [n, k] when transposed.
      if (transpose_a) g.a = MatrixView::row_major(testing::random_tensor({k, m}, 3), m).transposed();
      if (transpose_b) g.b = MatrixView::row_major(testing::random_tensor({n, k}, 4), k).transposed();
      check_gemm(g, "transpose a " + std::to_string(transpose_a) + " b " + std::to_string(transpose_b));
    }
  }
}

TEST_CASE("gemm on sub-matrices with offsets leaves the rest of C alone") {
  // A is rows 2..8, columns 1..5 of a [10, 9] tensor; C a window of a [20, 30] tensor.
  Gemm g;
  g.m = 7;
  g.n = 11;
  g.k = 5;
  g.a = MatrixView::row_major(testing::random_tensor({10, 9}, 5), 9, 2 * 9 + 1);
  g.b = MatrixView{testing::random_tensor({40, 3}, 6), 7, 1, 9, 0};  // column stride 9, row stride 1
  g.c = MatrixView::row_major(testing::random_tensor({20, 30}, 7), 30, 3 * 30 + 4);
  check_gemm(g, "sub-matrices, beta 0");
  g.beta = 1.0f;
  check_gemm(g, "sub-matrices, beta 1");
  g.beta = 0.5f;
  g.alpha = -2.0f;
  check_gemm(g, "sub-matrices, alpha -2, beta 0.5");
}

TEST_CASE("gemm batches, shared operands, bias and beta") {
  Gemm g = plain(7, 13, 5, 3, 11);
  check_gemm(g, "batch 3");
  g.b = g.b.batched(0);  // one B for every batch entry
  check_gemm(g, "batch 3, shared B");

  Tensor bias = testing::random_tensor({20}, 12);
  g.bias = bias;
  g.bias_mode = GemmBias::PerRow;
  g.bias_offset = 2;
  check_gemm(g, "per-row bias");
  g.bias_mode = GemmBias::PerColumn;
  g.bias_offset = 7;
  g.beta = 1.0f;
  check_gemm(g, "per-column bias, beta 1");

  Gemm big = plain(64, 33, 129, 2, 13);
  big.bias = testing::random_tensor({33}, 14);
  big.bias_mode = GemmBias::PerColumn;
  big.alpha = 0.25f;
  check_gemm(big, "64x33x129 batch 2, bias, alpha");
}

TEST_CASE("gemm summed over the batch") {
  for (int64_t batch : {1, 2, 5}) {
    Gemm g = plain(7, 13, 5, batch, 21);
    g.sum_over_batch = true;
    g.c = MatrixView::row_major(Tensor::full({7, 13}, std::numeric_limits<float>::quiet_NaN()), 13);
    check_gemm(g, "sum over batch " + std::to_string(batch));
    g.beta = 1.0f;
    g.bias = testing::random_tensor({7}, 22);
    g.bias_mode = GemmBias::PerRow;
    check_gemm(g, "sum over batch " + std::to_string(batch) + ", beta 1, bias");
  }
}

TEST_CASE("gemm is exact for every register tiling, and loops past a capped grid") {
  const medrepro::GemmTiling saved = medrepro::gemm_tiling();
  for (medrepro::GemmTiling tiling : {medrepro::GemmTiling{1, 1, 1, 1}, {3, 5, 7, 3}, {8, 4, 8, 8}, {2, 7, 32, 1}}) {
    medrepro::set_gemm_tiling(tiling);
    const std::string label = " tiling " + std::to_string(tiling.tile_m) + "x" + std::to_string(tiling.tile_n) +
                              " local " + std::to_string(tiling.local_x) + "x" + std::to_string(tiling.local_y);
    check_gemm(plain(7, 13, 5, 2), "7x13x5" + label);
    check_gemm(plain(31, 37, 3), "31x37x3" + label);
  }
  // One invocation per element: more columns and batch entries than maxComputeWorkGroupCount.
  medrepro::set_gemm_tiling({1, 1, 1, 1});
  const int64_t wide = int64_t(medrepro::Context::get().limits().max_workgroup_count[0]) + 3;
  check_gemm(plain(1, wide, 1), "1x" + std::to_string(wide) + "x1");
  const int64_t deep = int64_t(medrepro::Context::get().limits().max_workgroup_count[2]) + 3;
  check_gemm(plain(1, 1, 2, deep), "batch " + std::to_string(deep));
  medrepro::set_gemm_tiling(saved);
  CHECK_THROWS_AS(medrepro::set_gemm_tiling({0, 4, 16, 4}), medrepro::Error);
}

TEST_CASE("gemm refuses views that leave their tensor") {
  Gemm g = plain(7, 13, 5);
  g.a.offset = 1;
  CHECK_THROWS_WITH_AS(medrepro::gemm(g), doctest::Contains("gemm: operand A view 7x5 at offset 1"), medrepro::Error);
  g = plain(2, 2, 2);
  g.c = MatrixView::row_major(g.a.tensor, 2);
  CHECK_THROWS_WITH_AS(medrepro::gemm(g), doctest::Contains("share storage"), medrepro::Error);
  g = plain(7, 13, 5);
  g.bias_mode = GemmBias::PerRow;
  g.bias = Tensor::zeros({6});
  CHECK_THROWS_WITH_AS(medrepro::gemm(g), doctest::Contains("gemm: bias of shape [6]"), medrepro::Error);
}

TEST_CASE("channel_sum reduces over outer and inner dimensions in a fixed order") {
  for (auto [outer, channels, inner] : {std::array<int64_t, 3>{1, 1, 1}, {3, 5, 7}, {2, 3, 1000}, {67, 2, 1}}) {
    std::vector<float> x = testing::random_values(static_cast<size_t>(outer * channels * inner), 31);
    Tensor tx = Tensor::from_host({outer, channels, inner}, x);
    std::vector<float> before = testing::random_values(static_cast<size_t>(channels), 32);
    std::vector<double> sums(static_cast<size_t>(channels)), accumulated(sums.size());
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t i = 0; i < inner; ++i) sums[size_t(c)] += x[size_t((o * channels + c) * inner + i)];
    for (size_t c = 0; c < sums.size(); ++c) accumulated[c] = sums[c] + 0.5 * before[c];
    const std::string label = std::to_string(outer) + "x" + std::to_string(channels) + "x" + std::to_string(inner);

    Tensor out = Tensor::full({channels}, std::numeric_limits<float>::quiet_NaN());
    medrepro::channel_sum(out, tx, outer, channels, inner, 0.0f);
    const std::vector<float> first = out.to_host();
    testing::check_close(first, sums, 1e-5, 1e-4, label);
    medrepro::channel_sum(out, tx, outer, channels, inner, 0.0f);
    CHECK_MESSAGE(out.to_host() == first, label << " is not reproducible");

    Tensor target = Tensor::from_host({channels}, before);
    medrepro::channel_sum(target, tx, outer, channels, inner, 0.5f);
    testing::check_close(target.to_host(), accumulated, 1e-5, 1e-4, label + " beta 0.5");
  }
  CHECK_THROWS_AS(medrepro::channel_sum(Tensor::zeros({3}), Tensor::zeros({2, 4}), 2, 3, 1, 0.0f), medrepro::Error);
}
