#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/device.h"
#include "core/ops/gemm.h"
#include "testing.h"

using medrepro::Gemm;
using medrepro::GemmBias;
using medrepro::GemmPath;
using medrepro::GemmTuning;
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

// Sets a GEMM tuning for a scope, restoring the previous one when it ends (even by an exception).
struct ScopedTuning {
  explicit ScopedTuning(const GemmTuning& tuning) : saved(medrepro::gemm_tuning()) {
    medrepro::set_gemm_tuning(tuning);
  }
  ~ScopedTuning() { medrepro::set_gemm_tuning(saved); }
  ScopedTuning(const ScopedTuning&) = delete;
  ScopedTuning& operator=(const ScopedTuning&) = delete;
  GemmTuning saved;
};

GemmTuning storage_path() {
  GemmTuning t;
  t.path = GemmPath::Storage;
  return t;
}

// C after running g under `tuning`, starting from `c_before` (restored first).
std::vector<float> result_with(const Gemm& g, const GemmTuning& tuning, const std::vector<float>& c_before) {
  ScopedTuning scope(tuning);
  medrepro::copy_into(g.c.tensor, Tensor::from_host(g.c.tensor.shape(), c_before));
  medrepro::gemm(g);
  return g.c.tensor.to_host();
}

// The texel kernel under `tuning` matches float64 and, bit for bit, the storage kernel.
void check_against_storage(const Gemm& g, const GemmTuning& tuning, const std::string& what) {
  const std::vector<float> c_before = g.c.tensor.to_host();
  const std::vector<double> expected = reference(g, c_before);
  const std::vector<float> texel = result_with(g, tuning, c_before);
  testing::check_close(texel, expected, 1e-5, 1e-4, what);
  const std::vector<float> storage = result_with(g, storage_path(), c_before);
  CHECK_MESSAGE(texel == storage, what << ": texel and storage kernels differ");
}

// A k x n (or, transposed, stored n x k) operand view with the given layout inside a
// larger tensor: "aligned" has offset and leading dimension multiples of 4
// (vector reads), "odd" an offset of 1 and an odd leading dimension (scalar reads).
MatrixView operand(int64_t rows, int64_t cols, bool transposed, bool aligned, int64_t batch, uint32_t seed) {
  const int64_t stored_rows = transposed ? cols : rows, stored_cols = transposed ? rows : cols;
  const int64_t lead = aligned ? (stored_cols + 3) / 4 * 4 + 4 : stored_cols + (stored_cols % 2 == 0 ? 1 : 2);
  const int64_t offset = aligned ? 8 : 1;
  const int64_t image = stored_rows * lead + 4;
  MatrixView v = MatrixView::row_major(testing::random_tensor({offset + batch * image}, seed), lead, offset);
  if (batch > 1) v = v.batched(image);
  return transposed ? v.transposed() : v;
}

}  // namespace

TEST_CASE("gemm texel kernel: every way of reading A and B, odd sizes and offsets, equals the storage kernel") {
  GemmTuning no_packing;
  no_packing.pack = false;  // keep the scalar reads of unaligned operands
  // k = 9 and 6 leave a tail of k % 4; m and n are not multiples of the blocks.
  for (auto [m, n, k] : {std::array<int64_t, 3>{13, 22, 9}, {5, 3, 6}, {1, 9, 4}}) {
    for (bool a_transposed : {false, true})
      for (bool a_aligned : {false, true})
        for (bool b_transposed : {false, true})
          for (bool b_aligned : {false, true}) {
            Gemm g;
            g.m = m;
            g.n = n;
            g.k = k;
            g.a = operand(m, k, a_transposed, a_aligned, 1, 61);
            g.b = operand(k, n, b_transposed, b_aligned, 1, 62);
            g.c = MatrixView::row_major(Tensor::full({m + 2, n + 5}, 7.0f), n + 5, n + 5 + 1);
            const std::string label = name(g) + " A " + (a_transposed ? "T" : "N") + (a_aligned ? " aligned" : " odd") +
                                      ", B " + (b_transposed ? "T" : "N") + (b_aligned ? " aligned" : " odd");
            check_against_storage(g, no_packing, label);
            check_against_storage(g, GemmTuning{}, label + ", packed");
            if (a_transposed != b_transposed) continue;  // still covers every read mode with beta and bias
            g.alpha = -2.0f;
            g.beta = 0.5f;
            g.bias = testing::random_tensor({m + n + 3}, 63);
            g.bias_mode = GemmBias::PerColumn;
            g.bias_offset = 3;
            check_against_storage(g, no_packing, label + ", alpha, beta, bias");
          }
  }
}

