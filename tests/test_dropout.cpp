#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "core/device.h"
#include "core/ops/dropout.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Tensor;

namespace {

// The host twin of hash_u32 / uniform01 in shaders/common.glsl: the mask must be exactly this.
uint32_t hash_u32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352du;
  x ^= x >> 15;
  x *= 0x846ca68bu;
  x ^= x >> 16;
  return x;
}
float uniform01(uint32_t seed, uint32_t index) {
  return static_cast<float>(hash_u32(index ^ hash_u32(seed)) >> 8) * (1.0f / 16777216.0f);
}
bool kept(uint32_t seed, uint32_t index, float p) { return uniform01(seed, index) >= p; }

// Values that are never zero, so a zero output always means "dropped".
std::vector<float> nonzero_values(size_t count, uint32_t seed) {
  std::vector<float> values = testing::random_values(count, seed, 0.5f, 2.0f);
  for (size_t i = 0; i < count; i += 2) values[i] = -values[i];
  return values;
}

}  // namespace

TEST_CASE("dropout forward keeps exactly the uniform01 mask and scales by 1/(1-p)") {
  const float p = 0.3f;
  const float keep_scale = 1.0f / (1.0f - p);
  const uint32_t seed = 1234;
  const std::vector<float> values = nonzero_values(3 * 7 * 11, 5);
  const std::vector<float> out = medrepro::dropout(Tensor::from_host({3, 7, 11}, values), p, seed).to_host();
  for (uint32_t i = 0; i < out.size(); ++i) {
    const float expected = kept(seed, i, p) ? values[i] * keep_scale : 0.0f;
    REQUIRE_MESSAGE(out[i] == expected, "element " << i << " is " << out[i] << ", expected " << expected);
  }
}

TEST_CASE("dropout masks: same seed repeats, another seed differs, kept fraction is 1-p") {
  const size_t count = 100003;  // prime, not a multiple of any workgroup size
  const Tensor x = Tensor::full({static_cast<int64_t>(count)}, 1.0f);
  for (float p : {0.1f, 0.5f, 0.9f}) {
    CAPTURE(p);
    const std::vector<float> first = medrepro::dropout(x, p, 42).to_host();
    const std::vector<float> again = medrepro::dropout(x, p, 42).to_host();
    const std::vector<float> other = medrepro::dropout(x, p, 43).to_host();
    CHECK(first == again);
    size_t kept_count = 0, differing = 0;
    for (size_t i = 0; i < count; ++i) {
      REQUIRE((first[i] == 0.0f || first[i] == 1.0f / (1.0f - p)));
      kept_count += first[i] != 0.0f;
      differing += (first[i] != 0.0f) != (other[i] != 0.0f);
    }
    // Binomial(count, 1-p): allow five standard deviations.
    const double fraction = double(kept_count) / double(count);
    const double sigma = std::sqrt(double(p) * (1.0 - p) / double(count));
    CHECK(std::abs(fraction - (1.0 - p)) < 5 * sigma);
    // Independent masks disagree on a fraction 2p(1-p) of the elements.
    const double disagreement = double(differing) / double(count);
    CHECK(std::abs(disagreement - 2.0 * p * (1.0 - p)) < 10 * sigma);
  }
}

TEST_CASE("dropout backward is exactly mask / (1-p) times dy, and accumulates") {
  const float p = 0.45f;
  const float keep_scale = 1.0f / (1.0f - p);
  const size_t count = 2 * 5 * 13;
  Tensor x = Tensor::from_host({2, 5, 13}, nonzero_values(count, 8));
  x.set_requires_grad(true);
  const std::vector<float> dy = testing::random_values(count, 9);
  medrepro::dropout(x, p, 77).backward(Tensor::from_host({2, 5, 13}, dy));
  std::vector<float> grad = x.grad().to_host();
  for (uint32_t i = 0; i < count; ++i) {
    const float expected = kept(77, i, p) ? dy[i] * keep_scale : 0.0f;
    REQUIRE_MESSAGE(grad[i] == expected, "element " << i << " is " << grad[i] << ", expected " << expected);
  }

  // Two masks of the same input: the second gradient is added to the first.
  x.zero_grad();
  medrepro::add(medrepro::dropout(x, p, 1), medrepro::dropout(x, p, 2)).backward(Tensor::from_host({2, 5, 13}, dy));
  grad = x.grad().to_host();
  for (uint32_t i = 0; i < count; ++i) {
    const float first = kept(1, i, p) ? dy[i] * keep_scale : 0.0f;
    const float second = kept(2, i, p) ? dy[i] * keep_scale : 0.0f;
    REQUIRE_MESSAGE(grad[i] == first + second, "element " << i);
  }
  testing::check_gradients([p](const auto& in) { return medrepro::dropout(in[0], p, 5); },
                           {testing::random_tensor({1, 3, 7}, 10)});
}

TEST_CASE("dropout with p = 0 is the identity; p outside [0, 1) is refused") {
  const std::vector<float> values = testing::random_values(35, 3);
  Tensor x = Tensor::from_host({5, 7}, values);
  CHECK(medrepro::dropout(x, 0.0f, 9).to_host() == values);
  x.set_requires_grad(true);
  const std::vector<float> dy = testing::random_values(35, 4);
  medrepro::dropout(x, 0.0f, 9).backward(Tensor::from_host({5, 7}, dy));
  CHECK(x.grad().to_host() == dy);
  for (float p : {1.0f, 1.5f, -0.1f, std::numeric_limits<float>::quiet_NaN()}) {
    CHECK_THROWS_WITH_AS(medrepro::dropout(x, p, 1), doctest::Contains("dropout: p must lie in [0, 1)"),
                         medrepro::Error);
  }
}
