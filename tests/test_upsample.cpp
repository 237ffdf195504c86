#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "core/ops/elementwise.h"
#include "core/ops/upsample.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;
using medrepro::UpsampleMode;

namespace {

struct Tap {
  int64_t index;
  double weight;
};

// The input taps of output o along one axis, PyTorch's align_corners = false rule.
std::vector<Tap> taps(UpsampleMode mode, int64_t o, int factor, int64_t size) {
  if (mode == UpsampleMode::Nearest) return {{o / factor, 1.0}};
  const double src = std::max((double(o) + 0.5) / factor - 0.5, 0.0);
  const int64_t i0 = std::min(int64_t(std::floor(src)), size - 1), i1 = std::min(i0 + 1, size - 1);
  const double lambda = src - double(i0);
  return {{i0, 1.0 - lambda}, {i1, lambda}};
}

// Upsampling by the definition in float64; a 4-D shape is a volume of depth 1.
std::vector<double> reference(const Shape& shape, const std::vector<float>& x, std::vector<int> factors,
                              UpsampleMode mode) {
  Shape s = shape;
  if (s.size() == 4) {
    s.insert(s.begin() + 2, 1);
    factors.insert(factors.begin(), 1);
  }
  std::vector<double> out;
  for (int64_t plane = 0; plane < s[0] * s[1]; ++plane)
    for (int64_t od = 0; od < s[2] * factors[0]; ++od)
      for (int64_t oh = 0; oh < s[3] * factors[1]; ++oh)
        for (int64_t ow = 0; ow < s[4] * factors[2]; ++ow) {
          double sum = 0;
          for (const Tap& d : taps(mode, od, factors[0], s[2]))
            for (const Tap& h : taps(mode, oh, factors[1], s[3]))
              for (const Tap& w : taps(mode, ow, factors[2], s[4]))
                sum += d.weight * h.weight * w.weight *
                       x[size_t(((plane * s[2] + d.index) * s[3] + h.index) * s[4] + w.index)];
          out.push_back(sum);
        }
  return out;
}

std::string name(const Shape& shape, const std::vector<int>& factors, UpsampleMode mode) {
  std::string text = medrepro::to_string(shape) + (mode == UpsampleMode::Nearest ? " nearest" : " linear") + " by ";
  for (size_t i = 0; i < factors.size(); ++i) {
    if (i) text += 'x';
    text += std::to_string(factors[i]);
  }
  return text;
}

struct UpsampleCase {
  Shape shape;
  std::vector<int> factors;
};

}  // namespace

TEST_CASE("upsample matches PyTorch's bilinear align_corners=false result") {
  const Tensor x = Tensor::from_host({1, 1, 2, 2}, std::vector<float>{1, 2, 3, 4});
  const std::vector<double> torch{1.0, 1.25, 1.75, 2.0, 1.5, 1.75, 2.25, 2.5,
                                  2.5, 2.75, 3.25, 3.5, 3.0, 3.25, 3.75, 4.0};
  testing::check_close(medrepro::upsample(x, {2, 2}, UpsampleMode::Linear).to_host(), torch, 0, 1e-7, "bilinear");
  const std::vector<double> nearest{1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
  testing::check_close(medrepro::upsample(x, {2, 2}, UpsampleMode::Nearest).to_host(), nearest, 0, 0, "nearest");
}

TEST_CASE("upsample forward against float64, 4-D and 5-D") {
  const UpsampleCase cases[] = {
      {{1, 3, 3, 5}, {2, 2}},        {{2, 2, 4, 3}, {3, 1}},        {{1, 1, 1, 1}, {2, 3}},
      {{1, 2, 3, 4, 5}, {2, 2, 2}},  {{2, 3, 1, 2, 3}, {3, 2, 1}},  {{1, 5, 4, 1, 3}, {1, 4, 3}},
      {{1, 1, 2, 2, 2}, {1, 1, 1}},
      // Output rows a multiple of 4 (nearest writes four per invocation), a quad spanning inputs.
      {{2, 3, 5, 4}, {1, 3}},        {{1, 2, 3, 2, 6}, {2, 1, 2}},  {{1, 1, 1, 1, 1}, {1, 1, 4}},
  };
  uint32_t seed = 1;
  for (const UpsampleCase& c : cases) {
    const auto x = testing::random_values(size_t(medrepro::element_count(c.shape)), seed++);
    for (UpsampleMode mode : {UpsampleMode::Nearest, UpsampleMode::Linear}) {
      const std::string what = name(c.shape, c.factors, mode);
      const Tensor y = medrepro::upsample(Tensor::from_host(c.shape, x), c.factors, mode);
      Shape expected_shape = c.shape;
      for (size_t axis = 0; axis < c.factors.size(); ++axis) expected_shape[2 + axis] *= c.factors[axis];
      REQUIRE_MESSAGE(y.shape() == expected_shape, what);
      testing::check_close(y.to_host(), reference(c.shape, x, c.factors, mode), 1e-6, 1e-6, what);
    }
  }
}

TEST_CASE("upsample backward against finite differences") {
  const UpsampleCase cases[] = {
      {{1, 2, 3, 5}, {2, 3}},
      {{1, 3, 3, 4, 5}, {2, 2, 2}},
      {{2, 1, 2, 1, 3}, {3, 2, 1}},
      {{1, 2, 1, 2, 2}, {2, 1, 3}},
  };
  uint32_t seed = 50;
  for (const UpsampleCase& c : cases) {
    for (UpsampleMode mode : {UpsampleMode::Nearest, UpsampleMode::Linear}) {
      INFO(name(c.shape, c.factors, mode));
      const std::vector<int> factors = c.factors;
      testing::check_gradients([factors, mode](const auto& in) { return medrepro::upsample(in[0], factors, mode); },
                               {testing::random_tensor(c.shape, seed++)});
    }
  }
  // Used twice: the second backward adds to the first's gradient.
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::add(medrepro::upsample(in[0], {2, 3, 2}, UpsampleMode::Linear),
                             medrepro::upsample(in[0], {2, 3, 2}, UpsampleMode::Nearest));
      },
      {testing::random_tensor({1, 2, 2, 3, 2}, 70)});
}

TEST_CASE("upsample rejects bad shapes and factors naming the op") {
  CHECK_THROWS_WITH_AS(medrepro::upsample(Tensor::zeros({2, 3, 4}), {2}, UpsampleMode::Nearest),
                       doctest::Contains("upsample (nearest): input must be [N, C, H, W] or [N, C, D, H, W], got "
                                         "shape [2, 3, 4]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::upsample(Tensor::zeros({1, 2, 3, 4, 5}), {2, 2}, UpsampleMode::Linear),
                       doctest::Contains("upsample (linear): input [1, 2, 3, 4, 5] needs 3 factors, got 2 (2x2)"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::upsample(Tensor::zeros({1, 2, 3, 4}), {2, 0}, UpsampleMode::Linear),
                       doctest::Contains("upsample (linear): factors 2x0 must be >= 1"), medrepro::Error);
}