TEST_CASE("gemm texel kernel: batches, shared and folded A, bias, beta, transposition, every tiling") {
  // A few tilings only: each is a separate pipeline per variant, and compiling
  // them dominates this test's time on CPU drivers without a warm shader cache.
  std::vector<GemmTuning> tunings(1);  // the defaults
  for (auto [tile_m, tile_n, lanes, fold] : {std::array<uint32_t, 4>{4, 4, 8, 0}, {8, 4, 3, 1}, {4, 8, 16, 1}}) {
    GemmTuning t;
    t.tile_m = tile_m;
    t.tile_n = tile_n;
    t.lanes = lanes;
    t.fold_batch = fold != 0;
    t.transpose = fold != 0;  // both on or both off
    tunings.push_back(t);
  }
  for (const GemmTuning& t : tunings) {
    const std::string label = " tiles " + std::to_string(t.tile_m) + "x" + std::to_string(t.tile_n) + " lanes " +
                              std::to_string(t.lanes) + (t.fold_batch ? " fold+transpose" : "");
    Gemm g = plain(7, 12, 9, 3, 71);  // n % 4 = 0: folds with B read along n
    check_against_storage(g, t, "batch 3" + label);
    g.a = g.a.batched(0);  // one A for the batch: folds into columns
    g.bias = testing::random_tensor({12}, 72);
    g.bias_mode = GemmBias::PerRow;
    check_against_storage(g, t, "shared A, per-row bias" + label);
    g.beta = 1.0f;
    g.b = MatrixView::row_major(testing::random_tensor({3, 12, 16}, 73), 16).batched(12 * 16).transposed();
    check_against_storage(g, t, "shared A, B read along k, beta 1" + label);
    // n % 4 != 0 with B read along n (packed, or in place with rows padded to
    // texels): folds with each entry padded to whole texels of columns.
    Gemm padded = plain(37, 13, 9, 3, 75);
    padded.a = padded.a.batched(0);
    check_against_storage(padded, t, "37x13x9 batch 3, shared A, B packed" + label);
    padded.b = operand(9, 13, false, true, 3, 76);
    check_against_storage(padded, t, "37x13x9 batch 3, shared A, B rows padded to texels" + label);
    Gemm thin = plain(37, 5, 8, 4, 74);  // few columns, many rows: transposes
    thin.b = thin.b.batched(0);
    check_against_storage(thin, t, "37x5x8 batch 4, shared B" + label);
  }
}

TEST_CASE("gemm summed over a long batch: slices reduced in a fixed order") {
  // Few outputs and many terms: the batch is split into partial sums.
  for (auto [m, n, k, batch] : {std::array<int64_t, 4>{3, 5, 100, 40}, {9, 13, 300, 16}, {1, 1, 1, 3}}) {
    Gemm g = plain(m, n, k, batch, 81);
    g.sum_over_batch = true;
    g.c = MatrixView::row_major(Tensor::full({m, n}, std::numeric_limits<float>::quiet_NaN()), n);
    check_against_storage(g, GemmTuning{}, "sum over " + name(g));
    g.beta = 1.0f;
    g.alpha = 0.5f;
    g.bias = testing::random_tensor({n}, 82);
    g.bias_mode = GemmBias::PerColumn;
    check_against_storage(g, GemmTuning{}, "sum over " + name(g) + ", alpha, beta, bias");
    const std::vector<float> first = g.c.tensor.to_host();
    medrepro::copy_into(g.c.tensor, Tensor::from_host({m, n}, first));
    medrepro::gemm(g);
    const std::vector<float> once = g.c.tensor.to_host();
    medrepro::copy_into(g.c.tensor, Tensor::from_host({m, n}, first));
    medrepro::gemm(g);
    CHECK_MESSAGE(g.c.tensor.to_host() == once, "sum over " << name(g) << " is not reproducible");
  }
}

