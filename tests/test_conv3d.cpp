#include <doctest/doctest.h>

#include <array>
#include <string>
#include <vector>

#include "core/init.h"
#include "core/kernels.h"
#include "core/loss_log.h"
#include "core/nn/volumetric_layers.h"
#include "core/ops/conv3d.h"
#include "core/ops/elementwise.h"
#include "core/ops/loss.h"
#include "core/optim.h"
#include "testing.h"

using medrepro::Conv3dOptions;
using medrepro::Shape;
using medrepro::Tensor;
namespace nn = medrepro::nn;

namespace {

struct ConvCase {
  int64_t batch, channels;
  std::array<int64_t, 3> in;
  int64_t out_channels;
  std::array<int64_t, 3> kernel;
  Conv3dOptions options;
  bool bias = true;

  Shape input() const { return {batch, channels, in[0], in[1], in[2]}; }
  Shape weight() const { return {out_channels, channels, kernel[0], kernel[1], kernel[2]}; }
  int64_t out(size_t axis) const {
    const Conv3dOptions& o = options;
    return (in[axis] + 2 * o.padding[axis] - o.dilation[axis] * (kernel[axis] - 1) - 1) / o.stride[axis] + 1;
  }
  Shape output() const { return {batch, out_channels, out(0), out(1), out(2)}; }
  std::string name() const {
    auto triple = [](const std::array<int, 3>& v) {
      return std::to_string(v[0]) + "x" + std::to_string(v[1]) + "x" + std::to_string(v[2]);
    };
    return medrepro::to_string(input()) + " * " + medrepro::to_string(weight()) + " stride " +
           triple(options.stride) + " padding " + triple(options.padding) + " dilation " +
           triple(options.dilation) + (bias ? " with bias" : "");
  }
};

Conv3dOptions per_axis(std::array<int, 3> stride, std::array<int, 3> padding, std::array<int, 3> dilation = {1, 1, 1}) {
  return {stride, padding, dilation};
}

// Direct convolution in float64: the definition, with no vol2col.
std::vector<double> reference(const ConvCase& c, const std::vector<float>& x, const std::vector<float>& w,
                              const std::vector<float>& b) {
  const Conv3dOptions& o = c.options;
  std::vector<double> out;
  for (int64_t n = 0; n < c.batch; ++n)
    for (int64_t oc = 0; oc < c.out_channels; ++oc)
      for (int64_t od = 0; od < c.out(0); ++od)
        for (int64_t oh = 0; oh < c.out(1); ++oh)
          for (int64_t ow = 0; ow < c.out(2); ++ow) {
            double sum = c.bias ? b[size_t(oc)] : 0.0;
            for (int64_t ic = 0; ic < c.channels; ++ic)
              for (int64_t kd = 0; kd < c.kernel[0]; ++kd)
                for (int64_t kh = 0; kh < c.kernel[1]; ++kh)
                  for (int64_t kw = 0; kw < c.kernel[2]; ++kw) {
                    const int64_t id = od * o.stride[0] - o.padding[0] + kd * o.dilation[0];
                    const int64_t ih = oh * o.stride[1] - o.padding[1] + kh * o.dilation[1];
                    const int64_t iw = ow * o.stride[2] - o.padding[2] + kw * o.dilation[2];
                    if (id < 0 || id >= c.in[0] || ih < 0 || ih >= c.in[1] || iw < 0 || iw >= c.in[2]) continue;
                    const size_t xi = size_t((((n * c.channels + ic) * c.in[0] + id) * c.in[1] + ih) * c.in[2] + iw);
                    const size_t wi =
                        size_t((((oc * c.channels + ic) * c.kernel[0] + kd) * c.kernel[1] + kh) * c.kernel[2] + kw);
                    sum += double(x[xi]) * w[wi];
                  }
            out.push_back(sum);
          }
  return out;
}

void check_forward(const ConvCase& c, uint32_t seed) {
  const auto x = testing::random_values(size_t(medrepro::element_count(c.input())), seed);
  const auto w = testing::random_values(size_t(medrepro::element_count(c.weight())), seed + 1);
  const auto b = testing::random_values(size_t(c.out_channels), seed + 2);
  Tensor bias = c.bias ? Tensor::from_host({c.out_channels}, b) : Tensor();
  Tensor y = medrepro::conv3d(Tensor::from_host(c.input(), x), Tensor::from_host(c.weight(), w), bias, c.options);
  REQUIRE_MESSAGE(y.shape() == c.output(), c.name());
  testing::check_close(y.to_host(), reference(c, x, w, b), 1e-5, 1e-4, c.name());
}

void check_backward(const ConvCase& c, uint32_t seed) {
  INFO(c.name());
  std::vector<Tensor> inputs{testing::random_tensor(c.input(), seed), testing::random_tensor(c.weight(), seed + 1)};
  if (c.bias) inputs.push_back(testing::random_tensor({c.out_channels}, seed + 2));
  const Conv3dOptions options = c.options;
  testing::check_gradients(
      [options](const std::vector<Tensor>& in) {
        return medrepro::conv3d(in[0], in[1], in.size() > 2 ? in[2] : Tensor(), options);
      },
      inputs);
}

// Restores the default column budget when a test that shrank it ends, even by an exception.
struct ColumnBudget {
  explicit ColumnBudget(uint64_t bytes) { medrepro::set_volume_column_budget_bytes(bytes); }
  ~ColumnBudget() { medrepro::set_volume_column_budget_bytes(0); }
  ColumnBudget(const ColumnBudget&) = delete;
  ColumnBudget& operator=(const ColumnBudget&) = delete;
};

}  // namespace

