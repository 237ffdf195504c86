#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "core/kernels.h"
#include "core/ops/elementwise.h"
#include "core/ops/pool2d.h"
#include "testing.h"

using medrepro::Pool2dOptions;
using medrepro::Shape;
using medrepro::Tensor;

namespace {

// Caffe's output size (PoolingLayer::Reshape), with PyTorch's extension of the
// "last window starts inside the image or padding" rule to pad == 0.
int64_t reference_size(int64_t input, int kernel, int stride, int pad, bool ceil_mode) {
  const double span = double(input + 2 * pad - kernel) / stride;
  int64_t out = int64_t(ceil_mode ? std::ceil(span) : std::floor(span)) + 1;
  if ((out - 1) * stride >= input + pad) --out;
  return out;
}

struct Case {
  Shape shape;  // [N, C, H, W]
  Pool2dOptions options;
  std::string name;
};

Shape reference_shape(const Case& c) {
  const auto& o = c.options;
  return {c.shape[0], c.shape[1], reference_size(c.shape[2], o.kernel_h, o.stride_h, o.pad_h, o.ceil_mode),
          reference_size(c.shape[3], o.kernel_w, o.stride_w, o.pad_w, o.ceil_mode)};
}

enum class Kind { Max, Average, L2 };

// Plain-loop Caffe MAX and AVE pooling, and L2-norm pooling, in float64.
std::vector<double> reference_pool(const Case& c, const std::vector<float>& x, Kind kind) {
  const auto& o = c.options;
  const Shape out = reference_shape(c);
  const int64_t planes = c.shape[0] * c.shape[1], H = c.shape[2], W = c.shape[3];
  std::vector<double> y;
  for (int64_t plane = 0; plane < planes; ++plane) {
    for (int64_t oh = 0; oh < out[2]; ++oh) {
      for (int64_t ow = 0; ow < out[3]; ++ow) {
        int64_t hstart = oh * o.stride_h - o.pad_h, wstart = ow * o.stride_w - o.pad_w;
        int64_t hend = std::min<int64_t>(hstart + o.kernel_h, H + o.pad_h);
        int64_t wend = std::min<int64_t>(wstart + o.kernel_w, W + o.pad_w);
        const double pool_size = double((hend - hstart) * (wend - wstart));
        hstart = std::max<int64_t>(hstart, 0);
        wstart = std::max<int64_t>(wstart, 0);
        hend = std::min(hend, H);
        wend = std::min(wend, W);
        double sum = 0, squares = 0, best = -std::numeric_limits<double>::infinity();
        for (int64_t h = hstart; h < hend; ++h) {
          for (int64_t w = wstart; w < wend; ++w) {
            const double v = x[size_t((plane * H + h) * W + w)];
            sum += v;
            squares += v * v;
            best = std::max(best, v);
          }
        }
        y.push_back(kind == Kind::Average ? sum / pool_size : kind == Kind::L2 ? std::sqrt(squares) : best);
      }
    }
  }
  return y;
}

// Distinct values 0.05 apart in random order: no ties for max pooling, and a
// finite-difference step of 0.01 never changes which element wins.
Tensor distinct_tensor(const Shape& shape, uint32_t seed) {
  std::vector<float> values(size_t(medrepro::element_count(shape)));
  std::iota(values.begin(), values.end(), 0.0f);
  std::shuffle(values.begin(), values.end(), std::mt19937(seed));
  for (float& v : values) v = 0.05f * (v - float(values.size()) / 2);
  return Tensor::from_host(shape, values);
}

Pool2dOptions options(int kh, int kw, int sh, int sw, int ph, int pw, bool ceil_mode) {
  return Pool2dOptions{kh, kw, sh, sw, ph, pw, ceil_mode};
}

// Shapes where floor and ceil mode, padding and the last-window rule all matter.
std::vector<Case> forward_cases() {
  using medrepro::pool2d;
  return {
      {{2, 3, 8, 8}, pool2d(3, 2), "8x8 k3 s2 floor"},
      {{2, 3, 8, 8}, pool2d(3, 2, 0, true), "8x8 k3 s2 ceil (extra row)"},
      {{1, 5, 7, 7}, pool2d(3, 2, 0, true), "7x7 k3 s2 ceil, batch 1"},
      {{1, 2, 13, 13}, pool2d(3, 2, 0, true), "13x13 k3 s2 ceil"},
      {{1, 2, 13, 13}, pool2d(2, 2, 0, true), "13x13 k2 s2 ceil (extra row)"},
      {{2, 3, 9, 9}, pool2d(3, 2, 1), "9x9 k3 s2 pad 1 floor"},
      {{2, 3, 5, 5}, pool2d(2, 2, 1, true), "5x5 k2 s2 pad 1 ceil (last window in padding dropped)"},
      {{2, 3, 4, 4}, pool2d(3, 2, 1, true), "4x4 k3 s2 pad 1 ceil (window past the padded border)"},
      {{2, 2, 5, 9}, pool2d(3, 2, 1, true), "5x9 input, k3 s2 pad 1 ceil"},
      {{1, 3, 5, 9}, options(3, 2, 1, 2, 1, 0, true), "5x9 input, kernel 3x2 stride 1x2 pad 1x0 ceil"},
      {{2, 3, 5, 7}, pool2d(1, 1), "kernel 1 stride 1"},
      {{3, 7, 11, 6}, pool2d(3, 3, 0, true), "7 channels, 11x6, k3 s3 ceil"},
      {{1, 2, 5, 5}, pool2d(1, 3, 0, true), "stride > kernel, ceil"},
  };
}

// Small versions for the finite-difference checks (a few hundred elements at most).
std::vector<Case> gradient_cases() {
  using medrepro::pool2d;
  return {
      {{1, 2, 8, 8}, pool2d(3, 2, 0, true), "8x8 k3 s2 ceil"},
      {{1, 1, 7, 7}, pool2d(3, 2), "7x7 k3 s2 floor"},
      {{1, 1, 13, 13}, pool2d(2, 2, 0, true), "13x13 k2 s2 ceil"},
      {{2, 1, 5, 5}, pool2d(2, 2, 1, true), "5x5 k2 s2 pad 1 ceil"},
      {{1, 2, 4, 4}, pool2d(3, 2, 1, true), "4x4 k3 s2 pad 1 ceil"},
      {{1, 3, 5, 9}, options(3, 2, 1, 2, 1, 0, true), "5x9, kernel 3x2 stride 1x2 pad 1x0 ceil"},
      {{2, 3, 3, 5}, pool2d(1, 1), "kernel 1 stride 1"},
      {{1, 5, 6, 5}, pool2d(3, 1, 1), "5 channels, k3 s1 pad 1 (heavy overlap)"},
  };
}

}  // namespace

