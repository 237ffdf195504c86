#include <doctest/doctest.h>

#include "core/ops/conv2d.h"
#include "core/ops/elementwise.h"
#include "core/ops/gemm.h"
#include "testing.h"

using medrepro::Conv2dOptions;
using medrepro::Shape;
using medrepro::Tensor;

namespace {

struct ConvCase {
  int64_t batch, channels, height, width, out_channels, kernel_h, kernel_w;
  Conv2dOptions options;
  bool bias = true;

  Shape input() const { return {batch, channels, height, width}; }
  Shape weight() const { return {out_channels, channels, kernel_h, kernel_w}; }
  int64_t out_h() const {
    return (height + 2 * options.pad_h - options.dilation_h * (kernel_h - 1) - 1) / options.stride_h + 1;
  }
  int64_t out_w() const {
    return (width + 2 * options.pad_w - options.dilation_w * (kernel_w - 1) - 1) / options.stride_w + 1;
  }
  std::string name() const {
    const Conv2dOptions& o = options;
    return medrepro::to_string(input()) + " * " + medrepro::to_string(weight()) + " stride " +
           std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w) + " pad " + std::to_string(o.pad_h) + "x" +
           std::to_string(o.pad_w) + " dilation " + std::to_string(o.dilation_h) + "x" +
           std::to_string(o.dilation_w) + (bias ? " with bias" : "");
  }
};

// Direct convolution in float64: the definition, with no im2col.
std::vector<double> reference(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                              const std::vector<float>& b) {
  const Conv2dOptions& o = c.options;
  const int64_t oh_count = c.out_h(), ow_count = c.out_w();
  std::vector<double> out(static_cast<size_t>(c.batch * c.out_channels * oh_count * ow_count));
  size_t index = 0;
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t oc = 0; oc < c.out_channels; ++oc)
      for (int64_t oh = 0; oh < oh_count; ++oh)
        for (int64_t ow = 0; ow < ow_count; ++ow) {
          double sum = c.bias ? b[size_t(oc)] : 0.0;
          for (int64_t ic = 0; ic < c.channels; ++ic)
            for (int64_t kh = 0; kh < c.kernel_h; ++kh)
              for (int64_t kw = 0; kw < c.kernel_w; ++kw) {
                const int64_t ih = oh * o.stride_h - o.pad_h + kh * o.dilation_h;
                const int64_t iw = ow * o.stride_w - o.pad_w + kw * o.dilation_w;
                if (ih < 0 || ih >= c.height || iw < 0 || iw >= c.width) continue;
                sum += double(x[size_t(((n * c.channels + ic) * c.height + ih) * c.width + iw)]) *
                       w[size_t(((oc * c.channels + ic) * c.kernel_h + kh) * c.kernel_w + kw)];
              }
          out[index++] = sum;
        }
  return out;
}

void check_forward(const ConvCase& c, uint32_t seed) {
  const auto x = testing::random_values(size_t(medrepro::element_count(c.input())), seed);
  const auto w = testing::random_values(size_t(medrepro::element_count(c.weight())), seed + 1);
  const auto b = testing::random_values(size_t(c.out_channels), seed + 2);
  Tensor bias = c.bias ? Tensor::from_host({c.out_channels}, b) : Tensor();
  Tensor y = medrepro::conv2d(Tensor::from_host(c.input(), x), Tensor::from_host(c.weight(), w), bias, c.options);
  REQUIRE_MESSAGE(y.shape() == Shape({c.batch, c.out_channels, c.out_h(), c.out_w()}), c.name());
  testing::check_close(y.to_host(), reference(c, x, w, b), 1e-5, 1e-4, c.name());
}

void check_backward(const ConvCase& c, uint32_t seed) {
  INFO(c.name());
  std::vector<Tensor> inputs{testing::random_tensor(c.input(), seed), testing::random_tensor(c.weight(), seed + 1)};
  if (c.bias) inputs.push_back(testing::random_tensor({c.out_channels}, seed + 2));
  const Conv2dOptions options = c.options;
  testing::check_gradients(
      [options](const std::vector<Tensor>& in) {
        return medrepro::conv2d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), options);
      },
      inputs);
}

Conv2dOptions stride_pad_dilation(int stride_h, int stride_w, int pad_h, int pad_w, int dilation_h = 1,
                                  int dilation_w = 1) {
  return {stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w};
}

// Restores the default column budget when a test that shrank it ends, even by an exception.
struct ColumnBudget {
  explicit ColumnBudget(uint64_t bytes) { medrepro::set_conv2d_column_budget_bytes(bytes); }
  ~ColumnBudget() { medrepro::set_conv2d_column_budget_bytes(0); }
  ColumnBudget(const ColumnBudget&) = delete;
  ColumnBudget& operator=(const ColumnBudget&) = delete;
};

}  // namespace

