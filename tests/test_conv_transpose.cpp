#include <doctest/doctest.h>

#include <array>
#include <string>

#include "core/ops/conv3d.h"
#include "core/ops/conv_transpose.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::ConvTranspose3dOptions;
using medrepro::Shape;
using medrepro::Tensor;

namespace {

// A 2-D case is a 3-D one with depth 1 everywhere; `spatial` says which op runs.
struct TransposeCase {
  int spatial;
  int64_t batch, in_channels;
  std::array<int64_t, 3> in;
  int64_t out_channels;
  std::array<int64_t, 3> kernel;
  ConvTranspose3dOptions options;
  bool bias = true;

  Shape shape(int64_t first, int64_t second, const std::array<int64_t, 3>& sizes) const {
    Shape s{first, second};
    for (int axis = 3 - spatial; axis < 3; ++axis) s.push_back(sizes[size_t(axis)]);
    return s;
  }
  int64_t out(size_t axis) const {
    const ConvTranspose3dOptions& o = options;
    return (in[axis] - 1) * o.stride[axis] - 2 * o.padding[axis] + o.dilation[axis] * (kernel[axis] - 1) +
           o.output_padding[axis] + 1;
  }
  Shape input() const { return shape(batch, in_channels, in); }
  Shape weight() const { return shape(in_channels, out_channels, kernel); }
  Shape output() const { return shape(batch, out_channels, {out(0), out(1), out(2)}); }
  std::string name() const {
    auto axes = [this](const std::array<int, 3>& v) {
      std::string text;
      for (int axis = 3 - spatial; axis < 3; ++axis) {
        if (axis > 3 - spatial) text += 'x';
        text += std::to_string(v[size_t(axis)]);
      }
      return text;
    };
    return "conv_transpose" + std::to_string(spatial) + "d " + medrepro::to_string(input()) + " * " +
           medrepro::to_string(weight()) + " stride " + axes(options.stride) + " padding " + axes(options.padding) +
           " output padding " + axes(options.output_padding) + " dilation " + axes(options.dilation) +
           (bias ? " with bias" : "");
  }

  Tensor run(const Tensor& x, const Tensor& w, const Tensor& b) const {
    if (spatial == 3) return medrepro::conv_transpose3d(x, w, b, options);
    const ConvTranspose3dOptions& o = options;
    return medrepro::conv_transpose2d(
        x, w, b, {o.stride[1], o.stride[2], o.padding[1], o.padding[2], o.output_padding[1], o.output_padding[2],
                  o.dilation[1], o.dilation[2]});
  }
};

ConvTranspose3dOptions options3(std::array<int, 3> stride, std::array<int, 3> padding,
                                std::array<int, 3> output_padding = {0, 0, 0},
                                std::array<int, 3> dilation = {1, 1, 1}) {
  return {stride, padding, output_padding, dilation};
}
// 2-D options in the height and width entries.
ConvTranspose3dOptions options2(std::array<int, 2> stride, std::array<int, 2> padding,
                                std::array<int, 2> output_padding = {0, 0}, std::array<int, 2> dilation = {1, 1}) {
  return {{1, stride[0], stride[1]},
          {0, padding[0], padding[1]},
          {0, output_padding[0], output_padding[1]},
          {1, dilation[0], dilation[1]}};
}

// PyTorch's definition in float64, as a scatter: input voxel i meets kernel tap k at
// output position i * stride - padding + k * dilation.
std::vector<double> reference(const TransposeCase& c, const std::vector<float>& x, const std::vector<float>& w,
                              const std::vector<float>& b) {
  const ConvTranspose3dOptions& o = c.options;
  const std::array<int64_t, 3> out{c.out(0), c.out(1), c.out(2)};
  const int64_t out_volume = out[0] * out[1] * out[2], in_volume = c.in[0] * c.in[1] * c.in[2];
  const int64_t kernel_volume = c.kernel[0] * c.kernel[1] * c.kernel[2];
  std::vector<double> y(size_t(c.batch * c.out_channels * out_volume), 0.0);
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t oc = 0; oc < c.out_channels; ++oc)
      for (int64_t p = 0; p < out_volume; ++p) {
        y[size_t((n * c.out_channels + oc) * out_volume + p)] = c.bias ? b[size_t(oc)] : 0.0;
      }
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t ic = 0; ic < c.in_channels; ++ic)
      for (int64_t i = 0; i < in_volume; ++i)
        for (int64_t oc = 0; oc < c.out_channels; ++oc)
          for (int64_t k = 0; k < kernel_volume; ++k) {
            const int64_t id = i / (c.in[1] * c.in[2]), ih = (i / c.in[2]) % c.in[1], iw = i % c.in[2];
            const int64_t kd = k / (c.kernel[1] * c.kernel[2]), kh = (k / c.kernel[2]) % c.kernel[1];
            const int64_t kw = k % c.kernel[2];
            const int64_t pd = id * o.stride[0] - o.padding[0] + kd * o.dilation[0];
            const int64_t ph = ih * o.stride[1] - o.padding[1] + kh * o.dilation[1];
            const int64_t pw = iw * o.stride[2] - o.padding[2] + kw * o.dilation[2];
            if (pd < 0 || pd >= out[0] || ph < 0 || ph >= out[1] || pw < 0 || pw >= out[2]) continue;
            y[size_t((n * c.out_channels + oc) * out_volume + (pd * out[1] + ph) * out[2] + pw)] +=
                double(x[size_t((n * c.in_channels + ic) * in_volume + i)]) *
                w[size_t((ic * c.out_channels + oc) * kernel_volume + k)];
          }
  return y;
}