TEST_CASE("conv3d forward against a float64 direct convolution") {
  const ConvCase cases[] = {
      {1, 1, {1, 1, 1}, 1, {1, 1, 1}, {}},
      {1, 3, {3, 4, 5}, 2, {3, 3, 3}, per_axis({1, 1, 1}, {1, 1, 1})},              // batch 1, non-cubic
      {2, 3, {5, 4, 7}, 5, {3, 2, 3}, per_axis({2, 1, 2}, {1, 0, 1}), false},      // mixed stride/padding
      {1, 2, {7, 6, 5}, 3, {3, 3, 3}, per_axis({1, 1, 1}, {2, 2, 2}, {2, 2, 2})},  // dilation 2
      {2, 5, {3, 4, 5}, 7, {1, 1, 1}, {}},                                         // pointwise: no vol2col
      {1, 3, {5, 4, 5}, 2, {1, 1, 1}, per_axis({2, 2, 2}, {0, 0, 0})},             // 1x1x1 with stride
      {1, 2, {3, 4, 3}, 3, {1, 1, 1}, per_axis({1, 1, 1}, {1, 0, 1})},             // 1x1x1 with padding
      {3, 4, {6, 6, 6}, 5, {3, 3, 3}, per_axis({2, 2, 2}, {1, 1, 1})},
      {1, 2, {3, 4, 5}, 3, {5, 6, 7}, per_axis({1, 1, 1}, {1, 1, 1})},  // kernel as large as the padded input
      {2, 7, {9, 8, 7}, 11, {3, 3, 3}, per_axis({1, 2, 3}, {1, 2, 0}, {1, 2, 1})},
  };
  uint32_t seed = 1;
  for (const ConvCase& c : cases) check_forward(c, seed += 3);
}

TEST_CASE("conv3d backward against finite differences") {
  const ConvCase cases[] = {
      {1, 2, {3, 4, 5}, 3, {3, 3, 3}, per_axis({2, 2, 2}, {1, 1, 1})},              // stride 2, padding 1
      {1, 2, {5, 4, 5}, 2, {2, 2, 2}, per_axis({1, 1, 1}, {0, 1, 0}, {2, 1, 2})},   // dilation 2
      {2, 3, {2, 3, 2}, 2, {1, 1, 1}, {}},                                          // pointwise
      {1, 3, {3, 4, 3}, 2, {1, 1, 1}, per_axis({2, 1, 2}, {1, 0, 1}), false},       // 1x1x1, stride and padding
      {1, 1, {3, 3, 3}, 1, {3, 3, 3}, {}},                                          // 1x1x1 output
      // Stride 1: the data gradient runs as a convolution of dy with the flipped kernel.
      {2, 3, {4, 5, 3}, 2, {3, 2, 3}, per_axis({1, 1, 1}, {1, 0, 1})},
      {1, 2, {3, 4, 3}, 3, {2, 2, 2}, per_axis({1, 1, 1}, {1, 2, 1})},  // padding beyond K - 1: columns instead
      {1, 2, {5, 3, 4}, 2, {3, 3, 2}, per_axis({2, 1, 1}, {0, 1, 1}, {1, 2, 1})},  // depth stride, height dilation
  };
  uint32_t seed = 100;
  for (const ConvCase& c : cases) check_backward(c, seed += 3);
}

