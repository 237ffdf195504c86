#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/ops/elementwise.h"
#include "core/ops/loss.h"
#include "core/ops/segmentation_loss.h"
#include "testing.h"

using medrepro::SegmentationReduction;
using medrepro::Shape;
using medrepro::Tensor;

namespace {

// Float64 weighted cross-entropy over a per-voxel softmax of logits [N, C, inner].
double reference_loss(const std::vector<float>& x, const std::vector<float>& labels, const Shape& shape,
                      const std::vector<float>& weights, SegmentationReduction reduction) {
  const size_t n_items = size_t(shape[0]), channels = size_t(shape[1]);
  const size_t inner = x.size() / (n_items * channels);
  double loss = 0, total_weight = 0;
  for (size_t n = 0; n < n_items; ++n) {
    for (size_t s = 0; s < inner; ++s) {
      auto at = [&](size_t c) { return double(x[(n * channels + c) * inner + s]); };
      double top = -std::numeric_limits<double>::infinity();
      for (size_t c = 0; c < channels; ++c) top = std::max(top, at(c));
      double sum = 0;
      for (size_t c = 0; c < channels; ++c) sum += std::exp(at(c) - top);
      const size_t y = size_t(labels[n * inner + s]);
      const double w = weights.empty() ? 1.0 : weights[y];
      loss += w * (top + std::log(sum) - at(y));
      total_weight += w;
    }
  }
  return reduction == SegmentationReduction::WeightedMean ? loss / total_weight : loss;
}

std::vector<float> random_labels(size_t count, int64_t classes, uint32_t seed) {
  std::vector<float> labels = testing::random_values(count, seed, 0.0f, float(classes));
  for (float& v : labels) v = std::min(std::floor(v), float(classes - 1));
  return labels;
}

Shape label_shape(Shape shape) {
  shape.erase(shape.begin() + 1);
  return shape;
}

}  // namespace

TEST_CASE("weighted_cross_entropy_nd forward against float64") {
  // [N, C] plain classification, [N, C, L], 2D, non-cubic 3D with batch 1 and prime channels.
  for (const Shape& shape : {Shape{4, 3}, Shape{2, 7, 11}, Shape{2, 3, 4, 5}, Shape{1, 5, 3, 4, 2},
                             Shape{2, 2, 13, 17} /* more voxels than a reduction workgroup has lanes */}) {
    CAPTURE(medrepro::to_string(shape));
    const int64_t channels = shape[1];
    const auto x = testing::random_values(size_t(medrepro::element_count(shape)), 30, -4.0f, 4.0f);
    const auto labels = random_labels(size_t(medrepro::element_count(label_shape(shape))), channels, 31);
    const auto weights = testing::random_values(size_t(channels), 32, 0.2f, 3.0f);
    const Tensor logits = Tensor::from_host(shape, x), y = Tensor::from_host(label_shape(shape), labels);
    const Tensor w = Tensor::from_host({channels}, weights);
    for (auto reduction : {SegmentationReduction::WeightedMean, SegmentationReduction::Sum}) {
      const Tensor unweighted = medrepro::weighted_cross_entropy_nd(logits, y, Tensor(), reduction);
      CHECK(unweighted.shape() == Shape{1});
      testing::check_close(unweighted.to_host(), {reference_loss(x, labels, shape, {}, reduction)}, 1e-5, 1e-6,
                           "unweighted");
      testing::check_close(medrepro::weighted_cross_entropy_nd(logits, y, w, reduction).to_host(),
                           {reference_loss(x, labels, shape, weights, reduction)}, 1e-5, 1e-6, "weighted");
    }
  }
}

TEST_CASE("weighted_cross_entropy_nd on [N, C] matches cross_entropy") {
  const Tensor logits = testing::random_tensor({6, 5}, 40, -3.0f, 3.0f);
  const Tensor labels = Tensor::from_host({6}, random_labels(6, 5, 41));
  const Tensor weights = testing::random_tensor({5}, 42, 0.5f, 2.0f);
  testing::check_close(medrepro::weighted_cross_entropy_nd(logits, labels, weights).to_host(),
                       testing::to_double(medrepro::cross_entropy(logits, labels, weights).to_host()), 1e-6, 1e-7,
                       "against cross_entropy");
}

TEST_CASE("weighted_cross_entropy_nd stays finite for large logits") {
  const Shape shape{1, 3, 2, 2};
  std::vector<float> x = testing::random_values(12, 50, -1.0f, 1.0f);
  for (size_t i = 0; i < x.size(); ++i) x[i] += (i % 3 == 0 ? 1000.0f : -1000.0f);
  const std::vector<float> labels{0.0f, 1.0f, 2.0f, 0.0f};
  const Tensor logits = Tensor::from_host(shape, x);
  const Tensor loss = medrepro::weighted_cross_entropy_nd(logits, Tensor::from_host({1, 2, 2}, labels));
  const double expected = reference_loss(x, labels, shape, {}, SegmentationReduction::WeightedMean);
  testing::check_close(loss.to_host(), {expected}, 1e-4, 1e-4, "large logits");
}