void check_forward(const TransposeCase& c, uint32_t seed) {
  const auto x = testing::random_values(size_t(medrepro::element_count(c.input())), seed);
  const auto w = testing::random_values(size_t(medrepro::element_count(c.weight())), seed + 1);
  const auto b = testing::random_values(size_t(c.out_channels), seed + 2);
  Tensor bias = c.bias ? Tensor::from_host({c.out_channels}, b) : Tensor();
  Tensor y = c.run(Tensor::from_host(c.input(), x), Tensor::from_host(c.weight(), w), bias);
  REQUIRE_MESSAGE(y.shape() == c.output(), c.name());
  testing::check_close(y.to_host(), reference(c, x, w, b), 1e-5, 1e-4, c.name());
}

void check_backward(const TransposeCase& c, uint32_t seed) {
  INFO(c.name());
  std::vector<Tensor> inputs{testing::random_tensor(c.input(), seed), testing::random_tensor(c.weight(), seed + 1)};
  if (c.bias) inputs.push_back(testing::random_tensor({c.out_channels}, seed + 2));
  testing::check_gradients(
      [c](const std::vector<Tensor>& in) { return c.run(in[0], in[1], in.size() > 2 ? in[2] : Tensor()); }, inputs);
}

struct ColumnBudget {
  explicit ColumnBudget(uint64_t bytes) { medrepro::set_volume_column_budget_bytes(bytes); }
  ~ColumnBudget() { medrepro::set_volume_column_budget_bytes(0); }
  ColumnBudget(const ColumnBudget&) = delete;
  ColumnBudget& operator=(const ColumnBudget&) = delete;
};

}  // namespace