TEST_CASE("conv3d used twice accumulates every gradient") {
  for (const ConvCase& c : {ConvCase{1, 2, {3, 3, 4}, 2, {2, 3, 2}, per_axis({1, 2, 1}, {1, 0, 1})},
                            ConvCase{2, 3, {2, 2, 3}, 2, {1, 1, 1}, {}}}) {
    INFO(c.name());
    const Conv3dOptions options = c.options;
    testing::check_gradients(
        [options](const std::vector<Tensor>& in) {
          return medrepro::add(medrepro::conv3d(in[0], in[1], in[2], options),
                               medrepro::conv3d(in[0], in[1], in[2], options));
        },
        {testing::random_tensor(c.input(), 41), testing::random_tensor(c.weight(), 42),
         testing::random_tensor({c.out_channels}, 43)});
  }
}

TEST_CASE("conv3d splits the batch, and one image's output depth, when the columns exceed the budget") {
  const ConvCase c{5, 3, {5, 4, 3}, 4, {3, 3, 3}, per_axis({1, 2, 1}, {1, 1, 1})};
  // One output depth slice's vol2col columns are 81 rows x (2 x 3) positions; an
  // image has 5 slices. On the slab path (27 rows x 8 padded positions per input
  // depth, 7 depths per image) these budgets give chunks of three images, one
  // image, two output depths and one.
  const uint64_t slice_bytes = 81 * 6 * sizeof(float), image_bytes = 5 * slice_bytes;
  const auto x = testing::random_values(size_t(medrepro::element_count(c.input())), 51);
  const auto w = testing::random_values(size_t(medrepro::element_count(c.weight())), 52);
  const auto b = testing::random_values(size_t(c.out_channels), 53);
  auto run = [&] {
    Tensor tx = Tensor::from_host(c.input(), x), tw = Tensor::from_host(c.weight(), w);
    Tensor tb = Tensor::from_host({c.out_channels}, b);
    for (Tensor* t : {&tx, &tw, &tb}) t->set_requires_grad(true);
    Tensor y = medrepro::conv3d(tx, tw, tb, c.options);
    y.backward(testing::random_tensor(y.shape(), 54));
    return std::vector<std::vector<float>>{y.to_host(), tx.grad().to_host(), tw.grad().to_host(),
                                           tb.grad().to_host()};
  };
  const auto whole = run();
  for (uint64_t budget_bytes : {2 * image_bytes, image_bytes, 2 * slice_bytes, slice_bytes}) {
    INFO("budget " << budget_bytes << " bytes");
    ColumnBudget budget(budget_bytes);
    const auto chunked = run();
    // Outputs and bias gradients are computed exactly as without chunks; the input
    // gradient adds depth slices and the weight gradient chunk partial sums in another order.
    CHECK(chunked[0] == whole[0]);
    CHECK(chunked[3] == whole[3]);
    testing::check_close(chunked[1], testing::to_double(whole[1]), 1e-5, 1e-5, "input gradient in chunks");
    testing::check_close(chunked[2], testing::to_double(whole[2]), 1e-5, 1e-5, "weight gradient in chunks");
    check_forward(c, 55);
  }
  ColumnBudget budget(81 * 3 * 2 * 2 * sizeof(float));  // two output depths of one image per chunk
  check_backward({2, 3, {5, 3, 2}, 2, {3, 3, 3}, per_axis({1, 1, 1}, {1, 1, 1})}, 56);
}

TEST_CASE("conv3d's storage-buffer fallbacks give the texel path's results bit for bit") {
  for (const ConvCase& c : {ConvCase{2, 3, {4, 5, 6}, 4, {3, 3, 3}, per_axis({1, 1, 1}, {1, 1, 1})},
                            ConvCase{1, 2, {5, 4, 7}, 3, {3, 2, 3}, per_axis({2, 1, 2}, {1, 0, 1})}}) {
    INFO(c.name());
    auto run = [&c] {
      Tensor x = testing::random_tensor(c.input(), 61), w = testing::random_tensor(c.weight(), 62);
      Tensor b = testing::random_tensor({c.out_channels}, 63);
      for (Tensor* t : {&x, &w, &b}) t->set_requires_grad(true);
      Tensor y = medrepro::conv3d(x, w, b, c.options);
      y.backward(testing::random_tensor(y.shape(), 64));
      return std::vector<std::vector<float>>{y.to_host(), x.grad().to_host(), w.grad().to_host()};
    };
    const auto texel = run();
    const medrepro::ForceStorageReads storage_reads;
    const auto storage = run();
    CHECK(storage[0] == texel[0]);
    CHECK(storage[1] == texel[1]);
    CHECK(storage[2] == texel[2]);
  }
}

