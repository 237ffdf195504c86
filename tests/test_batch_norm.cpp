#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/kernels.h"
#include "core/nn/norm_layers.h"
#include "core/ops/batch_norm.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

// Float64 batch norm over x viewed as [outer, channels, inner], PyTorch semantics.
struct Reference {
  std::vector<double> y;
  std::vector<double> running_mean, running_var;  // after the update (training) or as given
};

Reference reference_batch_norm(const std::vector<float>& x, const Shape& shape, const std::vector<float>& gamma,
                               const std::vector<float>& beta, const std::vector<float>& running_mean,
                               const std::vector<float>& running_var, bool training, double momentum, double eps) {
  const size_t outer = size_t(shape[0]), channels = size_t(shape[1]);
  const size_t inner = x.size() / (outer * channels);
  const double m = double(outer * inner);
  Reference r{std::vector<double>(x.size()), testing::to_double(running_mean), testing::to_double(running_var)};
  for (size_t c = 0; c < channels; ++c) {
    auto at = [&](size_t o, size_t i) { return (o * channels + c) * inner + i; };
    double mean = 0, variance = 0;
    if (training) {
      for (size_t o = 0; o < outer; ++o)
        for (size_t i = 0; i < inner; ++i) mean += x[at(o, i)];
      mean /= m;
      for (size_t o = 0; o < outer; ++o)
        for (size_t i = 0; i < inner; ++i) variance += (x[at(o, i)] - mean) * (x[at(o, i)] - mean);
      variance /= m;
      r.running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean;
      r.running_var[c] = (1 - momentum) * running_var[c] + momentum * variance * m / (m - 1);
    } else {
      mean = running_mean[c];
      variance = running_var[c];
    }
    const double g = gamma.empty() ? 1.0 : gamma[c], b = beta.empty() ? 0.0 : beta[c];
    for (size_t o = 0; o < outer; ++o)
      for (size_t i = 0; i < inner; ++i) r.y[at(o, i)] = (x[at(o, i)] - mean) / std::sqrt(variance + eps) * g + b;
  }
  return r;
}

struct Case {
  Shape shape;
  bool affine;
};

// An offset makes the float32 mean itself inexact by about ulp(offset) / 2, hence y_atol.
void check_forward(const Shape& shape, bool affine, bool training, uint32_t seed, float offset = 0.0f,
                   double y_atol = 1e-5) {
  const int64_t channels = shape[1];
  std::vector<float> x = testing::random_values(size_t(medrepro::element_count(shape)), seed, -2.0f, 2.0f);
  for (float& v : x) v += offset;
  const auto gamma = affine ? testing::random_values(size_t(channels), seed + 1, 0.5f, 1.5f) : std::vector<float>{};
  const auto beta = affine ? testing::random_values(size_t(channels), seed + 2) : std::vector<float>{};
  const auto mean = testing::random_values(size_t(channels), seed + 3);
  const auto var = testing::random_values(size_t(channels), seed + 4, 0.5f, 2.0f);
  const Tensor running_mean = Tensor::from_host({channels}, mean), running_var = Tensor::from_host({channels}, var);
  const Tensor y = medrepro::batch_norm(Tensor::from_host(shape, x),
                                        affine ? Tensor::from_host({channels}, gamma) : Tensor(),
                                        affine ? Tensor::from_host({channels}, beta) : Tensor(), running_mean,
                                        running_var, training, 0.1f, 1e-5f);
  const Reference r = reference_batch_norm(x, shape, gamma, beta, mean, var, training, 0.1, 1e-5);
  const std::string what = medrepro::to_string(shape) + (training ? " training" : " eval") +
                           (affine ? " affine" : " plain");
  testing::check_close(y.to_host(), r.y, 1e-4, y_atol, what + " y");
  // Training updates the running statistics in place; evaluation leaves them alone.
  testing::check_close(running_mean.to_host(), r.running_mean, 1e-5, 1e-6, what + " running_mean");
  testing::check_close(running_var.to_host(), r.running_var, 1e-5, 1e-6, what + " running_var");
}

}  // namespace

TEST_CASE("batch_norm training forward and running statistics against float64") {
  // [N, C], [N, C, L], [N, C, H, W], [N, C, D, H, W]; prime channels, non-square, non-cubic, N = 2 minimum.
  for (const Shape& shape : {Shape{5, 3}, Shape{2, 7}, Shape{2, 7, 5}, Shape{2, 3, 5, 4}, Shape{2, 3, 3, 4, 5},
                             Shape{3, 2, 17, 19} /* more values per channel than a workgroup has lanes */}) {
    check_forward(shape, true, true, 100);
    check_forward(shape, false, true, 200);
  }
  // [1, C, H, W]: batch 1 is fine in training when there is more than one value per channel.
  check_forward({1, 5, 3, 2}, true, true, 300);
  // A large offset: a one-pass E[x^2] - mean^2 variance would be off by several percent here.
  check_forward({4, 3, 6, 7}, true, true, 400, 1000.0f, 2e-4);
}