TEST_CASE("conv_transpose2d and conv_transpose3d forward against float64") {
  const TransposeCase cases[] = {
      {2, 1, 1, {1, 1, 1}, 1, {1, 1, 1}, {}},
      {2, 1, 3, {1, 4, 5}, 2, {1, 3, 3}, options2({2, 2}, {1, 1}, {1, 1})},               // output padding 1
      {2, 2, 2, {1, 3, 3}, 5, {1, 2, 3}, options2({2, 1}, {0, 1}, {1, 0}), false},        // per-axis options
      {2, 1, 2, {1, 4, 3}, 3, {1, 3, 2}, options2({1, 1}, {2, 0}, {1, 0}, {2, 1})},       // output padding < dilation
      {2, 2, 5, {1, 3, 4}, 7, {1, 1, 1}, {}},                                             // pointwise
      {2, 1, 3, {1, 5, 4}, 2, {1, 4, 4}, options2({2, 2}, {1, 1})},                       // the U-Net up-convolution
      {3, 1, 3, {3, 4, 5}, 2, {3, 3, 3}, options3({2, 2, 2}, {1, 1, 1}, {1, 1, 1})},      // 3-D, output padding 1
      {3, 2, 2, {2, 3, 2}, 3, {2, 2, 2}, options3({2, 2, 2}, {0, 0, 0})},                 // the 2x up-convolution
      {3, 2, 5, {2, 3, 4}, 3, {1, 1, 1}, {}},                                             // pointwise
      {3, 1, 3, {2, 3, 2}, 2, {1, 1, 1}, options3({2, 3, 1}, {0, 0, 0}, {1, 2, 0})},      // 1x1x1 with stride
      {3, 1, 2, {3, 2, 3}, 3, {3, 2, 3}, options3({1, 2, 1}, {2, 1, 0}, {0, 1, 1}, {2, 1, 2})},  // dilation 2
      // A 1x1x1 kernel whose output padding (allowed by the dilation) adds a bias-only border.
      {3, 2, 2, {2, 3, 2}, 3, {1, 1, 1}, options3({1, 1, 1}, {0, 0, 0}, {1, 0, 1}, {2, 1, 2})},
  };
  uint32_t seed = 1;
  for (const TransposeCase& c : cases) check_forward(c, seed += 3);
}

TEST_CASE("conv_transpose2d and conv_transpose3d backward against finite differences") {
  const TransposeCase cases[] = {
      {2, 1, 3, {1, 3, 4}, 2, {1, 3, 3}, options2({2, 2}, {1, 1}, {1, 1})},
      {2, 2, 2, {1, 2, 3}, 3, {1, 1, 1}, {}, false},  // pointwise
      {3, 1, 2, {3, 2, 3}, 3, {3, 3, 3}, options3({2, 2, 2}, {1, 1, 1}, {1, 1, 1})},
      {3, 1, 3, {2, 2, 3}, 2, {2, 2, 2}, options3({2, 2, 2}, {0, 0, 0})},
      {3, 1, 2, {2, 3, 2}, 2, {1, 1, 1}, options3({2, 1, 2}, {0, 0, 0}, {1, 0, 1})},
      {3, 1, 2, {2, 2, 3}, 2, {2, 3, 2}, options3({1, 1, 1}, {1, 0, 1}, {1, 0, 1}, {2, 1, 2})},  // dilation 2
      {3, 1, 2, {2, 2, 3}, 2, {1, 1, 1}, options3({1, 1, 1}, {0, 0, 0}, {1, 0, 0}, {2, 1, 1})},  // 1x1x1, padded
  };
  uint32_t seed = 100;
  for (const TransposeCase& c : cases) check_backward(c, seed += 3);
}

TEST_CASE("conv_transpose3d used twice accumulates every gradient") {
  testing::check_gradients(
      [](const std::vector<Tensor>& in) {
        const ConvTranspose3dOptions o = options3({2, 1, 2}, {1, 0, 0}, {1, 0, 0});
        return medrepro::add(medrepro::conv_transpose3d(in[0], in[1], in[2], o),
                             medrepro::conv_transpose3d(in[0], in[1], in[2], o));
      },
      {testing::random_tensor({2, 2, 2, 2, 3}, 41), testing::random_tensor({2, 3, 3, 2, 2}, 42),
       testing::random_tensor({3}, 43)});
}

