// Intensity preprocessing on the host: 1-D k-means labels (the THRESHOLD arm of
// Wong et al. 2018) and CLAHE, against hand-worked values and a brute-force reference.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "datasets/clahe.h"
#include "datasets/kmeans.h"
#include "testing.h"

namespace ds = medrepro::datasets;

namespace {

// Lloyd's algorithm written out: assign every value to its nearest centre, average, repeat.
std::vector<double> brute_force_lloyd(const std::vector<float>& values, std::vector<double> centres, int iterations) {
  for (int it = 0; it < iterations; ++it) {
    std::vector<double> sum(centres.size(), 0.0), count(centres.size(), 0.0);
    for (float v : values) {
      size_t best = 0;
      for (size_t c = 1; c < centres.size(); ++c) {
        if (std::abs(double(v) - centres[c]) < std::abs(double(v) - centres[best])) best = c;
      }
      sum[best] += v;
      count[best] += 1;
    }
    for (size_t c = 0; c < centres.size(); ++c) {
      if (count[c] > 0) centres[c] = sum[c] / count[c];
    }
  }
  return centres;
}

}  // namespace

TEST_CASE("kmeans_1d: hand-worked clusters from quantile starts") {
  const std::vector<float> two{0, 0, 0, 1, 2, 10, 11, 12};
  // Distinct values 0 1 2 10 11 12: starts at the 0.25 and 0.75 quantiles, 1 and 11.
  const auto a = ds::kmeans_1d(two, 2);
  CHECK(a.converged);
  CHECK(a.iterations == 1);  // the first update moves no value to another cluster
  CHECK(a.centres[0] == doctest::Approx(0.6));
  CHECK(a.centres[1] == doctest::Approx(11.0));
  const auto b = ds::kmeans_1d(std::vector<float>{21, 1, 7, 2, 20, 3}, 3);  // starts 2, 7, 21
  CHECK(b.centres == std::vector<double>{2.0, 7.0, 20.5});
  CHECK(ds::cluster_labels(std::vector<float>{6.0f, 6.01f, -3, 100}, {1.0, 11.0}) ==
        std::vector<uint8_t>{0, 1, 0, 1});  // halfway goes to the darker cluster
}

TEST_CASE("kmeans_1d equals Lloyd's algorithm written out, on skewed data with a flat background") {
  std::vector<float> values = testing::random_values(3001, 4, 0.0f, 1.0f);
  for (size_t i = 0; i < values.size(); ++i) {
    if (i % 3 == 0) values[i] = 0.0f;  // a background of one value
    else values[i] = values[i] * values[i] * 5.0f;
  }
  const auto clusters = ds::kmeans_1d(values, 5);
  CHECK(clusters.converged);
  std::vector<float> distinct = values;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::vector<double> starts;
  for (int i = 0; i < 5; ++i) starts.push_back(distinct[size_t((i + 0.5) / 5 * double(distinct.size()))]);
  const std::vector<double> reference = brute_force_lloyd(values, starts, clusters.iterations);
  for (size_t c = 0; c < 5; ++c) CHECK(clusters.centres[c] == doctest::Approx(reference[c]).epsilon(1e-12));
  CHECK(std::is_sorted(clusters.centres.begin(), clusters.centres.end()));
}

TEST_CASE("kmeans_1d refuses what it cannot cluster") {
  CHECK_THROWS_WITH_AS(ds::kmeans_1d(std::vector<float>{1, 1, 2}, 3), doctest::Contains("2 distinct values"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(ds::kmeans_1d(std::vector<float>{1, NAN, 2}, 2), doctest::Contains("NaN"), medrepro::Error);
  CHECK_THROWS_AS(ds::kmeans_1d(std::vector<float>{1, 2}, 0), medrepro::Error);
}

TEST_CASE("CLAHE with one region and no clipping is global histogram equalisation") {
  std::vector<float> plane{0, 1, 2, 3, 4, 5};
  ds::ClaheOptions options;
  options.tiles_y = options.tiles_x = 1;
  options.clip_limit = 1.0;
  options.bins = 6;
  ds::clahe_plane(plane.data(), 2, 3, options);
  testing::check_close(plane, {1 / 6.0, 2 / 6.0, 3 / 6.0, 4 / 6.0, 5 / 6.0, 1.0}, 1e-6, 0, "equalised");
  std::vector<float> flat(12, 7.0f);
  ds::clahe_plane(flat.data(), 3, 4, options);
  CHECK(flat == std::vector<float>(12, 1.0f));
}

TEST_CASE("CLAHE clips a region's histogram and spreads the excess over every bin") {
  // 15 zeros and a one, 2 bins, clip at 0.5 * 16 = 8 counts: {15, 1} -> {8, 1} plus 7 / 2 each
  // -> {11.5, 4.5}; the zeros map to 11.5 / 16, the one to 1.
  std::vector<float> plane(16, 0.0f);
  plane[5] = 1.0f;
  ds::ClaheOptions options;
  options.tiles_y = options.tiles_x = 1;
  options.clip_limit = 0.5;
  options.bins = 2;
  ds::clahe_plane(plane.data(), 4, 4, options);
  CHECK(plane[0] == doctest::Approx(11.5 / 16));
  CHECK(plane[5] == 1.0f);
}

TEST_CASE("CLAHE with 8 x 8 regions: outputs in [0, 1], no seams between regions, slices on their own") {
  const int height = 61, width = 67;  // regions of unequal sizes
  std::vector<float> ramp(size_t(height) * width);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) ramp[size_t(y) * width + x] = float(x + 0.3 * y) + 5.0f * float(std::sin(0.3 * y));
  }
  std::vector<float> plane = ramp;
  ds::clahe_plane(plane.data(), height, width);
  double largest_step = 0;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      const float v = plane[size_t(y) * width + x];
      CHECK(v >= 0.0f);
      CHECK(v <= 1.0f);
      if (x > 0) largest_step = std::max(largest_step, double(std::abs(v - plane[size_t(y) * width + x - 1])));
      if (y > 0) largest_step = std::max(largest_step, double(std::abs(v - plane[size_t(y - 1) * width + x])));
    }
  }
  CHECK(largest_step < 0.15);  // bilinear blending between regions leaves no seams

  ds::Volume volume(2, height, width);
  std::copy(ramp.begin(), ramp.end(), volume.slice(0));
  for (size_t i = 0; i < ramp.size(); ++i) volume.slice(1)[i] = 100.0f - ramp[i];
  ds::clahe_slices(volume);
  CHECK(std::equal(plane.begin(), plane.end(), volume.slice(0)));
  std::vector<float> second(ramp.size());
  for (size_t i = 0; i < ramp.size(); ++i) second[i] = 100.0f - ramp[i];
  ds::clahe_plane(second.data(), height, width);
  CHECK(std::equal(second.begin(), second.end(), volume.slice(1)));

  CHECK_THROWS_WITH_AS(ds::clahe_plane(plane.data(), 4, 4), doctest::Contains("8 x 8 regions for a 4 x 4 plane"),
                       medrepro::Error);
}