TEST_CASE("batch_norm evaluation uses the running statistics, batch 1 included") {
  for (const Shape& shape : {Shape{1, 3}, Shape{1, 5, 7}, Shape{1, 3, 4, 5}, Shape{1, 2, 3, 4, 5}, Shape{3, 7, 2}}) {
    check_forward(shape, true, false, 500);
    check_forward(shape, false, false, 600);
  }
}

TEST_CASE("batch_norm running statistics over several steps, momentum and defaults") {
  const Shape shape{3, 2, 5};
  const Tensor running_mean = Tensor::zeros({2}), running_var = Tensor::full({2}, 1.0f);
  std::vector<float> mean_host(2, 0.0f), var_host(2, 1.0f);
  for (uint32_t step = 0; step < 3; ++step) {
    const auto x = testing::random_values(30, 700 + step, -1.0f, 3.0f);
    medrepro::batch_norm(Tensor::from_host(shape, x), Tensor(), Tensor(), running_mean, running_var, true, 0.3f);
    const Reference r = reference_batch_norm(x, shape, {}, {}, mean_host, var_host, true, double(0.3f), 1e-5);
    testing::check_close(running_mean.to_host(), r.running_mean, 1e-5, 1e-6, "running_mean step");
    testing::check_close(running_var.to_host(), r.running_var, 1e-5, 1e-6, "running_var step");
    mean_host = running_mean.to_host();
    var_host = running_var.to_host();
  }
  // No running statistics in training: normalises with the batch alone.
  const auto x = testing::random_values(30, 800);
  const Tensor y = medrepro::batch_norm(Tensor::from_host(shape, x), Tensor(), Tensor(), Tensor(), Tensor(), true);
  testing::check_close(y.to_host(), reference_batch_norm(x, shape, {}, {}, {0, 0}, {1, 1}, true, 0.1, 1e-5).y, 1e-4,
                       1e-5, "no running statistics");
}

TEST_CASE("batch_norm training backward against finite differences") {
  for (const Shape& shape : {Shape{3, 2}, Shape{2, 3, 5}, Shape{2, 3, 2, 3}, Shape{2, 2, 2, 3, 2}}) {
    CAPTURE(medrepro::to_string(shape));
    const int64_t channels = shape[1];
    const Tensor x = testing::random_tensor(shape, 900, -2.0f, 2.0f);
    const Tensor gamma = testing::random_tensor({channels}, 901, 0.5f, 1.5f);
    const Tensor beta = testing::random_tensor({channels}, 902);
    const Tensor running_mean = Tensor::zeros({channels}), running_var = Tensor::full({channels}, 1.0f);
    testing::check_gradients(
        [&](const auto& in) { return medrepro::batch_norm(in[0], in[1], in[2], running_mean, running_var, true); },
        {x, gamma, beta}, 1e-2, 2e-2, 2e-3);
    testing::check_gradients(
        [&](const auto& in) { return medrepro::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true); },
        {x}, 1e-2, 2e-2, 2e-3);
  }
}

TEST_CASE("batch_norm evaluation backward against finite differences, batch 1") {
  for (const Shape& shape : {Shape{1, 3}, Shape{1, 3, 5}, Shape{1, 2, 3, 2, 2}}) {
    CAPTURE(medrepro::to_string(shape));
    const int64_t channels = shape[1];
    const Tensor x = testing::random_tensor(shape, 950, -2.0f, 2.0f);
    const Tensor gamma = testing::random_tensor({channels}, 951, 0.5f, 1.5f);
    const Tensor beta = testing::random_tensor({channels}, 952);
    const Tensor running_mean = testing::random_tensor({channels}, 953);
    const Tensor running_var = testing::random_tensor({channels}, 954, 0.5f, 2.0f);
    testing::check_gradients(
        [&](const auto& in) { return medrepro::batch_norm(in[0], in[1], in[2], running_mean, running_var, false); },
        {x, gamma, beta});
    testing::check_gradients(
        [&](const auto& in) {
          return medrepro::batch_norm(in[0], Tensor(), Tensor(), running_mean, running_var, false);
        },
        {x});
  }
}

TEST_CASE("batch_norm gradients of gamma and beta alone, and accumulation") {
  const Tensor x = testing::random_tensor({2, 3, 4}, 960, -2.0f, 2.0f);
  const Tensor gamma = testing::random_tensor({3}, 961, 0.5f, 1.5f);
  const Tensor beta = testing::random_tensor({3}, 962);
  // x is data here: only the parameter gradients are computed.
  testing::check_gradients(
      [&](const auto& in) { return medrepro::batch_norm(x, in[0], in[1], Tensor(), Tensor(), true); }, {gamma, beta});
  // x, gamma and beta each used twice (training and evaluation): the second backward adds
  // to the first (the beta = 1 paths of every gradient kernel).
  const Tensor running_mean = testing::random_tensor({3}, 963);
  const Tensor running_var = testing::random_tensor({3}, 964, 0.5f, 2.0f);
  testing::check_gradients(
      [&](const auto& in) {
        return medrepro::add(medrepro::batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true),
                             medrepro::batch_norm(in[0], in[1], in[2], running_mean, running_var, false));
      },
      {x, gamma, beta});
  testing::check_gradients(
      [&](const auto& in) {
        return medrepro::add(medrepro::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true),
                             medrepro::batch_norm(in[0], Tensor(), Tensor(), Tensor(), Tensor(), true));
      },
      {x});
}