TEST_CASE("conv_transpose3d in chunks of the batch and of one image's depth matches the whole") {
  const TransposeCase c{3, 4, 3, {3, 2, 3}, 2, {3, 3, 3}, options3({2, 2, 1}, {1, 1, 1}, {1, 1, 0})};
  // Its columns: 2 * 27 rows over one input depth slice of 2 x 3 positions; 3 slices per image.
  const uint64_t slice_bytes = 54 * 6 * sizeof(float), image_bytes = 3 * slice_bytes;
  const auto x = testing::random_values(size_t(medrepro::element_count(c.input())), 51);
  const auto w = testing::random_values(size_t(medrepro::element_count(c.weight())), 52);
  const auto b = testing::random_values(size_t(c.out_channels), 53);
  auto run = [&] {
    Tensor tx = Tensor::from_host(c.input(), x), tw = Tensor::from_host(c.weight(), w);
    Tensor tb = Tensor::from_host({c.out_channels}, b);
    for (Tensor* t : {&tx, &tw, &tb}) t->set_requires_grad(true);
    Tensor y = c.run(tx, tw, tb);
    y.backward(testing::random_tensor(y.shape(), 54));
    return std::vector<std::vector<float>>{y.to_host(), tx.grad().to_host(), tw.grad().to_host(),
                                           tb.grad().to_host()};
  };
  const auto whole = run();
  for (uint64_t budget_bytes : {3 * image_bytes, image_bytes, 2 * slice_bytes, slice_bytes}) {
    INFO("budget " << budget_bytes << " bytes");
    ColumnBudget budget(budget_bytes);
    const auto chunked = run();
    // The input gradient (a convolution forward) and the bias gradient are computed as
    // without chunks; the output adds depth slices, the weight gradient chunk partial sums.
    CHECK(chunked[1] == whole[1]);
    CHECK(chunked[3] == whole[3]);
    testing::check_close(chunked[0], testing::to_double(whole[0]), 1e-5, 1e-5, "output in chunks");
    testing::check_close(chunked[2], testing::to_double(whole[2]), 1e-5, 1e-5, "weight gradient in chunks");
    check_forward(c, 55);
  }
  ColumnBudget budget(12 * 4 * sizeof(float));  // one depth slice of one image per chunk
  check_backward({3, 2, 2, {3, 2, 2}, 1, {3, 2, 2}, options3({2, 1, 2}, {1, 0, 1}, {1, 0, 0})}, 56);
}

TEST_CASE("conv_transpose rejects bad shapes and options naming the op and both shapes") {
  CHECK_THROWS_WITH_AS(
      medrepro::conv_transpose3d(Tensor::zeros({1, 3, 2, 2, 2}), Tensor::zeros({2, 4, 3, 3, 3}), Tensor()),
      doctest::Contains("conv_transpose3d: input [1, 3, 2, 2, 2] and weight [2, 4, 3, 3, 3] disagree "
                        "on input channels (3 vs 2"),
      medrepro::Error);
  CHECK_THROWS_WITH_AS(
      medrepro::conv_transpose2d(Tensor::zeros({1, 2, 3, 3}), Tensor::zeros({2, 4, 3, 3}), Tensor(),
                                 {2, 2, 0, 0, 2, 0}),
      doctest::Contains("conv_transpose2d: stride 2x2, padding 0x0, output padding 2x0, dilation 1x1: stride and "
                        "dilation must be positive, padding non-negative and output padding smaller than the stride "
                        "or the dilation (input [1, 2, 3, 3] and weight [2, 4, 3, 3])"),
      medrepro::Error);
  CHECK_THROWS_WITH_AS(
      medrepro::conv_transpose2d(Tensor::zeros({1, 2, 1, 3}), Tensor::zeros({2, 4, 1, 1}), Tensor(), {1, 1, 1, 0}),
      doctest::Contains("give an empty output (-1 along axis 2)"), medrepro::Error);
  CHECK_THROWS_WITH_AS(
      medrepro::conv_transpose3d(Tensor::zeros({1, 2, 3, 3, 3}), Tensor::zeros({2, 4, 3, 3, 3}), Tensor::zeros({2})),
      doctest::Contains("conv_transpose3d: bias [2] does not match weight [2, 4, 3, 3, 3]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(
      medrepro::conv_transpose2d(Tensor::zeros({1, 2, 3, 3, 3}), Tensor::zeros({2, 4, 3, 3}), Tensor()),
      doctest::Contains("conv_transpose2d: input must have rank 4"), medrepro::Error);
}
