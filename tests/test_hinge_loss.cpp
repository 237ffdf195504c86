#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "core/ops/hinge_loss.h"
#include "testing.h"

using medrepro::Tensor;

namespace {

double reference_squared_hinge(const std::vector<float>& scores, const std::vector<float>& signs) {
  double total = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const double shortfall = std::max(0.0, 1.0 - double(signs[i]) * double(scores[i]));
    total += shortfall * shortfall;
  }
  return total / double(scores.size());
}

// Scores at least 0.05 from the kink at sign * score = 1, so finite differences stay on one side.
std::vector<float> scores_off_the_kink(size_t count, uint32_t seed, const std::vector<float>& signs) {
  std::vector<float> scores = testing::random_values(count, seed, -3.0f, 3.0f);
  for (size_t i = 0; i < count; ++i) {
    if (std::abs(1.0f - signs[i] * scores[i]) < 0.05f) scores[i] += 0.2f;
  }
  return scores;
}

}  // namespace

TEST_CASE("one_vs_rest_signs marks each row's class and rejects labels that are not class indices") {
  CHECK(medrepro::one_vs_rest_signs({2, 0}, 3) == std::vector<float>{-1, -1, 1, 1, -1, -1});
  CHECK_THROWS_WITH_AS(medrepro::one_vs_rest_signs({3}, 3), doctest::Contains("not a class index below 3"),
                       medrepro::Error);
  CHECK_THROWS_AS(medrepro::one_vs_rest_signs({0.5f}, 3), medrepro::Error);
}

TEST_CASE("squared_hinge matches a float64 reference and finite differences on odd shapes") {
  for (const auto& [rows, classes] : std::vector<std::pair<size_t, size_t>>{{1, 2}, {5, 7}, {13, 3}}) {
    CAPTURE(rows);
    CAPTURE(classes);
    std::vector<float> labels;
    for (size_t r = 0; r < rows; ++r) labels.push_back(float((r * 5 + 1) % classes));
    const std::vector<float> signs = medrepro::one_vs_rest_signs(labels, classes);
    const std::vector<float> scores = scores_off_the_kink(rows * classes, uint32_t(rows + classes), signs);
    const Tensor sign_tensor = Tensor::from_host({int64_t(rows), int64_t(classes)}, signs);
    const Tensor loss = medrepro::squared_hinge(Tensor::from_host({int64_t(rows), int64_t(classes)}, scores), sign_tensor);
    CHECK(loss.shape() == medrepro::Shape{1});
    testing::check_close(loss.to_host(), {reference_squared_hinge(scores, signs)}, 1e-5, 1e-7, "loss");
    testing::check_gradients(
        [&](const std::vector<Tensor>& in) { return medrepro::squared_hinge(in[0], sign_tensor); },
        {Tensor::from_host({int64_t(rows), int64_t(classes)}, scores)});
  }
}

TEST_CASE("squared_hinge over more scores than one shader loop may visit (lavapipe's 65,535 back-edges)") {
  const size_t rows = 70001, classes = 3;
  std::vector<float> labels;
  for (size_t r = 0; r < rows; ++r) labels.push_back(float(r % classes));
  const std::vector<float> signs = medrepro::one_vs_rest_signs(labels, classes);
  const std::vector<float> scores = testing::random_values(rows * classes, 11, -2.0f, 2.0f);
  const Tensor loss = medrepro::squared_hinge(Tensor::from_host({int64_t(rows), int64_t(classes)}, scores),
                                              Tensor::from_host({int64_t(rows), int64_t(classes)}, signs));
  testing::check_close(loss.to_host(), {reference_squared_hinge(scores, signs)}, 1e-4, 1e-6, "loss");
}

TEST_CASE("squared_hinge rejects mismatched shapes") {
  CHECK_THROWS_WITH_AS(medrepro::squared_hinge(Tensor::zeros({2, 3}), Tensor::zeros({3, 2})),
                       doctest::Contains("differ in shape"), medrepro::Error);
}
