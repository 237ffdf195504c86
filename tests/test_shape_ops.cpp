#include <doctest/doctest.h>

#include "core/ops/shape.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = strides[d] * shape[d];
  return strides;
}

// Calls f(coordinates, flat index) for every element of `shape`, in row-major order.
template <class F>
void for_each_index(const Shape& shape, F&& f) {
  const int64_t count = medrepro::element_count(shape);
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < count; ++flat) {
    f(index, flat);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
}

int64_t offset_of(const std::vector<int64_t>& index, const Shape& shape) {
  const auto strides = strides_of(shape);
  int64_t offset = 0;
  for (size_t d = 0; d < index.size(); ++d) offset += index[d] * strides[d];
  return offset;
}

std::vector<double> reference_slice(const std::vector<float>& x, const Shape& shape, int axis, int64_t start,
                                    int64_t length) {
  Shape out_shape = shape;
  out_shape[size_t(axis)] = length;
  std::vector<double> out(size_t(medrepro::element_count(out_shape)));
  for_each_index(out_shape, [&](std::vector<int64_t> index, int64_t flat) {
    index[size_t(axis)] += start;
    out[size_t(flat)] = x[size_t(offset_of(index, shape))];
  });
  return out;
}

std::vector<double> reference_permute(const std::vector<float>& x, const Shape& shape, const std::vector<int>& order) {
  Shape out_shape;
  for (int d : order) out_shape.push_back(shape[size_t(d)]);
  std::vector<double> out(x.size());
  for_each_index(out_shape, [&](const std::vector<int64_t>& index, int64_t flat) {
    std::vector<int64_t> source(shape.size());
    for (size_t d = 0; d < order.size(); ++d) source[size_t(order[d])] = index[d];
    out[size_t(flat)] = x[size_t(offset_of(source, shape))];
  });
  return out;
}

std::vector<double> reference_sum(const std::vector<float>& x, const Shape& shape, int axis, bool average) {
  Shape out_shape = shape;
  out_shape[size_t(axis)] = 1;
  std::vector<double> out(size_t(medrepro::element_count(out_shape)), 0.0);
  for_each_index(shape, [&](std::vector<int64_t> index, int64_t flat) {
    index[size_t(axis)] = 0;
    out[size_t(offset_of(index, out_shape))] += x[size_t(flat)];
  });
  if (average) {
    for (double& v : out) v /= double(shape[size_t(axis)]);
  }
  return out;
}

}  // namespace

TEST_CASE("slice forward against a float64 reference, every axis") {
  const Shape shape{2, 3, 5, 4};
  const auto x = testing::random_values(120, 1);
  const Tensor t = Tensor::from_host(shape, x);
  struct Case {
    int axis;
    int64_t start, length;
  };
  for (const Case& c : {Case{0, 1, 1}, Case{0, 0, 2}, Case{1, 1, 2}, Case{2, 0, 5}, Case{2, 3, 2}, Case{3, 1, 3},
                        Case{-1, 3, 1}, Case{-3, 2, 1}}) {
    CAPTURE(c.axis);
    CAPTURE(c.start);
    const Tensor y = medrepro::slice(t, c.axis, c.start, c.length);
    const int axis = c.axis < 0 ? c.axis + 4 : c.axis;
    Shape expected_shape = shape;
    expected_shape[size_t(axis)] = c.length;
    CHECK(y.shape() == expected_shape);
    testing::check_close(y.to_host(), reference_slice(x, shape, axis, c.start, c.length), 0, 0, "slice");
  }
}

TEST_CASE("slice backward against finite differences") {
  const Tensor x = testing::random_tensor({2, 5, 3}, 2);
  testing::check_gradients([](const auto& in) { return medrepro::slice(in[0], 1, 1, 3); }, {x});
  testing::check_gradients([](const auto& in) { return medrepro::slice(in[0], -1, 2, 1); }, {x});
  // Two overlapping slices of one tensor: their gradients add up in the overlap.
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::stack({medrepro::slice(in[0], 1, 0, 3), medrepro::slice(in[0], 1, 2, 3)}, 0);
      },
      {x});
}

