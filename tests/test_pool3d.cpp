#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>

#include "core/ops/elementwise.h"
#include "core/ops/pool3d.h"
#include "testing.h"

using medrepro::Pool3dOptions;
using medrepro::Shape;
using medrepro::Tensor;

namespace {

Pool3dOptions options(std::array<int, 3> kernel, std::array<int, 3> stride, std::array<int, 3> padding,
                      bool count_include_pad = true) {
  return {kernel, stride, padding, count_include_pad};
}

std::string name(const Shape& shape, const Pool3dOptions& o) {
  auto triple = [](const std::array<int, 3>& v) {
    return std::to_string(v[0]) + "x" + std::to_string(v[1]) + "x" + std::to_string(v[2]);
  };
  return medrepro::to_string(shape) + " kernel " + triple(o.kernel) + " stride " + triple(o.stride) + " padding " +
         triple(o.padding) + (o.count_include_pad ? "" : " excluding padding");
}

int64_t pooled(int64_t size, int kernel, int stride, int padding) { return (size + 2 * padding - kernel) / stride + 1; }

enum class Kind { Max, Avg };

// Pooling by the definition in float64, window by window.
std::vector<double> reference(Kind kind, const Shape& s, const std::vector<float>& x, const Pool3dOptions& o) {
  const int64_t od_count = pooled(s[2], o.kernel[0], o.stride[0], o.padding[0]);
  const int64_t oh_count = pooled(s[3], o.kernel[1], o.stride[1], o.padding[1]);
  const int64_t ow_count = pooled(s[4], o.kernel[2], o.stride[2], o.padding[2]);
  std::vector<double> out;
  for (int64_t plane = 0; plane < s[0] * s[1]; ++plane)
    for (int64_t od = 0; od < od_count; ++od)
      for (int64_t oh = 0; oh < oh_count; ++oh)
        for (int64_t ow = 0; ow < ow_count; ++ow) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int inside = 0;
          for (int kd = 0; kd < o.kernel[0]; ++kd)
            for (int kh = 0; kh < o.kernel[1]; ++kh)
              for (int kw = 0; kw < o.kernel[2]; ++kw) {
                const int64_t d = od * o.stride[0] - o.padding[0] + kd;
                const int64_t h = oh * o.stride[1] - o.padding[1] + kh;
                const int64_t w = ow * o.stride[2] - o.padding[2] + kw;
                if (d < 0 || d >= s[2] || h < 0 || h >= s[3] || w < 0 || w >= s[4]) continue;
                const double v = x[size_t(((plane * s[2] + d) * s[3] + h) * s[4] + w)];
                best = std::max(best, v);
                sum += v;
                ++inside;
              }
          const int window = o.kernel[0] * o.kernel[1] * o.kernel[2];
          out.push_back(kind == Kind::Max ? best : sum / (o.count_include_pad ? window : inside));
        }
  return out;
}

// Distinct values at least 0.05 apart, shuffled: no ties for max pooling, and a
// finite-difference step of 0.01 never changes which element wins.
Tensor distinct_tensor(const Shape& shape, uint32_t seed) {
  std::vector<float> values(size_t(medrepro::element_count(shape)));
  for (size_t i = 0; i < values.size(); ++i) values[i] = 0.05f * float(i) - 2.0f;
  std::shuffle(values.begin(), values.end(), std::mt19937(seed));
  return Tensor::from_host(shape, values);
}

}  // namespace

TEST_CASE("max_pool3d and avg_pool3d forward against float64") {
  const std::pair<Shape, Pool3dOptions> cases[] = {
      {{1, 3, 3, 4, 5}, medrepro::pool3d(2, 2)},                          // floor drops the odd last row
      {{2, 2, 3, 4, 5}, medrepro::pool3d(3, 2, 1)},                       // padding 1, stride 2
      {{1, 5, 5, 4, 7}, options({2, 3, 1}, {1, 2, 1}, {1, 1, 0})},        // per-axis everything
      {{1, 2, 3, 4, 5}, options({3, 3, 3}, {1, 1, 1}, {1, 1, 1}, false)}, // padding excluded from the mean
      {{2, 3, 4, 3, 6}, options({4, 3, 6}, {1, 1, 1}, {0, 0, 0})},        // one window per volume
      {{1, 1, 1, 1, 1}, medrepro::pool3d(1, 1)},
      {{3, 7, 6, 6, 6}, options({3, 2, 3}, {3, 2, 1}, {1, 1, 1}, false)},
  };
  uint32_t seed = 1;
  for (const auto& [shape, o] : cases) {
    INFO(name(shape, o));
    const auto x = testing::random_values(size_t(medrepro::element_count(shape)), seed++);
    const Tensor tx = Tensor::from_host(shape, x);
    testing::check_close(medrepro::max_pool3d(tx, o).to_host(), reference(Kind::Max, shape, x, o), 0, 0, "max");
    testing::check_close(medrepro::avg_pool3d(tx, o).to_host(), reference(Kind::Avg, shape, x, o), 1e-6, 1e-6,
                         "avg");
  }
}

