// RoI max pooling against a float64 reference written here (torchvision's
// roi_pool rules), its gradient against finite differences, ties, RoIs that
// reach outside the map or name no image, accumulation and refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "core/ops/elementwise.h"
#include "core/ops/roi_pool.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

int round_half_away(double v) { return int(v < 0 ? -std::floor(-v + 0.5) : std::floor(v + 0.5)); }

// The definition in float64, one bin at a time.
std::vector<double> reference(const Shape& shape, const std::vector<float>& x, const std::vector<float>& rois,
                              int64_t pooled_h, int64_t pooled_w, double scale) {
  const int64_t n_images = shape[0], channels = shape[1], height = shape[2], width = shape[3];
  std::vector<double> out;
  for (size_t r = 0; r < rois.size() / 5; ++r) {
    const float* roi = &rois[r * 5];
    const int start_w = round_half_away(roi[1] * scale), start_h = round_half_away(roi[2] * scale);
    const int end_w = round_half_away(roi[3] * scale), end_h = round_half_away(roi[4] * scale);
    const double bin_h = double(std::max(end_h - start_h + 1, 1)) / double(pooled_h);
    const double bin_w = double(std::max(end_w - start_w + 1, 1)) / double(pooled_w);
    const bool valid = roi[0] >= 0 && roi[0] < float(n_images);
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t ph = 0; ph < pooled_h; ++ph) {
        for (int64_t pw = 0; pw < pooled_w; ++pw) {
          auto clip = [](int64_t v, int64_t size) { return std::clamp<int64_t>(v, 0, size); };
          const int64_t h0 = clip(int64_t(std::floor(double(ph) * bin_h)) + start_h, height);
          const int64_t h1 = clip(int64_t(std::ceil(double(ph + 1) * bin_h)) + start_h, height);
          const int64_t w0 = clip(int64_t(std::floor(double(pw) * bin_w)) + start_w, width);
          const int64_t w1 = clip(int64_t(std::ceil(double(pw + 1) * bin_w)) + start_w, width);
          double best = (!valid || h1 <= h0 || w1 <= w0) ? 0.0 : -std::numeric_limits<double>::infinity();
          for (int64_t h = h0; valid && h < h1; ++h) {
            for (int64_t w = w0; w < w1; ++w) {
              best = std::max(best, double(x[size_t(((int64_t(roi[0]) * channels + c) * height + h) * width + w)]));
            }
          }
          out.push_back(best);
        }
      }
    }
  }
  return out;
}

// Distinct values 0.05 apart in a shuffled order, so that finite differences
// (eps 1e-2) never change which cell is a bin's maximum.
std::vector<float> distinct_values(size_t count, uint32_t seed) {
  std::vector<float> values(count);
  const std::vector<float> keys = testing::random_values(count, seed);
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  for (size_t rank = 0; rank < count; ++rank) values[order[rank]] = 0.05f * float(rank) - 1.0f;
  return values;
}

// Batch 2, odd maps; RoIs: inside, half outside the map, reversed corners (1 x 1),
// in image 1, covering the map, and one naming no image (index 2).
const std::vector<float> kRois{0, 1, 1, 7, 9,   0, -3, 2, 4, 20,  1, 6, 5, 2, 1,
                               1, 0, 0, 9, 13,  2, 0, 0, 4, 4,   1, 3.5f, 2.5f, 8, 8};

}  // namespace

TEST_CASE("roi_max_pool forward against float64: bins, clipping, scale, batch index") {
  const Shape shape{2, 3, 7, 5};
  const std::vector<float> x = testing::random_values(size_t(medrepro::element_count(shape)), 1);
  for (const auto& [ph, pw, scale] : std::vector<std::tuple<int64_t, int64_t, float>>{
           {2, 3, 0.5f}, {1, 1, 0.5f}, {3, 2, 1.0f}, {4, 4, 0.25f}}) {
    const std::string what = std::to_string(ph) + "x" + std::to_string(pw) + " bins, scale " + std::to_string(scale);
    const Tensor y =
        medrepro::roi_max_pool(Tensor::from_host(shape, x), Tensor::from_host({6, 5}, kRois), ph, pw, scale);
    REQUIRE_MESSAGE(y.shape() == Shape({6, 3, ph, pw}), what);
    testing::check_close(y.to_host(), reference(shape, x, kRois, ph, pw, scale), 0, 0, what);
  }
}

TEST_CASE("roi_max_pool backward against finite differences, without atomics") {
  const Shape shape{2, 3, 7, 5};
  const Tensor x = Tensor::from_host(shape, distinct_values(size_t(medrepro::element_count(shape)), 2));
  const Tensor rois = Tensor::from_host({6, 5}, kRois);
  for (const auto& [ph, pw] : std::vector<std::pair<int64_t, int64_t>>{{2, 3}, {3, 3}, {1, 2}}) {
    INFO(ph << "x" << pw << " bins");
    testing::check_gradients([rois, ph = ph, pw = pw](const auto& in) {
      return medrepro::roi_max_pool(in[0], rois, ph, pw, 0.5f);
    }, {x});
  }
  // Overlapping RoIs and a second use: each element adds every bin it won, and the two uses add up.
  testing::check_gradients(
      [rois](const auto& in) {
        return medrepro::add(medrepro::roi_max_pool(in[0], rois, 2, 2, 1.0f),
                             medrepro::roi_max_pool(in[0], rois, 2, 2, 1.0f));
      },
      {x});
}

TEST_CASE("roi_max_pool sends a tie's gradient to the first cell in row order") {
  Tensor x = Tensor::full({1, 1, 2, 3}, 4.0f);
  x.set_requires_grad(true);
  medrepro::roi_max_pool(x, Tensor::from_host({1, 5}, std::vector<float>{0, 0, 0, 2, 1}), 1, 1)
      .backward(Tensor::full({1, 1, 1, 1}, 2.0f));
  CHECK(x.grad().to_host() == std::vector<float>{2, 0, 0, 0, 0, 0});
}

TEST_CASE("roi_max_pool refuses shapes it cannot pool, naming them") {
  CHECK_THROWS_WITH_AS(medrepro::roi_max_pool(Tensor::zeros({1, 2, 3}), Tensor::zeros({1, 5}), 2, 2),
                       doctest::Contains("input [1, 2, 3]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::roi_max_pool(Tensor::zeros({1, 2, 3, 3}), Tensor::zeros({2, 4}), 2, 2),
                       doctest::Contains("rois [2, 4]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::roi_max_pool(Tensor::zeros({1, 2, 3, 3}), Tensor::zeros({2, 5}), 0, 2),
                       doctest::Contains("must be positive"), medrepro::Error);
}