TEST_CASE("stack forward and backward, every axis") {
  const Shape shape{2, 3};
  const auto a = testing::random_values(6, 3), b = testing::random_values(6, 4), c = testing::random_values(6, 5);
  const Tensor ta = Tensor::from_host(shape, a), tb = Tensor::from_host(shape, b), tc = Tensor::from_host(shape, c);
  const std::vector<const std::vector<float>*> inputs{&a, &b, &c};
  for (int axis : {0, 1, 2, -1, -3}) {
    CAPTURE(axis);
    const int position = axis < 0 ? axis + 3 : axis;
    Shape out_shape = shape;
    out_shape.insert(out_shape.begin() + position, 3);
    const Tensor y = medrepro::stack({ta, tb, tc}, axis);
    CHECK(y.shape() == out_shape);
    std::vector<double> expected(18);
    for_each_index(out_shape, [&](const std::vector<int64_t>& index, int64_t flat) {
      std::vector<int64_t> source = index;
      source.erase(source.begin() + position);
      expected[size_t(flat)] = (*inputs[size_t(index[size_t(position)])])[size_t(offset_of(source, shape))];
    });
    testing::check_close(y.to_host(), expected, 0, 0, "stack");
  }
  const Tensor x = testing::random_tensor({3, 2}, 6), z = testing::random_tensor({3, 2}, 7);
  testing::check_gradients([](const auto& in) { return medrepro::stack({in[0], in[1]}, 1); }, {x, z});
  // The same tensor twice, and a single tensor (batch 1 of a stack).
  testing::check_gradients([](const auto& in) { return medrepro::stack({in[0], in[1], in[0]}, 2); }, {x, z});
  testing::check_gradients([](const auto& in) { return medrepro::stack({in[0]}, 0); }, {x});
}

TEST_CASE("permute and transpose forward against a float64 reference") {
  struct Case {
    Shape shape;
    std::vector<int> order;
  };
  for (const Case& c :
       {Case{{2, 3, 4, 5}, {3, 1, 0, 2}}, Case{{7}, {0}}, Case{{3, 5}, {1, 0}}, Case{{2, 3, 1, 4, 5}, {4, 2, 0, 3, 1}},
        Case{{2, 1, 3, 1, 2, 3, 1, 2}, {7, 6, 5, 4, 3, 2, 1, 0}}}) {
    CAPTURE(medrepro::to_string(c.shape));
    const auto x = testing::random_values(size_t(medrepro::element_count(c.shape)), 8);
    const Tensor y = medrepro::permute(Tensor::from_host(c.shape, x), c.order);
    Shape out_shape;
    for (int d : c.order) out_shape.push_back(c.shape[size_t(d)]);
    CHECK(y.shape() == out_shape);
    testing::check_close(y.to_host(), reference_permute(x, c.shape, c.order), 0, 0, "permute");
  }
  const auto x = testing::random_values(60, 9);
  const Tensor t = Tensor::from_host({3, 4, 5}, x);
  testing::check_close(medrepro::transpose(t, -1, 0).to_host(), reference_permute(x, {3, 4, 5}, {2, 1, 0}), 0, 0,
                       "transpose");
  testing::check_close(medrepro::transpose(t, 1, 2).to_host(), reference_permute(x, {3, 4, 5}, {0, 2, 1}), 0, 0,
                       "transpose");
}

TEST_CASE("permute and transpose backward against finite differences") {
  const Tensor x = testing::random_tensor({2, 3, 2, 5}, 10);
  testing::check_gradients([](const auto& in) { return medrepro::permute(in[0], {2, 0, 3, 1}); }, {x});
  testing::check_gradients([](const auto& in) { return medrepro::transpose(in[0], 1, 3); }, {x});
  testing::check_gradients(
      [](const auto& in) {
        return medrepro::stack({medrepro::transpose(in[0], 0, 1), medrepro::permute(in[0], {1, 0, 2, 3})}, 0);
      },
      {x});
}