TEST_CASE("max_pool3d and avg_pool3d backward against finite differences") {
  const std::pair<Shape, Pool3dOptions> cases[] = {
      {{1, 2, 3, 4, 5}, medrepro::pool3d(3, 2, 1)},                        // overlapping windows, padding 1
      {{1, 3, 4, 3, 5}, options({2, 1, 3}, {1, 1, 2}, {1, 0, 1})},         // overlap along depth, kernel 1
      {{2, 1, 5, 4, 3}, options({2, 2, 2}, {2, 2, 2}, {0, 0, 0})},         // odd sizes in floor mode
      {{1, 2, 3, 4, 3}, options({3, 3, 3}, {2, 1, 2}, {1, 1, 1}, false)},  // mean over voxels inside only
  };
  uint32_t seed = 20;
  for (const auto& [shape, o] : cases) {
    INFO(name(shape, o));
    const Pool3dOptions pool = o;
    testing::check_gradients([pool](const auto& in) { return medrepro::max_pool3d(in[0], pool); },
                             {distinct_tensor(shape, seed++)});
    testing::check_gradients([pool](const auto& in) { return medrepro::avg_pool3d(in[0], pool); },
                             {testing::random_tensor(shape, seed++)});
    // Used twice: the second backward adds to the first's gradient.
    testing::check_gradients(
        [pool](const auto& in) {
          return medrepro::add(medrepro::max_pool3d(in[0], pool), medrepro::avg_pool3d(in[0], pool));
        },
        {distinct_tensor(shape, seed++)});
  }
}

TEST_CASE("max_pool3d routes a tied window's gradient to its first voxel and propagates NaN") {
  Tensor x = Tensor::full({1, 1, 2, 2, 4}, 1.0f);
  x.set_requires_grad(true);
  Tensor y = medrepro::max_pool3d(x, medrepro::pool3d(2, 2));
  y.backward(Tensor::from_host(y.shape(), std::vector<float>{3.0f, 5.0f}));
  std::vector<double> expected(16, 0.0);
  expected[0] = 3.0;  // (0, 0, 0) opens the first window, (0, 0, 2) the second
  expected[2] = 5.0;
  testing::check_close(x.grad().to_host(), expected, 0, 0, "tied gradient");

  std::vector<float> values(16, 0.0f);
  values[13] = std::numeric_limits<float>::quiet_NaN();  // (1, 1, 1): in the first window
  const std::vector<float> out =
      medrepro::max_pool3d(Tensor::from_host({1, 1, 2, 2, 4}, values), medrepro::pool3d(2, 2)).to_host();
  CHECK(std::isnan(out[0]));
  CHECK(out[1] == 0.0f);
}

TEST_CASE("global_avg_pool3d forward and backward") {
  const Shape shape{2, 3, 3, 4, 5};
  const auto x = testing::random_values(size_t(medrepro::element_count(shape)), 31);
  std::vector<double> expected;
  for (size_t plane = 0; plane < 6; ++plane) {
    double sum = 0;
    for (size_t i = 0; i < 60; ++i) sum += x[plane * 60 + i];
    expected.push_back(sum / 60);
  }
  const Tensor y = medrepro::global_avg_pool3d(Tensor::from_host(shape, x));
  CHECK(y.shape() == Shape{2, 3});
  testing::check_close(y.to_host(), expected, 1e-6, 1e-7, "global average");
  testing::check_gradients([](const auto& in) { return medrepro::global_avg_pool3d(in[0]); },
                           {testing::random_tensor({1, 2, 3, 4, 5}, 32)});
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::add(medrepro::global_avg_pool3d(in[0]), medrepro::global_avg_pool3d(in[0]));
      },
      {testing::random_tensor({1, 3, 2, 1, 3}, 33)});
}

TEST_CASE("pool3d rejects bad shapes and options naming the op") {
  const Tensor x = Tensor::zeros({1, 2, 3, 4, 5});
  CHECK_THROWS_WITH_AS(medrepro::max_pool3d(x, medrepro::pool3d(4, 1)),
                       doctest::Contains("max_pool3d: window larger than the padded input (input [1, 2, 3, 4, 5], "
                                         "kernel 4x4x4"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::avg_pool3d(x, medrepro::pool3d(3, 1, 2)),
                       doctest::Contains("avg_pool3d: invalid options (input [1, 2, 3, 4, 5], kernel 3x3x3, stride "
                                         "1x1x1, padding 2x2x2); need kernel >= 1, stride >= 1, 0 <= padding <= "
                                         "kernel / 2"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::avg_pool3d(x, options({2, 2, 2}, {1, 0, 1}, {0, 0, 0})),
                       doctest::Contains("avg_pool3d: invalid options"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::max_pool3d(Tensor::zeros({2, 3, 4, 5}), medrepro::pool3d(2, 2)),
                       doctest::Contains("max_pool3d: input must have rank 5, got shape [2, 3, 4, 5]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::global_avg_pool3d(Tensor::zeros({2, 3, 4, 5})),
                       doctest::Contains("global_avg_pool3d: input must have rank 5"), medrepro::Error);
}
