#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/kernels.h"
#include "core/ops/elementwise.h"
#include "core/ops/lrn.h"
#include "testing.h"

using medrepro::LrnOptions;
using medrepro::Tensor;

namespace {

// Caffe's across-channel LRN in float64, written straight from the definition.
std::vector<double> lrn_reference(const std::vector<float>& x, const medrepro::Shape& shape, const LrnOptions& o) {
  const int64_t n_count = shape[0], channels = shape[1], plane = shape[2] * shape[3];
  std::vector<double> y(x.size());
  for (int64_t n = 0; n < n_count; ++n) {
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t s = 0; s < plane; ++s) {
        double sum_squares = 0;
        for (int64_t other = c - (o.size - 1) / 2; other <= c + o.size / 2; ++other) {
          if (other < 0 || other >= channels) continue;
          const double v = x[size_t((n * channels + other) * plane + s)];
          sum_squares += v * v;
        }
        const double scale = double(o.k) + double(o.alpha) / o.size * sum_squares;
        const size_t i = size_t((n * channels + c) * plane + s);
        y[i] = x[i] * std::pow(scale, -double(o.beta));
      }
    }
  }
  return y;
}

// Strong normalisation, so that the cross-channel terms matter in the checks.
LrnOptions strong(int size) { return LrnOptions{size, 2.0f, 0.75f, 1.5f}; }

void check_forward(const medrepro::Shape& shape, const LrnOptions& options, uint32_t seed) {
  CAPTURE(medrepro::to_string(shape));
  CAPTURE(options.size);
  const std::vector<float> x =
      testing::random_values(size_t(medrepro::element_count(shape)), seed, -2.0f, 2.0f);
  const std::vector<float> y = medrepro::local_response_norm(Tensor::from_host(shape, x), options).to_host();
  testing::check_close(y, lrn_reference(x, shape, options), 1e-5, 1e-7, "lrn");
}

void check_backward(const medrepro::Shape& shape, const LrnOptions& options, uint32_t seed) {
  CAPTURE(medrepro::to_string(shape));
  CAPTURE(options.size);
  testing::check_gradients([options](const auto& in) { return medrepro::local_response_norm(in[0], options); },
                           {testing::random_tensor(shape, seed, -1.5f, 1.5f)});
}

}  // namespace

TEST_CASE("local_response_norm forward against float64") {
  check_forward({2, 7, 3, 2}, LrnOptions{}, 1);  // AlexNet's settings: nearly the identity
  check_forward({2, 7, 3, 2}, strong(5), 2);
  check_forward({1, 3, 1, 1}, strong(5), 3);  // fewer channels than the window
  check_forward({1, 5, 3, 2}, strong(3), 4);
  check_forward({1, 2, 2, 3}, strong(3), 5);
  check_forward({3, 6, 1, 5}, strong(4), 6);  // even window: leans forward
  check_forward({1, 5, 2, 2}, strong(1), 7);  // window of one channel
  check_forward({2, 96, 5, 5}, LrnOptions{5, 1e-4f, 0.75f, 2.0f}, 8);
  check_forward({3, 9, 7, 5}, strong(5), 22);  // more positions than a workgroup, over images
  const medrepro::ForceStorageReads storage_reads;  // the storage-buffer fallback
  check_forward({2, 7, 3, 2}, strong(5), 9);
  check_forward({3, 6, 1, 5}, strong(4), 10);
}

TEST_CASE("local_response_norm backward against finite differences") {
  check_backward({1, 3, 1, 1}, strong(5), 11);
  check_backward({1, 3, 3, 2}, strong(5), 12);
  check_backward({2, 7, 1, 1}, strong(5), 13);
  check_backward({1, 5, 3, 2}, strong(3), 14);
  check_backward({1, 2, 3, 2}, strong(3), 15);
  check_backward({1, 6, 2, 1}, strong(4), 16);
  check_backward({1, 5, 1, 2}, strong(1), 17);
  check_backward({1, 7, 2, 3}, LrnOptions{}, 18);
  check_backward({3, 6, 2, 2}, strong(5), 23);  // several images
  check_backward({2, 5, 1, 3}, strong(4), 24);
  // The same input twice: the second backward adds to the first's gradient.
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::add(medrepro::local_response_norm(in[0], strong(3)),
                             medrepro::local_response_norm(in[0], strong(5)));
      },
      {testing::random_tensor({1, 5, 2, 1}, 19, -1.5f, 1.5f)});
  const medrepro::ForceStorageReads storage_reads;  // the storage-buffer fallback
  check_backward({1, 5, 3, 2}, strong(3), 20);
  check_backward({1, 6, 2, 1}, strong(4), 21);
}

TEST_CASE("local_response_norm refuses bad shapes and options") {
  const Tensor x = Tensor::zeros({2, 3, 4, 4});
  CHECK_THROWS_WITH_AS(medrepro::local_response_norm(Tensor::zeros({3, 4, 4})),
                       doctest::Contains("local_response_norm: x [N, C, H, W] must have rank 4, got shape [3, 4, 4]"),
                       medrepro::Error);
  for (const LrnOptions& bad : {LrnOptions{0}, LrnOptions{5, -1.0f}, LrnOptions{5, 1e-4f, 0.75f, 0.0f},
                                LrnOptions{5, 1e-4f, INFINITY, 1.0f}}) {
    CHECK_THROWS_WITH_AS(medrepro::local_response_norm(x, bad), doctest::Contains("local_response_norm: needs"),
                         medrepro::Error);
  }
}
