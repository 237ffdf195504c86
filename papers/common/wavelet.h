#pragma once
// The 2-D discrete wavelet transform of the classic MRI-classification pipelines
// that Rezaei et al.'s Table 2 quotes (DWT, then PCA, then an SVM or kNN), on the
// host in double: orthogonal Daubechies filters, periodised borders (a signal of
// n samples gives n / 2 coefficients per band; the transform preserves energy),
// rows filtered first, then columns. Circular alignment: coefficient k reads
// samples 2k .. 2k + L - 1 (mod n), which may differ from other libraries by a
// circular shift of the coefficients.
#include <cstdint>
#include <span>
#include <vector>

namespace medrepro::wavelet {

enum class Family {
  Haar,        // 2 taps
  Daubechies4  // 4 taps, "DAUB-4" (db2 in PyWavelets' naming)
};

// The orthonormal low-pass (scaling) filter.
std::vector<double> lowpass_filter(Family family);

struct Bands {
  std::vector<double> approximation, detail;  // n / 2 each
};
// One level on a signal of even length.
Bands dwt(std::span<const double> signal, Family family);

// The approximation (LL) band after `levels` levels of the 2-D transform of a
// height x width image (row-major): (height >> levels) x (width >> levels)
// values; height and width must be multiples of 2^levels.
std::vector<double> approximation_2d(std::span<const double> image, int64_t height, int64_t width, Family family,
                                     int levels);

}  // namespace medrepro::wavelet