TEST_CASE("gemm batches that are one product: one column per entry, or a sum of rank-1 products") {
  for (const GemmTuning& tuning : {GemmTuning{}, storage_path()}) {
    const std::string path = tuning.path == GemmPath::Storage ? " (storage kernel)" : "";
    ScopedTuning scope(tuning);
    // One column per entry with a shared A: convolutions whose output is 1x1.
    Gemm columns = plain(13, 1, 11, 7, 91);
    columns.a = columns.a.batched(0);
    check_gemm(columns, "13x1x11 batch 7, shared A" + path);
    columns.bias = testing::random_tensor({13}, 92);
    columns.bias_mode = GemmBias::PerRow;
    columns.beta = 0.5f;
    columns.c.tensor = testing::random_tensor(columns.c.tensor.shape(), 93);
    check_gemm(columns, "13x1x11 batch 7, shared A, per-row bias, beta" + path);
    columns.bias = testing::random_tensor({1}, 94);  // one value for every entry's single column
    columns.bias_mode = GemmBias::PerColumn;
    check_gemm(columns, "13x1x11 batch 7, shared A, per-column bias, beta" + path);
    // A sum over entries with k = 1: weight gradients of convolutions whose output is 1x1.
    for (int64_t batch : {2, 45}) {
      Gemm rank1 = plain(6, 17, 1, batch, 95);
      rank1.b = MatrixView::row_major(testing::random_tensor({batch * 20}, 97), 17).batched(20);  // gaps between entries
      rank1.sum_over_batch = true;
      rank1.c = MatrixView::row_major(testing::random_tensor({6, 17}, 96), 17);
      check_gemm(rank1, "sum of " + std::to_string(batch) + " rank-1 products" + path);
      rank1.beta = 1.0f;
      rank1.alpha = -2.0f;
      check_gemm(rank1, "sum of " + std::to_string(batch) + " rank-1 products, alpha, beta" + path);
    }
  }
}

TEST_CASE("gemm summed over a batch of short products: one product over batch x k terms") {
  // B's entries lie one after another along k (conv2d's im2row columns); C is
  // large enough that the product need not be split into slices.
  for (const GemmTuning& tuning : {GemmTuning{}, storage_path()}) {
    const std::string path = tuning.path == GemmPath::Storage ? " (storage kernel)" : "";
    ScopedTuning scope(tuning);
    const int64_t m = 67, n = 301, k = 5, batch = 7;
    Gemm g = plain(m, n, k, batch, 101);  // A's entries are not side by side along k: copied there
    g.sum_over_batch = true;
    g.c = MatrixView::row_major(testing::random_tensor({m, n}, 102), n);
    check_gemm(g, "sum over 7 entries of 67x301x5" + path);
    g.beta = 0.5f;
    g.bias = testing::random_tensor({m}, 103);
    g.bias_mode = GemmBias::PerRow;
    check_gemm(g, "sum over 7 entries of 67x301x5, bias, beta" + path);
    // A's entries already side by side along k: element (entry, i, l) at i * batch * k + entry * k + l.
    g.a = MatrixView::row_major(testing::random_tensor({m, batch * k}, 104), batch * k).batched(k);
    check_gemm(g, "sum over 7 entries of 67x301x5, A stacked along k" + path);
  }
}

TEST_CASE("gemm texel kernel loops past a capped grid") {
  const auto& limits = medrepro::Context::get().limits();
  GemmTuning t;
  t.tile_m = 4;
  t.tile_n = 4;
  t.lanes = 1;
  t.transpose = false;
  ScopedTuning scope(t);
  const int64_t wide = int64_t(limits.max_workgroup_count[1]) * 4 + 5;  // column blocks run along y
  check_gemm(plain(1, wide, 1), "1x" + std::to_string(wide) + "x1");
  const int64_t tall = int64_t(limits.max_workgroup_count[0]) * 4 + 7;  // row blocks along x
  check_gemm(plain(tall, 1, 2), std::to_string(tall) + "x1x2");
  const int64_t deep = int64_t(limits.max_workgroup_count[2]) + 3;
  check_gemm(plain(1, 1, 2, deep), "batch " + std::to_string(deep));
  CHECK_THROWS_AS(medrepro::set_gemm_tuning({GemmPath::Auto, 5, 4, 8}), medrepro::Error);
}

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

TEST_CASE("gemm storage kernel is exact for every register tiling, and loops past a capped grid") {
  ScopedTuning storage(storage_path());
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
  // Up to 16384 terms per channel one invocation sums each channel; beyond, a workgroup.
  for (auto [outer, channels, inner] : {std::array<int64_t, 3>{1, 1, 1}, {3, 5, 7}, {2, 3, 1000}, {67, 2, 1},
                                        {5, 131, 1}, {3, 70, 7}, {5, 3, 4001}}) {
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
    {
      ScopedTuning storage(storage_path());
      medrepro::channel_sum(out, tx, outer, channels, inner, 0.0f);
      CHECK_MESSAGE(out.to_host() == first, label << ": texel and storage reads differ");
    }

    Tensor target = Tensor::from_host({channels}, before);
    medrepro::channel_sum(target, tx, outer, channels, inner, 0.5f);
    testing::check_close(target.to_host(), accumulated, 1e-5, 1e-4, label + " beta 0.5");
  }
  CHECK_THROWS_AS(medrepro::channel_sum(Tensor::zeros({3}), Tensor::zeros({2, 4}), 2, 3, 1, 0.0f), medrepro::Error);
}