TEST_CASE("sum and mean forward against float64, every axis, keepdim") {
  // [3, 1000] and [2, 300, 3] along axis 1 take the workgroup-per-output path.
  for (const Shape& shape : {Shape{2, 3, 5, 4}, Shape{3, 1000}, Shape{2, 300, 3}, Shape{7}, Shape{1, 1, 1}}) {
    const auto x = testing::random_values(size_t(medrepro::element_count(shape)), 11);
    const Tensor t = Tensor::from_host(shape, x);
    for (int axis = 0; axis < int(shape.size()); ++axis) {
      CAPTURE(medrepro::to_string(shape));
      CAPTURE(axis);
      for (bool keepdim : {false, true}) {
        Shape out_shape = shape;
        if (keepdim) out_shape[size_t(axis)] = 1;
        else out_shape.erase(out_shape.begin() + axis);
        const Tensor s = medrepro::sum(t, axis, keepdim), m = medrepro::mean(t, axis - int(shape.size()), keepdim);
        CHECK(s.shape() == out_shape);
        CHECK(m.shape() == out_shape);
        testing::check_close(s.to_host(), reference_sum(x, shape, axis, false), 1e-5, 1e-5, "sum");
        testing::check_close(m.to_host(), reference_sum(x, shape, axis, true), 1e-5, 1e-6, "mean");
      }
    }
  }
}

TEST_CASE("sum and mean backward against finite differences") {
  const Tensor x = testing::random_tensor({2, 3, 5}, 12);
  for (int axis : {0, 1, 2}) {
    testing::check_gradients([axis](const auto& in) { return medrepro::sum(in[0], axis); }, {x});
    testing::check_gradients([axis](const auto& in) { return medrepro::mean(in[0], axis, true); }, {x});
  }
  // The workgroup-per-output path.
  const Tensor wide = testing::random_tensor({1, 70, 2}, 13);
  testing::check_gradients([](const auto& in) { return medrepro::mean(in[0], 1); }, {wide});
  // Accumulation: two reductions of one tensor.
  testing::check_gradients(
      [](const auto& in) { return medrepro::stack({medrepro::sum(in[0], 0), medrepro::mean(in[0], 0)}, 0); }, {x});
}

TEST_CASE("shape ops are bit-reproducible") {
  const Tensor x = testing::random_tensor({3, 1000}, 14);
  CHECK(medrepro::sum(x, 1).to_host() == medrepro::sum(x, 1).to_host());
  CHECK(medrepro::sum(x, 0).to_host() == medrepro::sum(x, 0).to_host());
}

TEST_CASE("shape ops reject bad arguments") {
  const Tensor x = Tensor::zeros({2, 3, 4});
  CHECK_THROWS_WITH_AS(medrepro::slice(x, 1, 2, 2), doctest::Contains("[2, 4) along axis 1"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::slice(x, 1, 0, 0), doctest::Contains("non-empty range within shape [2, 3, 4]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::slice(x, 3, 0, 1), doctest::Contains("axis 3 out of range for shape [2, 3, 4]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::stack({x, Tensor::zeros({2, 4, 3})}), doctest::Contains("[2, 3, 4] and [2, 4, 3]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::stack({x}, 4), doctest::Contains("axis 4 out of range"), medrepro::Error);
  CHECK_THROWS_AS(medrepro::stack({}), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::permute(x, {0, 0, 1}), doctest::Contains("order (0, 0, 1) is not a permutation"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::permute(x, {1, 0}), doctest::Contains("not a permutation of the axes of [2, 3, 4]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::permute(Tensor::zeros({1, 1, 1, 1, 1, 1, 1, 1, 1}), {0, 1, 2, 3, 4, 5, 6, 7, 8}),
                       doctest::Contains("exceeds 8"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::transpose(x, 0, -4), doctest::Contains("axis -4 out of range"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::sum(x, 5), doctest::Contains("sum: axis 5 out of range"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::mean(Tensor::zeros({2, 0}), 1), doctest::Contains("mean: empty tensor"),
                       medrepro::Error);
}
