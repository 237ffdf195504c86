// PReLU against float64, its gradients (input and slopes) against finite
// differences, accumulation, the module, and refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/nn/norm_layers.h"
#include "core/ops/activations.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

// Random values at least 0.05 from PReLU's kink at 0, where finite differences with eps 1e-2 fail.
Tensor clear_of_zero(const Shape& shape, uint32_t seed) {
  std::vector<float> values = testing::random_values(size_t(medrepro::element_count(shape)), seed);
  for (float& v : values) v = v < 0 ? v - 0.05f : v + 0.05f;
  return Tensor::from_host(shape, values);
}

std::vector<double> reference(const Shape& shape, const std::vector<float>& x, const std::vector<float>& slope) {
  const int64_t channels = shape[1], inner = medrepro::element_count(shape) / (shape[0] * channels);
  std::vector<double> out(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    const size_t c = slope.size() == 1 ? 0 : size_t((int64_t(i) / inner) % channels);
    out[i] = x[i] > 0 ? double(x[i]) : double(slope[c]) * x[i];
  }
  return out;
}

}  // namespace

TEST_CASE("prelu forward against float64: per-channel and shared slopes, ranks 2 to 5") {
  const std::vector<std::pair<Shape, bool>> cases{{{2, 3, 5}, false},       {{1, 4, 3, 2, 2}, false},
                                                  {{3, 7}, false},          {{2, 3, 4, 5}, true},
                                                  {{1, 1, 1}, false},       {{5, 2, 3, 1, 7}, true}};
  uint32_t seed = 1;
  for (const auto& [shape, shared] : cases) {
    const std::string what = medrepro::to_string(shape) + (shared ? " shared slope" : " per-channel slopes");
    const std::vector<float> x = testing::random_values(size_t(medrepro::element_count(shape)), seed++);
    const std::vector<float> slope = testing::random_values(shared ? 1 : size_t(shape[1]), seed++, -0.5f, 0.8f);
    const Tensor y = medrepro::prelu(Tensor::from_host(shape, x),
                                     Tensor::from_host({shared ? 1 : shape[1]}, slope));
    REQUIRE_MESSAGE(y.shape() == shape, what);
    testing::check_close(y.to_host(), reference(shape, x, slope), 1e-7, 0, what);
  }
}

TEST_CASE("prelu backward against finite differences, input and slopes") {
  for (const Shape& shape : {Shape{2, 3, 4}, Shape{1, 5, 3, 2}, Shape{3, 2}}) {
    INFO(medrepro::to_string(shape));
    testing::check_gradients([](const auto& in) { return medrepro::prelu(in[0], in[1]); },
                             {clear_of_zero(shape, 11), testing::random_tensor({shape[1]}, 12)});
  }
  // One shared slope; and a slope with no input gradient needed.
  testing::check_gradients([](const auto& in) { return medrepro::prelu(in[0], in[1]); },
                           {clear_of_zero({2, 3, 2, 3}, 13), testing::random_tensor({1}, 14)});
  const Tensor x = clear_of_zero({2, 3, 5}, 15);
  testing::check_gradients([x](const auto& in) { return medrepro::prelu(x, in[0]); },
                           {testing::random_tensor({3}, 16)});
}

TEST_CASE("prelu used twice accumulates both gradients") {
  testing::check_gradients(
      [](const auto& in) { return medrepro::add(medrepro::prelu(in[0], in[1]), medrepro::prelu(in[0], in[1])); },
      {clear_of_zero({2, 4, 3}, 21), testing::random_tensor({4}, 22)});
}

TEST_CASE("the PReLU module owns one slope per channel, initialised as asked") {
  medrepro::nn::PReLU module(3, 0.01f);
  REQUIRE(module.parameters().size() == 1);
  CHECK(module.parameters()[0]->value.to_host() == std::vector<float>(3, 0.01f));
  const Tensor x = Tensor::from_host({1, 3, 2}, std::vector<float>{-1, 2, -3, 4, -5, 6});
  testing::check_close(module(x).to_host(), {-0.01, 2, -0.03, 4, -0.05, 6}, 1e-7, 0, "PReLU module");
}

TEST_CASE("prelu refuses a slope that fits neither the channels nor one shared value") {
  CHECK_THROWS_WITH_AS(medrepro::prelu(Tensor::zeros({2, 3, 4}), Tensor::zeros({4})),
                       doctest::Contains("input [2, 3, 4] and slope [4]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::prelu(Tensor::zeros({5}), Tensor::zeros({1})), doctest::Contains("[N, C, ...]"),
                       medrepro::Error);
}
