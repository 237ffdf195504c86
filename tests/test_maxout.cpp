// Maxout against float64, its gradient against finite differences (values of a
// group kept apart), ties going to the first piece, accumulation and refusals.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/ops/elementwise.h"
#include "core/ops/maxout.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

// Values whose pieces differ by at least 0.1 within every group, so that
// finite differences (eps 1e-2) never change which piece is the maximum.
Tensor separated(const Shape& shape, int64_t pieces, uint32_t seed) {
  std::vector<float> values = testing::random_values(size_t(medrepro::element_count(shape)), seed, -0.02f, 0.02f);
  const int64_t inner = medrepro::element_count(shape) / (shape[0] * shape[1]);
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t row = int64_t(i) / inner, piece = row % pieces, group = row / pieces, s = int64_t(i) % inner;
    const int64_t rank = (piece + group + s) % pieces;  // a rotation: another winner in each group and position
    values[i] += 0.1f * float(rank);
  }
  return Tensor::from_host(shape, values);
}

std::vector<double> reference(const Shape& shape, const std::vector<float>& x, int64_t pieces) {
  const int64_t inner = medrepro::element_count(shape) / (shape[0] * shape[1]);
  const int64_t groups = shape[0] * shape[1] / pieces;
  std::vector<double> out;
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t s = 0; s < inner; ++s) {
      double best = x[size_t(g * pieces * inner + s)];
      for (int64_t k = 1; k < pieces; ++k) best = std::max(best, double(x[size_t((g * pieces + k) * inner + s)]));
      out.push_back(best);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("maxout forward against float64: pieces 1 to 5, ranks 2 to 5") {
  const std::vector<std::pair<Shape, int64_t>> cases{{{2, 6, 5}, 2}, {{1, 15, 3, 4}, 5}, {{3, 4}, 4},
                                                     {{2, 3, 2, 3, 2}, 3}, {{1, 7, 2}, 1}};
  uint32_t seed = 1;
  for (const auto& [shape, pieces] : cases) {
    const std::string what = medrepro::to_string(shape) + " in " + std::to_string(pieces) + " pieces";
    const std::vector<float> x = testing::random_values(size_t(medrepro::element_count(shape)), seed++);
    const Tensor y = medrepro::maxout(Tensor::from_host(shape, x), pieces);
    Shape expected = shape;
    expected[1] /= pieces;
    REQUIRE_MESSAGE(y.shape() == expected, what);
    testing::check_close(y.to_host(), reference(shape, x, pieces), 0, 0, what);
  }
}

TEST_CASE("maxout backward against finite differences") {
  for (const auto& [shape, pieces] : std::vector<std::pair<Shape, int64_t>>{
           {{2, 6, 5}, 2}, {{1, 6, 3, 2}, 3}, {{2, 4}, 4}, {{1, 4, 2, 1, 3}, 2}}) {
    INFO(medrepro::to_string(shape) << " in " << pieces << " pieces");
    const int64_t k = pieces;
    testing::check_gradients([k](const auto& in) { return medrepro::maxout(in[0], k); },
                             {separated(shape, pieces, 31)});
  }
  testing::check_gradients(
      [](const auto& in) { return medrepro::add(medrepro::maxout(in[0], 2), medrepro::maxout(in[0], 2)); },
      {separated({2, 4, 3}, 2, 32)});
}

TEST_CASE("maxout sends a tie's gradient to the first piece only") {
  Tensor x = Tensor::from_host({1, 3, 2}, std::vector<float>{1, 5, 1, 5, 0, 5});  // both positions tie
  x.set_requires_grad(true);
  medrepro::maxout(x, 3).backward(Tensor::from_host({1, 1, 2}, std::vector<float>{2, 3}));
  CHECK(x.grad().to_host() == std::vector<float>{2, 3, 0, 0, 0, 0});
}

TEST_CASE("maxout refuses channels that are not a multiple of the pieces") {
  CHECK_THROWS_WITH_AS(medrepro::maxout(Tensor::zeros({2, 5, 3}), 2), doctest::Contains("input [2, 5, 3]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::maxout(Tensor::zeros({2, 4}), 0), doctest::Contains("positive multiple"),
                       medrepro::Error);
}