TEST_CASE("pool2d output sizes follow Caffe") {
  using medrepro::pool2d_output_size;
  CHECK(pool2d_output_size(8, 3, 2, 0, false) == 3);
  CHECK(pool2d_output_size(8, 3, 2, 0, true) == 4);
  CHECK(pool2d_output_size(7, 3, 2, 0, true) == 3);
  CHECK(pool2d_output_size(13, 2, 2, 0, false) == 6);
  CHECK(pool2d_output_size(13, 2, 2, 0, true) == 7);
  CHECK(pool2d_output_size(112, 3, 2, 1, false) == 56);  // ResNet stem
  CHECK(pool2d_output_size(112, 3, 2, 0, true) == 56);   // GoogLeNet (Caffe)
  CHECK(pool2d_output_size(14, 3, 2, 0, true) == 7);
  CHECK(pool2d_output_size(5, 2, 2, 1, true) == 3);  // 4 before the last-window rule
  CHECK(pool2d_output_size(4, 3, 2, 1, true) == 3);
  CHECK(pool2d_output_size(5, 1, 3, 0, true) == 2);  // a third window would start past the image
  for (const Case& c : forward_cases()) {
    CAPTURE(c.name);
    CHECK(medrepro::max_pool2d(Tensor::zeros(c.shape), c.options).shape() == reference_shape(c));
  }
}