TEST_CASE("conv3d rejects bad shapes naming the op and both shapes") {
  CHECK_THROWS_WITH_AS(medrepro::conv3d(Tensor::zeros({1, 3, 4, 5, 5}), Tensor::zeros({2, 4, 3, 3, 3}), Tensor()),
                       doctest::Contains("conv3d: input [1, 3, 4, 5, 5] and weight [2, 4, 3, 3, 3] disagree"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv3d(Tensor::zeros({1, 3, 4, 5, 5}), Tensor::zeros({2, 3, 5, 3, 3}), Tensor()),
                       doctest::Contains("larger than the padded input 4 (input [1, 3, 4, 5, 5] and weight"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv3d(Tensor::zeros({1, 3, 4, 5, 5}), Tensor::zeros({2, 3, 3, 3, 3}), Tensor(),
                                        per_axis({1, 0, 1}, {0, 0, 0})),
                       doctest::Contains("conv3d: stride 1x0x1, padding 0x0x0, dilation 1x1x1"), medrepro::Error);
  CHECK_THROWS_WITH_AS(
      medrepro::conv3d(Tensor::zeros({1, 3, 4, 5, 5}), Tensor::zeros({2, 3, 3, 3, 3}), Tensor::zeros({3})),
      doctest::Contains("conv3d: bias [3] does not match weight [2, 3, 3, 3, 3]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::conv3d(Tensor::zeros({3, 4, 5, 5}), Tensor::zeros({2, 3, 3, 3, 3}), Tensor()),
                       doctest::Contains("conv3d: input must have rank 5, got shape [3, 4, 5, 5]"), medrepro::Error);
}

namespace {

constexpr int kSide = 6;

// Class 0: a bright 2x2x2 blob in the upper half (depth 0..2), class 1: in the lower half.
void make_blobs(int count, uint64_t seed, std::vector<float>& volumes, std::vector<float>& labels) {
  medrepro::Rng rng(seed);
  const size_t volume = kSide * kSide * kSide;
  volumes.assign(size_t(count) * volume, 0.0f);
  labels.resize(size_t(count));
  for (int n = 0; n < count; ++n) {
    const int label = static_cast<int>(rng.below(2));
    const int d0 = label * 3 + static_cast<int>(rng.below(2));
    const int h0 = static_cast<int>(rng.below(kSide - 1)), w0 = static_cast<int>(rng.below(kSide - 1));
    float* v = volumes.data() + size_t(n) * volume;
    for (size_t i = 0; i < volume; ++i) v[i] = static_cast<float>(0.3 * rng.normal());
    for (int d = d0; d < d0 + 2; ++d)
      for (int h = h0; h < h0 + 2; ++h)
        for (int w = w0; w < w0 + 2; ++w) v[(d * kSide + h) * kSide + w] += 1.0f;
    labels[size_t(n)] = static_cast<float>(label);
  }
}

// Encoder and decoder ops in one small net: conv, max pool, transposed conv, average pool.
struct BlobNet : nn::Sequential {
  explicit BlobNet(uint64_t seed) {
    emplace<nn::Conv3d>(1, 4, 3, 1, 1, nn::WeightInit::he(), seed);
    emplace<nn::ReLU>();
    emplace<nn::MaxPool3d>(medrepro::pool3d(2, 2));                                  // 3x3x3
    emplace<nn::ConvTranspose3d>(4, 4, 2, 2, 0, 0, nn::WeightInit::he(), seed + 1);  // 6x6x6
    emplace<nn::ReLU>();
    emplace<nn::AvgPool3d>(medrepro::pool3d(2, 2));  // 3x3x3
    emplace<nn::Flatten>();
    emplace<nn::Linear>(4 * 27, 2, nn::WeightInit::xavier(), seed + 2);
  }
};

struct Result {
  std::vector<float> losses;
  double accuracy = 0;
};

Result train_blobs(uint64_t seed) {
  const int count = 96, batch = 16, epochs = 10;
  const size_t volume = kSide * kSide * kSide;
  std::vector<float> volumes, labels;
  make_blobs(count, 7, volumes, labels);
  BlobNet net(seed);
  medrepro::Sgd sgd(net.parameters(), {0.02f, 0.9f, 0.0005f, medrepro::MomentumConvention::Caffe});
  medrepro::LossLog log;
  int64_t step = 0;
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (int start = 0; start < count; start += batch, ++step) {
      Tensor x = Tensor::from_host({batch, 1, kSide, kSide, kSide},
                                   std::span<const float>(volumes).subspan(size_t(start) * volume, batch * volume));
      Tensor y = Tensor::from_host({batch}, std::span<const float>(labels).subspan(size_t(start), size_t(batch)));
      Tensor loss = medrepro::cross_entropy(net(x), y);
      sgd.zero_grad();
      loss.backward();
      sgd.step();
      log.record(loss, step);
    }
  }
  Result result;
  for (auto& [s, value] : log.drain()) result.losses.push_back(value);
  medrepro::NoGradGuard no_grad;
  net.eval();
  const std::vector<float> logits = net(Tensor::from_host({count, 1, kSide, kSide, kSide}, volumes)).to_host();
  int correct = 0;
  for (int n = 0; n < count; ++n) correct += (logits[2 * n + 1] > logits[2 * n]) == (labels[size_t(n)] > 0.5f);
  result.accuracy = double(correct) / count;
  return result;
}

}  // namespace

TEST_CASE("a tiny 3-D CNN learns where a blob lies in a volume, and the same seed repeats bit for bit") {
  const Result first = train_blobs(1);
  MESSAGE("loss " << first.losses.front() << " -> " << first.losses.back() << ", training accuracy "
                  << first.accuracy);
  CHECK(first.accuracy > 0.95);
  CHECK(first.losses.back() < 0.5 * first.losses.front());
  const Result second = train_blobs(1);
  CHECK(first.losses == second.losses);
}

TEST_CASE("volumetric layer modules give their ops' shapes and own named parameters") {
  struct Net : nn::Sequential {
    Net() {
      emplace<nn::Conv3d>(3, 5, 3, 2, 1, nn::WeightInit::he(), 1);  // [2, 5, 3, 4, 4]
      emplace<nn::Upsample>(std::vector<int>{2, 1, 1}, medrepro::UpsampleMode::Linear);  // [2, 5, 6, 4, 4]
      emplace<nn::ConvTranspose3d>(5, 4, 3, 1, 1, 0, nn::WeightInit::xavier(), 2);      // [2, 4, 6, 4, 4]
      emplace<nn::MaxPool3d>(medrepro::pool3d(2, 2));                                    // [2, 4, 3, 2, 2]
      emplace<nn::AvgPool3d>(medrepro::pool3d(3, 1, 1));                                 // [2, 4, 3, 2, 2]
      emplace<nn::GlobalAvgPool3d>();                                                    // [2, 4]
    }
  } net;
  CHECK(net(testing::random_tensor({2, 3, 6, 7, 8}, 1)).shape() == Shape{2, 4});
  const auto parameters = net.parameters();
  REQUIRE(parameters.size() == 4);
  CHECK(parameters[0]->name == "0.weight");
  CHECK(parameters[0]->value.shape() == Shape{5, 3, 3, 3, 3});
  CHECK(parameters[2]->name == "2.weight");
  CHECK(parameters[2]->value.shape() == Shape{5, 4, 3, 3, 3});  // [in, out, k...] as PyTorch
  CHECK(parameters[3]->value.shape() == Shape{4});
  CHECK(parameters[3]->lr_mult == 2.0f);

  nn::ConvTranspose2d up(4, 2, 2, 2, 0, 0, nn::WeightInit::xavier(), 3);
  CHECK(up(testing::random_tensor({1, 4, 3, 5}, 2)).shape() == Shape{1, 2, 6, 10});
  nn::Upsample nearest({2, 3}, medrepro::UpsampleMode::Nearest);
  CHECK(nearest(testing::random_tensor({1, 2, 3, 5}, 3)).shape() == Shape{1, 2, 6, 15});
}
