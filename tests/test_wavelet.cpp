// The periodised DWT: Haar by hand, Daubechies-4's filter identities, energy
// preservation, constants, and the 2-D approximation band's size and values.
#include <doctest/doctest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "papers/common/wavelet.h"
#include "testing.h"

namespace wavelet = medrepro::wavelet;

TEST_CASE("Haar: pairwise sums and differences (x[2k] - x[2k + 1]) over sqrt 2") {
  const std::vector<double> x{1, 3, -2, 6, 0.5, 0.5};
  const wavelet::Bands b = wavelet::dwt(x, wavelet::Family::Haar);
  const double r = 1 / std::sqrt(2.0);
  testing::check_close({float(b.approximation[0]), float(b.approximation[1]), float(b.approximation[2])},
                       {4 * r, 4 * r, 1 * r}, 1e-6, 0, "approximation");
  // The detail filter is the quadrature mirror of (r, r): (lo[1], -lo[0]) = (r, -r).
  testing::check_close({float(b.detail[0]), float(b.detail[1]), float(b.detail[2])}, {-2 * r, -8 * r, 0}, 1e-6, 1e-7,
                       "detail");
}

TEST_CASE("Daubechies-4: an orthonormal filter that preserves energy and passes constants") {
  const std::vector<double> h = wavelet::lowpass_filter(wavelet::Family::Daubechies4);
  CHECK(std::accumulate(h.begin(), h.end(), 0.0) == doctest::Approx(std::sqrt(2.0)));
  CHECK(h[0] * h[0] + h[1] * h[1] + h[2] * h[2] + h[3] * h[3] == doctest::Approx(1.0));
  CHECK(h[0] * h[2] + h[1] * h[3] == doctest::Approx(0.0).scale(1.0));  // orthogonal to its shift by 2
  for (wavelet::Family family : {wavelet::Family::Haar, wavelet::Family::Daubechies4}) {
    std::vector<double> x(22);
    for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7 * double(i)) + 0.1 * double(i % 5);
    const wavelet::Bands b = wavelet::dwt(x, family);
    double energy = 0, bands = 0;
    for (double v : x) energy += v * v;
    for (size_t k = 0; k < b.approximation.size(); ++k) {
      bands += b.approximation[k] * b.approximation[k] + b.detail[k] * b.detail[k];
    }
    CHECK(bands == doctest::Approx(energy));
    const wavelet::Bands constant = wavelet::dwt(std::vector<double>(8, 2.0), family);
    for (size_t k = 0; k < 4; ++k) {
      CHECK(constant.approximation[k] == doctest::Approx(2 * std::sqrt(2.0)));
      CHECK(constant.detail[k] == doctest::Approx(0.0).scale(1.0));
    }
  }
  CHECK_THROWS_AS(wavelet::dwt(std::vector<double>(7, 1.0), wavelet::Family::Haar), medrepro::Error);
}

TEST_CASE("the 2-D approximation band after three levels: size, constants, Haar block means") {
  const int64_t height = 16, width = 24;
  std::vector<double> image(size_t(height * width));
  for (size_t i = 0; i < image.size(); ++i) image[i] = double((i * 7) % 11);
  // Haar's LL3 is each 8x8 block's sum times (1 / sqrt 2)^6 = sum / 8.
  const std::vector<double> ll = wavelet::approximation_2d(image, height, width, wavelet::Family::Haar, 3);
  REQUIRE(ll.size() == 2 * 3);
  for (int64_t br = 0; br < 2; ++br) {
    for (int64_t bc = 0; bc < 3; ++bc) {
      double sum = 0;
      for (int64_t r = 0; r < 8; ++r) {
        for (int64_t c = 0; c < 8; ++c) sum += image[size_t((br * 8 + r) * width + bc * 8 + c)];
      }
      CHECK(ll[size_t(br * 3 + bc)] == doctest::Approx(sum / 8));
    }
  }
  const std::vector<double> flat =
      wavelet::approximation_2d(std::vector<double>(size_t(height * width), 1.0), height, width,
                                wavelet::Family::Daubechies4, 3);
  for (double v : flat) CHECK(v == doctest::Approx(8.0));  // sqrt(2)^6
  CHECK_THROWS_AS(wavelet::approximation_2d(image, height, width, wavelet::Family::Haar, 4), medrepro::Error);
}