TEST_CASE("conv2d forward against a float64 direct convolution") {
  const ConvCase cases[] = {
      {1, 1, 1, 1, 1, 1, 1, {}},
      {2, 3, 7, 5, 4, 3, 2, stride_pad_dilation(1, 1, 1, 1)},           // non-square kernel and input
      {2, 3, 7, 5, 4, 3, 2, stride_pad_dilation(2, 3, 1, 2), false},    // asymmetric stride and padding
      {1, 2, 11, 13, 3, 3, 3, stride_pad_dilation(3, 3, 2, 2, 2, 2)},   // stride 3, dilation 2
      {2, 5, 6, 6, 7, 1, 1, {}},                                        // pointwise: no im2col
      {1, 3, 5, 5, 2, 1, 1, stride_pad_dilation(2, 2, 0, 0)},           // 1x1 kernel with stride
      {1, 2, 4, 3, 3, 1, 1, stride_pad_dilation(1, 1, 1, 0)},           // 1x1 kernel with padding
      {2, 3, 8, 8, 5, 3, 3, stride_pad_dilation(1, 1, 1, 1)},
      {1, 2, 3, 4, 3, 5, 6, stride_pad_dilation(1, 1, 1, 1)},           // kernel as large as the padded input
      {3, 16, 17, 19, 8, 5, 3, stride_pad_dilation(2, 1, 2, 1)},
      {2, 13, 9, 9, 11, 3, 3, stride_pad_dilation(1, 1, 0, 0, 2, 1)},
      // The last layers of small inputs: 2x2 and 1x1 outputs over a batch (batched GEMMs
      // merged into one; column kernels with several planes per workgroup).
      {5, 7, 3, 3, 6, 3, 3, stride_pad_dilation(2, 2, 1, 1)},
      {9, 37, 2, 2, 5, 3, 3, stride_pad_dilation(2, 2, 1, 1)},
  };
  uint32_t seed = 1;
  for (const ConvCase& c : cases) check_forward(c, seed += 3);
}

TEST_CASE("conv2d backward against finite differences") {
  const ConvCase cases[] = {
      {1, 2, 5, 4, 3, 3, 2, stride_pad_dilation(1, 1, 1, 1)},           // batch 1, 3x2 kernel
      {2, 2, 7, 6, 2, 2, 2, stride_pad_dilation(2, 2, 0, 0, 2, 2)},     // stride 2, dilation 2
      {1, 3, 7, 7, 2, 3, 3, stride_pad_dilation(3, 3, 2, 2), false},    // stride 3, padding 2
      {2, 3, 3, 5, 4, 1, 1, {}},                                        // pointwise
      {1, 2, 5, 3, 3, 1, 1, stride_pad_dilation(2, 1, 1, 0)},           // 1x1 with stride and padding
      {2, 1, 3, 3, 1, 3, 3, stride_pad_dilation(1, 1, 0, 0)},           // 1x1 output
      {3, 5, 3, 3, 4, 3, 3, stride_pad_dilation(2, 2, 1, 1)},           // 2x2 outputs over a batch
      {3, 4, 2, 2, 3, 3, 3, stride_pad_dilation(2, 2, 1, 1)},           // 1x1 outputs over a batch
  };
  uint32_t seed = 100;
  for (const ConvCase& c : cases) check_backward(c, seed += 3);
}

TEST_CASE("conv2d used twice accumulates every gradient") {
  // A general kernel (im2col path) and a pointwise one (direct GEMM path).
  for (const ConvCase& c : {ConvCase{2, 2, 5, 4, 3, 2, 3, stride_pad_dilation(2, 1, 1, 0)},
                            ConvCase{2, 3, 2, 3, 2, 1, 1, {}}}) {
    INFO(c.name());
    const Conv2dOptions options = c.options;
    testing::check_gradients(
        [options](const std::vector<Tensor>& in) {
          return medrepro::add(medrepro::conv2d(in[0], in[1], in[2], options),
                               medrepro::conv2d(in[0], in[1], in[2], options));
        },
        {testing::random_tensor(c.input(), 41), testing::random_tensor(c.weight(), 42),
         testing::random_tensor({c.out_channels}, 43)});
  }
}