TEST_CASE("weighted_cross_entropy_nd backward against finite differences") {
  for (const Shape& shape : {Shape{2, 3, 5}, Shape{1, 5, 2, 3}, Shape{2, 3, 2, 3, 2}}) {
    CAPTURE(medrepro::to_string(shape));
    const int64_t channels = shape[1];
    const Tensor logits = testing::random_tensor(shape, 60, -2.0f, 2.0f);
    const Tensor labels =
        Tensor::from_host(label_shape(shape), random_labels(size_t(medrepro::element_count(label_shape(shape))),
                                                            channels, 61));
    const Tensor weights = testing::random_tensor({channels}, 62, 0.2f, 3.0f);
    testing::check_gradients([&](const auto& in) { return medrepro::weighted_cross_entropy_nd(in[0], labels); },
                             {logits}, 1e-2, 2e-2, 1e-4);
    testing::check_gradients(
        [&](const auto& in) { return medrepro::weighted_cross_entropy_nd(in[0], labels, weights); }, {logits}, 1e-2,
        2e-2, 1e-4);
    testing::check_gradients(
        [&](const auto& in) {
          return medrepro::weighted_cross_entropy_nd(in[0], labels, weights, SegmentationReduction::Sum);
        },
        {logits}, 1e-2, 2e-2, 1e-3);
  }
  // The same logits in two losses: the second backward adds to the first.
  const Tensor logits = testing::random_tensor({2, 3, 4}, 63, -2.0f, 2.0f);
  const Tensor first = Tensor::from_host({2, 4}, random_labels(8, 3, 64));
  const Tensor second = Tensor::from_host({2, 4}, random_labels(8, 3, 65));
  testing::check_gradients(
      [&](const auto& in) {
        return medrepro::add(medrepro::weighted_cross_entropy_nd(in[0], first),
                             medrepro::weighted_cross_entropy_nd(in[0], second));
      },
      {logits}, 1e-2, 2e-2, 1e-4);
}

TEST_CASE("weighted_cross_entropy_nd flags bad labels with NaN") {
  const Tensor logits = testing::random_tensor({1, 3, 2}, 70);
  for (float bad : {3.0f, -1.0f, 0.5f}) {
    Tensor x = logits.detach();
    x.set_requires_grad(true);
    const Tensor loss =
        medrepro::weighted_cross_entropy_nd(x, Tensor::from_host({1, 2}, std::vector<float>{1.0f, bad}));
    CHECK(std::isnan(loss.item()));
    loss.backward();
    for (float g : x.grad().to_host()) CHECK(std::isnan(g));
  }
}

TEST_CASE("weighted_cross_entropy_nd rejects bad shapes") {
  const Tensor logits = Tensor::zeros({2, 3, 4, 5});
  CHECK_THROWS_WITH_AS(medrepro::weighted_cross_entropy_nd(logits, Tensor::zeros({2, 5, 4})),
                       doctest::Contains("labels [2, 5, 4] do not match logits [2, 3, 4, 5] (expected [2, 4, 5])"),
                       medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::weighted_cross_entropy_nd(logits, Tensor::zeros({2, 4, 5}), Tensor::zeros({4})),
                       doctest::Contains("class_weights [4] do not match"), medrepro::Error);
  CHECK_THROWS_WITH_AS(medrepro::weighted_cross_entropy_nd(Tensor::zeros({3}), Tensor::zeros({3})),
                       doctest::Contains("rank >= 2"), medrepro::Error);
}

TEST_CASE("wong_label_weights follows Eq. 2 of Wong et al. 2018") {
  const std::vector<double> counts{1000, 100, 10, 1, 0};
  const std::vector<float> weights = medrepro::wong_label_weights(counts);
  const double total = 1111;
  testing::check_close(weights, {std::sqrt(total / 1000), std::sqrt(total / 100), std::sqrt(total / 10),
                                 std::sqrt(total), 0.0},
                       1e-7, 0, "weights");
  // Balanced labels all weigh sqrt(K).
  testing::check_close(medrepro::wong_label_weights(std::vector<double>{5, 5, 5, 5}), {2, 2, 2, 2}, 1e-7, 0,
                       "balanced");
  CHECK_THROWS_AS(medrepro::wong_label_weights(std::vector<double>{1, -1}), medrepro::Error);

  const std::vector<float> labels{0, 2, 2, 1, 2, 0};
  CHECK(medrepro::label_counts(labels, 4) == std::vector<double>{2, 1, 3, 0});
  CHECK_THROWS_WITH_AS(medrepro::label_counts(labels, 2),
                       doctest::Contains("label 2.000000 is not an integer in [0, 2)"), medrepro::Error);
}
