#include <doctest/doctest.h>

#include <string>

#include "core/ops/concat.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

Shape with_channels(Shape shape, int64_t channels) {
  shape[1] = channels;
  return shape;
}

// Plain-loop concatenation along axis 1 in float64.
std::vector<double> reference_concat(const std::vector<std::vector<float>>& values, const std::vector<Shape>& shapes) {
  const int64_t batch = shapes[0][0];
  int64_t inner = 1;
  for (size_t axis = 2; axis < shapes[0].size(); ++axis) inner *= shapes[0][axis];
  std::vector<double> out;
  for (int64_t n = 0; n < batch; ++n) {
    for (size_t i = 0; i < values.size(); ++i) {
      const int64_t slab = shapes[i][1] * inner;
      for (int64_t k = 0; k < slab; ++k) out.push_back(values[i][size_t(n * slab + k)]);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("concat_channels forward against float64") {
  const std::vector<std::vector<int64_t>> channel_sets = {{2}, {1, 5}, {1, 2, 5}};
  uint32_t seed = 40;
  for (const Shape& base : {Shape{3, 0}, Shape{2, 0, 3, 2}, Shape{1, 0, 4}}) {
    for (const auto& channels : channel_sets) {
      std::vector<Shape> shapes;
      std::vector<std::vector<float>> values;
      std::vector<Tensor> inputs;
      for (int64_t c : channels) {
        shapes.push_back(with_channels(base, c));
        values.push_back(testing::random_values(size_t(medrepro::element_count(shapes.back())), ++seed));
        inputs.push_back(Tensor::from_host(shapes.back(), values.back()));
      }
      int64_t total = 0;
      for (int64_t c : channels) total += c;
      CAPTURE(medrepro::to_string(base));
      CAPTURE(channels.size());
      Tensor out = medrepro::concat_channels(inputs);
      REQUIRE(out.shape() == with_channels(base, total));
      testing::check_close(out.to_host(), reference_concat(values, shapes), 0, 0, "concat_channels");
    }
  }
}

TEST_CASE("concat_channels backward against finite differences") {
  for (const Shape& base : {Shape{3, 0}, Shape{2, 0, 3, 2}}) {
    CAPTURE(medrepro::to_string(base));
    Tensor a = testing::random_tensor(with_channels(base, 1), 51);
    Tensor b = testing::random_tensor(with_channels(base, 2), 52);
    Tensor c = testing::random_tensor(with_channels(base, 5), 53);
    testing::check_gradients([](const auto& in) { return medrepro::concat_channels({in[0]}); }, {b});
    testing::check_gradients([](const auto& in) { return medrepro::concat_channels({in[0], in[1]}); }, {a, c});
    testing::check_gradients([](const auto& in) { return medrepro::concat_channels({in[0], in[1], in[2]}); },
                             {a, b, c});
    // The same tensor twice (DenseNet-style reuse): its gradients must add up.
    testing::check_gradients([](const auto& in) { return medrepro::concat_channels({in[0], in[1], in[0]}); },
                             {b, c});
    // Inputs produced by other ops (gradients flow on through the graph).
    testing::check_gradients(
        [](const auto& in) {
          return medrepro::concat_channels({medrepro::scale(in[0], 2.0f), in[1], medrepro::scale(in[0], -1.0f)});
        },
        {a, c});
  }
}

TEST_CASE("concat_channels rejects mismatched shapes") {
  using medrepro::Error;
  CHECK_THROWS_WITH_AS(medrepro::concat_channels({Tensor::zeros({2, 3, 4, 4}), Tensor::zeros({3, 2, 4, 4})}),
                       doctest::Contains("concat_channels: shapes [2, 3, 4, 4] and [3, 2, 4, 4]"), Error);
  CHECK_THROWS_WITH_AS(medrepro::concat_channels({Tensor::zeros({2, 3, 4, 4}), Tensor::zeros({2, 2, 4, 5})}),
                       doctest::Contains("concat_channels: shapes [2, 3, 4, 4] and [2, 2, 4, 5]"), Error);
  CHECK_THROWS_WITH_AS(medrepro::concat_channels({Tensor::zeros({2, 3, 4}), Tensor::zeros({2, 3, 4, 1})}),
                       doctest::Contains("concat_channels: shapes [2, 3, 4] and [2, 3, 4, 1]"), Error);
  CHECK_THROWS_WITH_AS(medrepro::concat_channels({Tensor::zeros({5})}),
                       doctest::Contains("concat_channels: inputs need rank >= 2, got shape [5]"), Error);
  CHECK_THROWS_WITH_AS(medrepro::concat_channels({}), doctest::Contains("concat_channels: no inputs"), Error);
}