TEST_CASE("max_pool2d and avg_pool2d forward against float64") {
  uint32_t seed = 100;
  for (const Case& c : forward_cases()) {
    CAPTURE(c.name);
    const std::vector<float> values = testing::random_values(size_t(medrepro::element_count(c.shape)), ++seed);
    Tensor x = Tensor::from_host(c.shape, values);
    Tensor max = medrepro::max_pool2d(x, c.options);
    Tensor avg = medrepro::avg_pool2d(x, c.options);
    REQUIRE(max.shape() == reference_shape(c));
    REQUIRE(avg.shape() == reference_shape(c));
    testing::check_close(max.to_host(), reference_pool(c, values, Kind::Max), 0, 0, "max_pool2d " + c.name);
    testing::check_close(avg.to_host(), reference_pool(c, values, Kind::Average), 1e-6, 1e-7, "avg_pool2d " + c.name);
    const medrepro::ForceStorageReads storage_reads;
    testing::check_close(medrepro::max_pool2d(x, c.options).to_host(), reference_pool(c, values, Kind::Max), 0, 0,
                         "max_pool2d (storage reads) " + c.name);
  }
}

TEST_CASE("max_pool2d backward against finite differences") {
  uint32_t seed = 200;
  for (const Case& c : gradient_cases()) {
    CAPTURE(c.name);
    const Pool2dOptions o = c.options;
    testing::check_gradients([o](const auto& in) { return medrepro::max_pool2d(in[0], o); },
                             {distinct_tensor(c.shape, ++seed)});
  }
  {
    // The storage-buffer fallback of the texel-reading kernels, forward and backward.
    const medrepro::ForceStorageReads storage_reads;
    for (const Case& c : gradient_cases()) {
      CAPTURE(c.name);
      const Pool2dOptions o = c.options;
      testing::check_gradients([o](const auto& in) { return medrepro::max_pool2d(in[0], o); },
                               {distinct_tensor(c.shape, ++seed)});
    }
  }
  // Two uses of one input: the second backward accumulates (beta = 1).
  const Pool2dOptions o = medrepro::pool2d(3, 2, 1, true);
  testing::check_gradients(
      [o](const auto& in) { return medrepro::add(medrepro::max_pool2d(in[0], o), medrepro::max_pool2d(in[0], o)); },
      {distinct_tensor({1, 2, 5, 6}, 7)});
}

TEST_CASE("avg_pool2d backward against finite differences") {
  uint32_t seed = 300;
  for (const Case& c : gradient_cases()) {
    CAPTURE(c.name);
    const Pool2dOptions o = c.options;
    testing::check_gradients([o](const auto& in) { return medrepro::avg_pool2d(in[0], o); },
                             {testing::random_tensor(c.shape, ++seed)});
  }
  const Pool2dOptions o = medrepro::pool2d(3, 2, 1, true);
  testing::check_gradients(
      [o](const auto& in) { return medrepro::add(medrepro::avg_pool2d(in[0], o), medrepro::avg_pool2d(in[0], o)); },
      {testing::random_tensor({1, 2, 5, 6}, 8)});
}

TEST_CASE("l2_pool2d forward against float64, backward against finite differences") {
  uint32_t seed = 400;
  for (const Case& c : forward_cases()) {
    const auto values = testing::random_values(size_t(medrepro::element_count(c.shape)), ++seed);
    const Tensor y = medrepro::l2_pool2d(Tensor::from_host(c.shape, values), c.options);
    REQUIRE_MESSAGE(y.shape() == reference_shape(c), c.name);
    testing::check_close(y.to_host(), reference_pool(c, values, Kind::L2), 1e-6, 1e-7, "l2_pool2d " + c.name);
  }
  // Values at least 0.05 from 0: a 1x1 window's norm |x| has a kink there.
  auto clear_of_zero = [](const Shape& shape, uint32_t value_seed) {
    std::vector<float> values = testing::random_values(size_t(medrepro::element_count(shape)), value_seed);
    for (float& v : values) v = v < 0 ? v - 0.05f : v + 0.05f;
    return Tensor::from_host(shape, values);
  };
  for (const Case& c : gradient_cases()) {
    CAPTURE(c.name);
    const Pool2dOptions o = c.options;
    testing::check_gradients([o](const auto& in) { return medrepro::l2_pool2d(in[0], o); },
                             {clear_of_zero(c.shape, ++seed)});
  }
  const Pool2dOptions o = medrepro::pool2d(3, 2, 1, true);
  testing::check_gradients(
      [o](const auto& in) { return medrepro::add(medrepro::l2_pool2d(in[0], o), medrepro::l2_pool2d(in[0], o)); },
      {testing::random_tensor({1, 2, 5, 6}, 9)});
}