TEST_CASE("batch_norm is bit-reproducible") {
  const Tensor x = testing::random_tensor({3, 5, 11, 13}, 970);
  const Tensor gamma = testing::random_tensor({5}, 971), beta = testing::random_tensor({5}, 972);
  const auto first = medrepro::batch_norm(x, gamma, beta, Tensor(), Tensor(), true).to_host();
  const auto second = medrepro::batch_norm(x, gamma, beta, Tensor(), Tensor(), true).to_host();
  CHECK(first == second);
}

TEST_CASE("batch_norm's texel kernels (four elements per invocation) match the storage fallbacks") {
  // [4, 3, 6, 7]: quads of four elements straddle channels (inner 42); [2, 3, 5, 4]: they do not.
  for (const Shape& shape : {Shape{4, 3, 6, 7}, Shape{2, 3, 5, 4}, Shape{2, 5, 3, 3, 4}}) {
    INFO(medrepro::to_string(shape));
    auto run = [&shape] {
      Tensor x = testing::random_tensor(shape, 980), gamma = testing::random_tensor({shape[1]}, 981);
      Tensor beta = testing::random_tensor({shape[1]}, 982);
      for (Tensor* t : {&x, &gamma, &beta}) t->set_requires_grad(true);
      Tensor y = medrepro::batch_norm(x, gamma, beta, Tensor(), Tensor(), true);
      y.backward(testing::random_tensor(shape, 983));
      return std::vector<std::vector<float>>{y.to_host(), x.grad().to_host(), gamma.grad().to_host(),
                                             beta.grad().to_host()};
    };
    const auto texel = run();
    const medrepro::ForceStorageReads storage_reads;
    const auto storage = run();
    for (size_t i = 0; i < texel.size(); ++i) {
      testing::check_close(storage[i], testing::to_double(texel[i]), 1e-6, 1e-7, "output " + std::to_string(i));
    }
  }
}

TEST_CASE("batch_norm rejects bad shapes") {
  const Tensor x = Tensor::zeros({2, 3, 4});
  const Tensor c3 = Tensor::zeros({3}), c4 = Tensor::zeros({4});
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(Tensor::zeros({1, 3}), c3, c3, c3, c3, true),
                       doctest::Contains("more than one value per channel"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(Tensor::zeros({1, 3, 1, 1}), c3, c3, c3, c3, true),
                       doctest::Contains("[1, 3, 1, 1]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(x, c4, c4, c3, c3, true), doctest::Contains("gamma of shape [4]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(x, c3, Tensor(), c3, c3, true), doctest::Contains("gamma and beta"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(x, c3, c3, c3, c4, true), doctest::Contains("running_var of shape [4]"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(x, c3, c3, Tensor(), Tensor(), false),
                       doctest::Contains("evaluation mode needs running_mean"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::batch_norm(Tensor::zeros({3}), c3, c3, c3, c3, true), doctest::Contains("rank >= 2"),
                       medrepro::Error);
}

TEST_CASE("BatchNorm module: parameters, running statistics, train and eval") {
  medrepro::nn::BatchNorm bn(3, 1e-2f, 0.3f);  // PyTorch order: eps, then momentum
  CHECK(bn.parameters().size() == 2);
  CHECK(bn.parameters()[0]->name == "weight");
  CHECK(bn.parameters()[1]->name == "bias");
  const auto x = testing::random_values(2 * 3 * 4, 980, 0.0f, 4.0f);
  const Shape shape{2, 3, 4};
  const Tensor y = bn(Tensor::from_host(shape, x));
  const Reference r =
      reference_batch_norm(x, shape, {1, 1, 1}, {0, 0, 0}, {0, 0, 0}, {1, 1, 1}, true, double(0.3f), double(1e-2f));
  testing::check_close(y.to_host(), r.y, 1e-4, 1e-5, "module training output");
  testing::check_close(bn.running_mean().to_host(), r.running_mean, 1e-5, 1e-6, "module running_mean");
  testing::check_close(bn.running_var().to_host(), r.running_var, 1e-5, 1e-6, "module running_var");

  bn.eval();
  const auto single = testing::random_values(3 * 4, 981);
  const std::vector<float> mean = bn.running_mean().to_host(), var = bn.running_var().to_host();
  const Tensor z = bn(Tensor::from_host({1, 3, 4}, single));
  testing::check_close(
      z.to_host(),
      reference_batch_norm(single, {1, 3, 4}, {1, 1, 1}, {0, 0, 0}, mean, var, false, 0.3, double(1e-2f)).y, 1e-4, 1e-5,
      "module eval output");
  CHECK(bn.running_mean().to_host() == mean);  // evaluation leaves them alone

  medrepro::nn::BatchNorm plain(4, 1e-3f, 0.1f, false);
  CHECK(plain.parameters().empty());
}
