#include <doctest/doctest.h>

#include "core/kernels.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Tensor;

TEST_CASE("add, mul, scale forward against float64") {
  const medrepro::Shape shape{3, 7, 5};
  auto a = testing::random_values(105, 11);
  auto b = testing::random_values(105, 12);
  Tensor ta = Tensor::from_host(shape, a), tb = Tensor::from_host(shape, b);
  std::vector<double> sum(105), product(105), scaled(105);
  for (size_t i = 0; i < 105; ++i) {
    sum[i] = double(a[i]) + b[i];
    product[i] = double(a[i]) * b[i];
    scaled[i] = -1.5 * a[i];
  }
  testing::check_close(medrepro::add(ta, tb).to_host(), sum, 1e-6, 1e-7, "add");
  testing::check_close(medrepro::mul(ta, tb).to_host(), product, 1e-6, 1e-7, "mul");
  testing::check_close(medrepro::scale(ta, -1.5f).to_host(), scaled, 1e-6, 1e-7, "scale");
  CHECK_THROWS_WITH_AS(medrepro::add(ta, Tensor::zeros({3, 7})), doctest::Contains("add: shapes [3, 7, 5] and [3, 7]"),
                       medrepro::Error);
}

TEST_CASE("add, mul, scale backward against finite differences") {
  Tensor a = testing::random_tensor({2, 3, 5}, 21), b = testing::random_tensor({2, 3, 5}, 22);
  testing::check_gradients([](const auto& in) { return medrepro::add(in[0], in[1]); }, {a, b});
  testing::check_gradients([](const auto& in) { return medrepro::mul(in[0], in[1]); }, {a, b});
  testing::check_gradients([](const auto& in) { return medrepro::scale(in[0], 3.0f); }, {a});
  // The same tensor on both sides: gradients from both uses must add up.
  testing::check_gradients([](const auto& in) { return medrepro::mul(in[0], in[0]); }, {a});
  testing::check_gradients([](const auto& in) { return medrepro::add(in[0], in[0]); }, {a});
}

TEST_CASE("relu forward and backward, one and four floats per invocation") {
  // Values kept away from the kink at 0, where the derivative is undefined.
  // 13 values take the one-at-a-time kernels, 3 x 4 x 5 the four-at-a-time ones.
  for (const medrepro::Shape& shape : {medrepro::Shape{13}, medrepro::Shape{3, 4, 5}}) {
    CAPTURE(medrepro::to_string(shape));
    std::vector<float> values;
    for (int64_t i = 0; i < medrepro::element_count(shape); ++i) {
      values.push_back((i % 3 ? 1.0f : -1.0f) * (0.1f + 0.07f * float(i % 11)));
    }
    Tensor x = Tensor::from_host(shape, values);
    std::vector<double> expected;
    for (float v : values) expected.push_back(v > 0 ? v : 0);
    testing::check_close(medrepro::relu(x).to_host(), expected, 0, 0, "relu");
    testing::check_gradients([](const auto& in) { return medrepro::relu(in[0]); }, {x});
    // Two uses of one input: the second backward accumulates (beta = 1).
    testing::check_gradients(
        [](const auto& in) { return medrepro::add(medrepro::relu(in[0]), medrepro::relu(in[0])); }, {x});
    const medrepro::ForceStorageReads storage_reads;
    testing::check_close(medrepro::relu(x).to_host(), expected, 0, 0, "relu (storage reads)");
  }
}