TEST_CASE("l2_pool2d: a window of zeros has norm 0 and passes gradient 0, not NaN") {
  std::vector<float> values(16, 0.0f);
  values[15] = 3.0f;  // only the last 2x2 window is non-zero
  Tensor x = Tensor::from_host({1, 1, 4, 4}, values);
  x.set_requires_grad(true);
  const Tensor y = medrepro::l2_pool2d(x, medrepro::pool2d(2, 2));
  CHECK(y.to_host() == std::vector<float>{0, 0, 0, 3});
  y.backward(Tensor::full({1, 1, 2, 2}, 1.0f));
  std::vector<float> expected(16, 0.0f);
  expected[15] = 1.0f;
  CHECK(x.grad().to_host() == expected);
}

TEST_CASE("max_pool2d ties and NaN") {
  // Ties go to the first element of the window; NaN propagates.
  Tensor x = Tensor::full({1, 1, 2, 2}, 1.0f);
  x.set_requires_grad();
  Tensor y = medrepro::max_pool2d(x, medrepro::pool2d(2, 2));
  y.backward(Tensor::full({1, 1, 1, 1}, 3.0f));
  testing::check_close(x.grad().to_host(), {3, 0, 0, 0}, 0, 0, "tie gradient");

  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor with_nan = Tensor::from_host({1, 1, 2, 2}, std::vector<float>{1.0f, nan, 5.0f, 2.0f});
  CHECK(std::isnan(medrepro::max_pool2d(with_nan, medrepro::pool2d(2, 2)).item()));
}

TEST_CASE("global_avg_pool2d forward and backward") {
  for (const Shape& shape : {Shape{1, 5, 1, 1}, Shape{2, 3, 7, 5}, Shape{3, 2, 4, 1}}) {
    CAPTURE(medrepro::to_string(shape));
    const auto values = testing::random_values(size_t(medrepro::element_count(shape)), 17);
    Tensor x = Tensor::from_host(shape, values);
    const int64_t planes = shape[0] * shape[1], size = shape[2] * shape[3];
    std::vector<double> expected(size_t(planes), 0.0);
    for (int64_t p = 0; p < planes; ++p) {
      for (int64_t k = 0; k < size; ++k) expected[size_t(p)] += values[size_t(p * size + k)];
      expected[size_t(p)] /= double(size);
    }
    Tensor y = medrepro::global_avg_pool2d(x);
    REQUIRE(y.shape() == Shape{shape[0], shape[1]});
    testing::check_close(y.to_host(), expected, 1e-6, 1e-7, "global_avg_pool2d");
    testing::check_gradients([](const auto& in) { return medrepro::global_avg_pool2d(in[0]); }, {x});
  }
  Tensor x = testing::random_tensor({2, 3, 3, 2}, 18);
  testing::check_gradients(
      [](const auto& in) { return medrepro::add(medrepro::global_avg_pool2d(in[0]), medrepro::global_avg_pool2d(in[0])); },
      {x});
}

TEST_CASE("pooling rejects bad shapes and options") {
  using medrepro::Error;
  CHECK_THROWS_WITH_AS(medrepro::max_pool2d(Tensor::zeros({3, 8, 8}), medrepro::pool2d(2, 2)),
                       doctest::Contains("max_pool2d: input must have rank 4, got shape [3, 8, 8]"), Error);
  CHECK_THROWS_WITH_AS(medrepro::avg_pool2d(Tensor::zeros({1, 1, 8, 8}), medrepro::pool2d(2, 2, 2)),
                       doctest::Contains("avg_pool2d: invalid options"), Error);
  CHECK_THROWS_WITH_AS(medrepro::max_pool2d(Tensor::zeros({1, 1, 8, 8}), medrepro::pool2d(3, 0)),
                       doctest::Contains("max_pool2d: invalid options"), Error);
  CHECK_THROWS_WITH_AS(medrepro::max_pool2d(Tensor::zeros({1, 1, 2, 8}), medrepro::pool2d(3, 1)),
                       doctest::Contains("max_pool2d: window larger than the padded input (input [1, 1, 2, 8]"),
                       Error);
  CHECK_THROWS_WITH_AS(medrepro::global_avg_pool2d(Tensor::zeros({2, 3})),
                       doctest::Contains("global_avg_pool2d: input must have rank 4, got shape [2, 3]"), Error);
}
