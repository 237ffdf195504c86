#include "papers/common/wavelet.h"

#include <cmath>
#include <string>

#include "core/error.h"

namespace medrepro::wavelet {

std::vector<double> lowpass_filter(Family family) {
  if (family == Family::Haar) return {1 / std::sqrt(2.0), 1 / std::sqrt(2.0)};
  const double s3 = std::sqrt(3.0), norm = 4 * std::sqrt(2.0);
  return {(1 + s3) / norm, (3 + s3) / norm, (3 - s3) / norm, (1 - s3) / norm};
}

Bands dwt(std::span<const double> signal, Family family) {
  const size_t n = signal.size();
  if (n == 0 || n % 2 != 0) fail("wavelet::dwt: a signal of even, positive length, got " + std::to_string(n));
  const std::vector<double> lo = lowpass_filter(family);
  const size_t taps = lo.size();
  Bands bands{std::vector<double>(n / 2, 0.0), std::vector<double>(n / 2, 0.0)};
  for (size_t k = 0; k < n / 2; ++k) {
    for (size_t j = 0; j < taps; ++j) {
      const double sample = signal[(2 * k + j) % n];
      const double high = (j % 2 == 0 ? 1.0 : -1.0) * lo[taps - 1 - j];  // the quadrature mirror filter
      bands.approximation[k] += lo[j] * sample;
      bands.detail[k] += high * sample;
    }
  }
  return bands;
}

std::vector<double> approximation_2d(std::span<const double> image, int64_t height, int64_t width, Family family,
                                     int levels) {
  if (levels < 1 || height % (int64_t(1) << levels) != 0 || width % (int64_t(1) << levels) != 0 ||
      int64_t(image.size()) != height * width) {
    fail("wavelet::approximation_2d: a " + std::to_string(height) + "x" + std::to_string(width) + " image of " +
         std::to_string(image.size()) + " values cannot take " + std::to_string(levels) +
         " levels (sides must be multiples of 2^levels)");
  }
  std::vector<double> current(image.begin(), image.end());
  for (int level = 0; level < levels; ++level) {
    const int64_t half_w = width / 2, half_h = height / 2;
    std::vector<double> rows(size_t(height * half_w));  // each row's low band
    for (int64_t r = 0; r < height; ++r) {
      const Bands b = dwt(std::span<const double>(current).subspan(size_t(r * width), size_t(width)), family);
      std::copy(b.approximation.begin(), b.approximation.end(), rows.begin() + r * half_w);
    }
    std::vector<double> next(static_cast<size_t>(half_h * half_w));
    std::vector<double> column(static_cast<size_t>(height));
    for (int64_t c = 0; c < half_w; ++c) {
      for (int64_t r = 0; r < height; ++r) column[size_t(r)] = rows[size_t(r * half_w + c)];
      const Bands b = dwt(column, family);
      for (int64_t r = 0; r < half_h; ++r) next[size_t(r * half_w + c)] = b.approximation[size_t(r)];
    }
    current = std::move(next);
    height = half_h;
    width = half_w;
  }
  return current;
}

}  // namespace medrepro::wavelet