TEST_CASE("conv2d processes the batch in chunks when the column buffer would be too large") {
  const ConvCase c{5, 3, 6, 5, 4, 3, 3, stride_pad_dilation(1, 2, 1, 1)};
  // One image's columns are 27 x 18 floats; reference results with the default budget.
  const auto x = testing::random_values(size_t(medrepro::element_count(c.input())), 51);
  const auto w = testing::random_values(size_t(medrepro::element_count(c.weight())), 52);
  const auto b = testing::random_values(size_t(c.out_channels), 53);
  auto run = [&] {
    Tensor tx = Tensor::from_host(c.input(), x), tw = Tensor::from_host(c.weight(), w);
    Tensor tb = Tensor::from_host({c.out_channels}, b);
    for (Tensor* t : {&tx, &tw, &tb}) t->set_requires_grad(true);
    Tensor y = medrepro::conv2d(tx, tw, tb, c.options);
    y.backward(testing::random_tensor(y.shape(), 54));
    return std::vector<std::vector<float>>{y.to_host(), tx.grad().to_host(), tw.grad().to_host(),
                                           tb.grad().to_host()};
  };
  const auto whole = run();
  for (uint64_t images : {1, 2, 3}) {
    ColumnBudget budget(images * 27 * 18 * sizeof(float));
    const auto chunked = run();
    // Each output and input-gradient element is computed as without chunks, bit for bit; the
    // weight gradient adds chunk partial sums, a different rounding of the same sum.
    for (size_t i : {0u, 1u, 3u}) CHECK_MESSAGE(chunked[i] == whole[i], images << " image(s) per chunk, result " << i);
    testing::check_close(chunked[2], testing::to_double(whole[2]), 1e-5, 1e-5, "weight gradient in chunks");
    check_forward(c, 55);
  }
  ColumnBudget budget(2 * 27 * 18 * sizeof(float));
  check_backward({3, 2, 4, 5, 2, 3, 3, stride_pad_dilation(1, 1, 1, 1)}, 56);
}

TEST_CASE("conv2d rejects bad shapes naming the op and both shapes") {
  CHECK_THROWS_WITH_AS(medrepro::conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 4, 3, 3}), Tensor()),
                       doctest::Contains("conv2d: input [1, 3, 5, 5] and weight [2, 4, 3, 3] disagree"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 3, 7, 3}), Tensor()),
                       doctest::Contains("larger than the padded input 5x5 (input [1, 3, 5, 5] and weight"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 3, 3, 3}), Tensor(),
                                        stride_pad_dilation(1, 1, 0, 0, 3, 1)),
                       doctest::Contains("larger than the padded input"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 3, 3, 3}), Tensor(),
                                        stride_pad_dilation(0, 1, 0, 0)),
                       doctest::Contains("conv2d: stride 0x1"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 3, 3, 3}), Tensor::zeros({3})),
                       doctest::Contains("conv2d: bias [3] does not match weight [2, 3, 3, 3]"), medrepro::Error);
  CHECK_THROWS_AS(medrepro::conv2d(Tensor::zeros({3, 5, 5}), Tensor::zeros({2, 3, 3, 3}), Tensor()),
                  medrepro::Error);
}

TEST_CASE("conv2d: texel-buffer kernels and the storage-buffer fallback agree bit for bit") {
  // LeNet-like (folded batch, 5x5 taps), strided and padded, dilated, pointwise.
  const ConvCase cases[] = {
      {3, 1, 12, 12, 4, 5, 5, {}},
      {2, 3, 9, 7, 5, 3, 3, stride_pad_dilation(2, 1, 1, 2)},
      {2, 2, 9, 9, 3, 3, 2, stride_pad_dilation(1, 2, 0, 1, 2, 1)},
      {2, 6, 4, 5, 7, 1, 1, {}},
  };
  uint32_t seed = 200;
  for (const ConvCase& c : cases) {
    INFO(c.name());
    Tensor x = testing::random_tensor(c.input(), seed++), w = testing::random_tensor(c.weight(), seed++);
    Tensor b = testing::random_tensor({c.out_channels}, seed++);
    Tensor dy = testing::random_tensor({c.batch, c.out_channels, c.out_h(), c.out_w()}, seed++);
    auto run = [&](medrepro::GemmPath path) {
      medrepro::GemmTuning tuning;
      tuning.path = path;
      const medrepro::GemmTuning saved = medrepro::gemm_tuning();
      medrepro::set_gemm_tuning(tuning);
      Tensor tx = x.detach(), tw = w.detach(), tb = b.detach();
      for (Tensor* t : {&tx, &tw, &tb}) t->set_requires_grad(true);
      Tensor y = medrepro::conv2d(tx, tw, tb, c.options);
      y.backward(dy);
      std::vector<std::vector<float>> results{y.to_host(), tx.grad().to_host(), tw.grad().to_host(),
                                              tb.grad().to_host()};
      medrepro::set_gemm_tuning(saved);
      return results;
    };
    const auto texel = run(medrepro::GemmPath::Auto), storage = run(medrepro::GemmPath::Storage);
    for (size_t i = 0; i < texel.size(); ++i) CHECK_MESSAGE(texel[i] == storage[i], "result " << i << " differs");
  }
}
