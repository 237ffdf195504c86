// The batch reductions of the losses past the loop budget of one shader
// invocation (core/loop_budget.h): each walked all rows, logits or voxels in one
// workgroup, and was refused past the budget (lavapipe would have stopped its
// loop early and returned a wrong loss without an error). Now chunks of them are
// summed by a workgroup each, and the chunks' sums again, in a fixed order.
// Compared with float64 computed here, the loss and (where the backward reads the
// reduction's denominator) the gradient.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "core/ops/binary_loss.h"
#include "core/ops/segmentation_loss.h"
#include "cross_entropy_rows.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

double softplus(double z) { return std::log1p(std::exp(-std::abs(z))) + std::max(z, 0.0); }

// Labels 0 .. classes-1 from random values.
std::vector<float> random_labels(size_t count, uint32_t seed, int classes) {
  std::vector<float> labels = testing::random_values(count, seed, 0.0f, float(classes));
  for (float& label : labels) label = std::min(std::floor(label), float(classes - 1));
  return labels;
}

}  // namespace

TEST_CASE("bce_with_logits: a mean over 17 million logits, past lavapipe's 65,535 loop iterations per invocation") {
  // 256 lanes of one workgroup would each walk 66,407 logits.
  const int64_t rows = 8'500, labels = 2'000;
  const size_t count = size_t(rows * labels);
  const std::vector<float> x = testing::random_values(count, 31, -4.0f, 4.0f);
  const std::vector<float> t = testing::random_values(count, 32, 0.0f, 1.0f);
  std::vector<float> pos_weight = testing::random_values(size_t(labels), 33, 0.5f, 2.0f);
  double sum = 0;
  for (size_t i = 0; i < count; ++i) {
    const double p = pos_weight[i % size_t(labels)];
    sum += p * t[i] * softplus(-double(x[i])) + (1 - t[i]) * softplus(x[i]);
  }
  const Tensor loss = medrepro::bce_with_logits(Tensor::from_host({rows, labels}, x),
                                                Tensor::from_host({rows, labels}, t),
                                                Tensor::from_host({labels}, pos_weight));
  const std::vector<float> value = loss.to_host();
  testing::check_close(value, {sum / double(count)}, 1e-5, 0.0, "loss");
  CHECK(medrepro::bce_with_logits(Tensor::from_host({rows, labels}, x), Tensor::from_host({rows, labels}, t),
                                  Tensor::from_host({labels}, pos_weight))
            .to_host() == value);  // fixed order: the same bits again
}

TEST_CASE("weighted_cross_entropy_nd: 9 million voxels, weighted mean and sum, loss and gradient") {
  // Two classes: 9 million voxels are 18 million logits, within a 128 MiB binding.
  const int64_t batch = 2, classes = 2, inner = 4'500'000;
  const size_t voxels = size_t(batch * inner);
  const std::vector<float> x = testing::random_values(voxels * classes, 41, -3.0f, 3.0f);
  const std::vector<float> labels = random_labels(voxels, 42, int(classes));
  const std::vector<float> weights{0.5f, 2.0f};
  std::vector<double> probability_minus_onehot(x.size());  // times w[y], before dividing by D
  double loss_sum = 0, weight_sum = 0;
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t v = 0; v < inner; ++v) {
      const size_t at0 = size_t((n * classes) * inner + v), at1 = at0 + size_t(inner);
      const size_t label = size_t(labels[size_t(n * inner + v)]);
      const double high = std::max<double>(x[at0], x[at1]);
      const double lse = high + std::log(std::exp(x[at0] - high) + std::exp(x[at1] - high));
      const double w = weights[label];
      loss_sum += w * (lse - x[label == 0 ? at0 : at1]);
      weight_sum += w;
      probability_minus_onehot[at0] = w * (std::exp(x[at0] - lse) - (label == 0 ? 1.0 : 0.0));
      probability_minus_onehot[at1] = w * (std::exp(x[at1] - lse) - (label == 1 ? 1.0 : 0.0));
    }
  for (const auto reduction : {medrepro::SegmentationReduction::WeightedMean, medrepro::SegmentationReduction::Sum}) {
    const bool mean = reduction == medrepro::SegmentationReduction::WeightedMean;
    CAPTURE(mean);
    Tensor logits = Tensor::from_host({batch, classes, inner}, x);
    logits.set_requires_grad();
    const Tensor loss = medrepro::weighted_cross_entropy_nd(logits, Tensor::from_host({batch, inner}, labels),
                                                            Tensor::from_host({classes}, weights), reduction);
    loss.backward();
    const double denominator = mean ? weight_sum : 1.0;
    testing::check_close(loss.to_host(), {loss_sum / denominator}, 1e-5, 0.0, "loss");
    std::vector<double> expected_grad(x.size());
    for (size_t i = 0; i < x.size(); ++i) expected_grad[i] = probability_minus_onehot[i] / denominator;
    // The gradient divides by the reduction's denominator, the sum of the weights.
    testing::check_close(logits.grad().to_host(), expected_grad, 1e-4, 1e-12, "gradient");
  }
}

TEST_CASE("cross_entropy: a mean over 2.2 million rows, past the reduction's loop budget (64 lanes on lavapipe)") {
  testing::check_long_cross_entropy(2'200'000);
}
