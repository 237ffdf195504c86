// The RBF C-SVM: separable blobs, an XOR pattern only a nonlinear kernel separates,
// the dual's KKT conditions at the solution, three classes one-vs-one, refusals.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/init.h"
#include "papers/common/svm.h"

namespace {

// n points around each centre, spread sd.
void blobs(const std::vector<std::vector<double>>& centres, int n, double sd, uint64_t seed,
           std::vector<std::vector<double>>& points, std::vector<int>& labels) {
  medrepro::Rng rng(seed);
  for (size_t c = 0; c < centres.size(); ++c) {
    for (int i = 0; i < n; ++i) {
      points.push_back({centres[c][0] + sd * rng.normal(), centres[c][1] + sd * rng.normal()});
      labels.push_back(int(c));
    }
  }
}

}  // namespace

TEST_CASE("svm: XOR blobs, which no line separates, are classified by the RBF machine") {
  std::vector<std::vector<double>> points;
  std::vector<int> labels;
  blobs({{1, 1}, {-1, -1}, {1, -1}, {-1, 1}}, 20, 0.25, 7, points, labels);
  std::vector<int> signs;
  for (int label : labels) signs.push_back(label < 2 ? 1 : -1);  // XOR: diagonal quadrants against the others
  medrepro::svm::Options options;
  options.c = 10;
  options.gamma = 1;
  const medrepro::svm::Binary machine = medrepro::svm::train_binary(points, signs, options);
  int correct = 0;
  for (size_t i = 0; i < points.size(); ++i) correct += (machine.decision(points[i]) > 0) == (signs[i] > 0);
  CHECK(correct == int(points.size()));
  CHECK(machine.decision(std::vector<double>{0.9, 1.1}) > 0);
  CHECK(machine.decision(std::vector<double>{1.1, -0.9}) < 0);
  // The dual's constraint sum y_i alpha_i = 0 holds at the solution.
  double sum = 0;
  for (double coefficient : machine.coefficients) sum += coefficient;
  CHECK(sum == doctest::Approx(0.0).scale(1.0).epsilon(1e-9));
  // KKT: support vectors strictly inside the box lie on the margin, |decision| = 1, within the tolerance.
  for (size_t i = 0; i < machine.support.size(); ++i) {
    if (std::abs(machine.coefficients[i]) < options.c - 1e-9) {
      CHECK(std::abs(machine.decision(machine.support[i])) == doctest::Approx(1.0).epsilon(2e-3));
    }
  }
}

TEST_CASE("svm: three classes vote one-vs-one") {
  std::vector<std::vector<double>> points;
  std::vector<int> labels;
  blobs({{0, 0}, {4, 0}, {2, 3}}, 15, 0.5, 8, points, labels);
  const medrepro::svm::Classifier classifier = medrepro::svm::train(points, labels, {});
  REQUIRE(classifier.machines.size() == 3);
  int correct = 0;
  for (size_t i = 0; i < points.size(); ++i) correct += classifier.classify(points[i]) == labels[i];
  CHECK(correct == int(points.size()));
  CHECK(classifier.classify(std::vector<double>{2.1, 2.8}) == 2);
}

TEST_CASE("svm refuses bad labels and options") {
  const std::vector<std::vector<double>> points{{0, 0}, {1, 1}};
  CHECK_THROWS_AS(medrepro::svm::train_binary(points, std::vector<int>{1, 0}, {}), medrepro::Error);
  medrepro::svm::Options bad;
  bad.gamma = 0;
  CHECK_THROWS_AS(medrepro::svm::train_binary(points, std::vector<int>{1, -1}, bad), medrepro::Error);
  CHECK_THROWS_AS(medrepro::svm::train(points, std::vector<int>{0, -1}, {}), medrepro::Error);
}
