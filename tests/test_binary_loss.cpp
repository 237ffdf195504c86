#include <doctest/doctest.h>

#include <cmath>

#include "core/ops/binary_loss.h"
#include "core/ops/elementwise.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

// Float64 BCE with logits in the direct (unstable but exact in float64 for moderate x) form
// -[p t log(sigmoid(x)) + (1 - t) log(1 - sigmoid(x))], via log-sigmoid to reach +-100.
double log_sigmoid(double x) { return x >= 0 ? -std::log1p(std::exp(-x)) : x - std::log1p(std::exp(x)); }

double reference_bce(const std::vector<float>& x, const std::vector<float>& t, const std::vector<float>& pos_weight) {
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double p = pos_weight.empty() ? 1.0 : pos_weight[i % pos_weight.size()];
    sum += -(p * t[i] * log_sigmoid(x[i]) + (1 - double(t[i])) * log_sigmoid(-double(x[i])));
  }
  return sum / double(x.size());
}

}  // namespace

TEST_CASE("bce_with_logits forward against float64") {
  for (const Shape& shape : {Shape{5, 3}, Shape{1, 7}, Shape{13}, Shape{2, 3, 11} /* > one lane each */,
                             Shape{4, 300} /* more elements than the workgroup has lanes */}) {
    CAPTURE(medrepro::to_string(shape));
    const size_t count = size_t(medrepro::element_count(shape));
    const auto x = testing::random_values(count, 10, -8.0f, 8.0f);
    auto hard = testing::random_values(count, 11, 0.0f, 1.0f);
    for (float& v : hard) v = v < 0.5f ? 0.0f : 1.0f;
    const auto soft = testing::random_values(count, 12, 0.0f, 1.0f);
    const auto pos_weight = testing::random_values(size_t(shape.back()), 13, 0.2f, 5.0f);
    for (const std::vector<float>* targets : {static_cast<const std::vector<float>*>(&hard), &soft}) {
      const Tensor logits = Tensor::from_host(shape, x), t = Tensor::from_host(shape, *targets);
      const Tensor loss = medrepro::bce_with_logits(logits, t);
      CHECK(loss.shape() == Shape{1});
      testing::check_close(loss.to_host(), std::vector<double>{reference_bce(x, *targets, {})}, 1e-5, 1e-7,
                           "unweighted");
      const Tensor weighted = medrepro::bce_with_logits(logits, t, Tensor::from_host({shape.back()}, pos_weight));
      testing::check_close(weighted.to_host(), std::vector<double>{reference_bce(x, *targets, pos_weight)}, 1e-5, 1e-7,
                           "pos_weight");
    }
  }
}

TEST_CASE("bce_with_logits is stable at logits +-100 and beyond") {
  const std::vector<float> x{100.0f, -100.0f, 100.0f, -100.0f, 1e4f, -1e4f, 20.0f, -20.0f};
  const std::vector<float> t{1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.0f};
  const Tensor logits = Tensor::from_host({2, 4}, x);
  const Tensor targets = Tensor::from_host({2, 4}, t);
  // Two confident mistakes of 100 each; the rest are (nearly) free, exp(-20) ~ 2e-9 included.
  testing::check_close(medrepro::bce_with_logits(logits, targets).to_host(),
                       std::vector<double>{reference_bce(x, t, {})}, 1e-6, 0, "loss");
  Tensor leaf = logits;
  leaf.set_requires_grad(true);
  medrepro::bce_with_logits(leaf, targets).backward();
  std::vector<double> expected;
  for (size_t i = 0; i < x.size(); ++i) expected.push_back((std::exp(log_sigmoid(x[i])) - t[i]) / 8.0);
  testing::check_close(leaf.grad().to_host(), expected, 1e-5, 1e-12, "gradient");

  const Tensor pos_weight = Tensor::from_host({4}, std::vector<float>{3.0f, 0.5f, 2.0f, 1.0f});
  const std::vector<float> pw{3.0f, 0.5f, 2.0f, 1.0f};
  testing::check_close(medrepro::bce_with_logits(logits, targets, pos_weight).to_host(),
                       std::vector<double>{reference_bce(x, t, pw)}, 1e-6, 0, "weighted loss");
  // A single confident, correct logit: its loss log(1 + exp(-20)) ~ 2e-9 must survive.
  const Tensor confident = Tensor::from_host({1, 2}, std::vector<float>{20.0f, -20.0f});
  const Tensor right = Tensor::from_host({1, 2}, std::vector<float>{1.0f, 0.0f});
  const std::vector<float> cx{20.0f, -20.0f}, ct{1.0f, 0.0f}, cw{2.0f, 3.0f};
  testing::check_close(medrepro::bce_with_logits(confident, right).to_host(),
                       std::vector<double>{reference_bce(cx, ct, {})}, 1e-5, 0, "confident");
  testing::check_close(medrepro::bce_with_logits(confident, right, Tensor::from_host({2}, cw)).to_host(),
                       std::vector<double>{reference_bce(cx, ct, cw)}, 1e-5, 0, "confident weighted");
}

TEST_CASE("bce_with_logits backward against finite differences") {
  const Tensor logits = testing::random_tensor({3, 5}, 20, -3.0f, 3.0f);
  const Tensor soft = testing::random_tensor({3, 5}, 21, 0.0f, 1.0f);
  const Tensor pos_weight = testing::random_tensor({5}, 22, 0.2f, 4.0f);
  testing::check_gradients([&](const auto& in) { return medrepro::bce_with_logits(in[0], soft); }, {logits}, 1e-2,
                           2e-2, 1e-4);
  testing::check_gradients([&](const auto& in) { return medrepro::bce_with_logits(in[0], soft, pos_weight); },
                           {logits}, 1e-2, 2e-2, 1e-4);
  // The same logits in two losses: the second backward adds to the first.
  const Tensor other = testing::random_tensor({3, 5}, 24, 0.0f, 1.0f);
  testing::check_gradients(
      [&](const auto& in) {
        return medrepro::add(medrepro::bce_with_logits(in[0], soft, pos_weight),
                             medrepro::bce_with_logits(in[0], other));
      },
      {logits}, 1e-2, 2e-2, 1e-4);
  // Batch 1, one label, a loss of a loss.
  const Tensor single = testing::random_tensor({1, 1}, 23, -2.0f, 2.0f);
  const Tensor one = Tensor::full({1, 1}, 1.0f);
  testing::check_gradients(
      [&](const auto& in) {
        return medrepro::bce_with_logits(medrepro::bce_with_logits(in[0], one).reshape({1, 1}), one);
      },
      {single}, 1e-2, 2e-2, 1e-4);
}

TEST_CASE("bce_with_logits rejects bad shapes") {
  const Tensor x = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH_AS(medrepro::bce_with_logits(x, Tensor::zeros({3, 2})),
                       doctest::Contains("targets [3, 2] do not match logits [2, 3]"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::bce_with_logits(x, x, Tensor::zeros({2})),
                       doctest::Contains("pos_weight [2] does not match logits [2, 3]"), medrepro::Error);
}
