// PCA: Jacobi eigenvalues against a hand-known matrix and the definition A v = l v,
// and on data lying along known axes.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/init.h"
#include "papers/common/pca.h"

TEST_CASE("symmetric_eigen: a known 2 x 2, and A v = lambda v with orthonormal vectors on a 6 x 6") {
  const medrepro::pca::Eigen two = medrepro::pca::symmetric_eigen({2, 1, 1, 2}, 2);
  CHECK(two.values[0] == doctest::Approx(3.0));
  CHECK(two.values[1] == doctest::Approx(1.0));
  CHECK(std::abs(two.vectors[0][0]) == doctest::Approx(1 / std::sqrt(2.0)));
  const size_t n = 6;
  medrepro::Rng rng(3);
  std::vector<double> a(n * n);
  for (size_t p = 0; p < n; ++p) {
    for (size_t q = p; q < n; ++q) a[p * n + q] = a[q * n + p] = rng.normal();
  }
  const medrepro::pca::Eigen e = medrepro::pca::symmetric_eigen(a, n);
  for (size_t j = 0; j < n; ++j) {
    if (j > 0) CHECK(e.values[j] <= e.values[j - 1]);
    for (size_t r = 0; r < n; ++r) {
      double av = 0;
      for (size_t k = 0; k < n; ++k) av += a[r * n + k] * e.vectors[j][k];
      CHECK(av == doctest::Approx(e.values[j] * e.vectors[j][r]).scale(1.0).epsilon(1e-9));
    }
    for (size_t i = 0; i < n; ++i) {
      double dot = 0;
      for (size_t k = 0; k < n; ++k) dot += e.vectors[i][k] * e.vectors[j][k];
      CHECK(dot == doctest::Approx(i == j ? 1.0 : 0.0).scale(1.0).epsilon(1e-9));
    }
  }
}

TEST_CASE("pca::fit finds the axes of data spread along known directions") {
  // Points along (1, 1, 0) / sqrt 2 with spread 3 and along (0, 0, 1) with spread 1, plus the mean (1, 2, 3).
  medrepro::Rng rng(5);
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < 400; ++i) {
    const double a = 3 * rng.normal(), b = rng.normal();
    rows.push_back({1 + a / std::sqrt(2.0), 2 + a / std::sqrt(2.0), 3 + b});
  }
  const medrepro::pca::Model model = medrepro::pca::fit(rows, 2);
  CHECK(model.components[0][0] == doctest::Approx(1 / std::sqrt(2.0)).epsilon(0.02));
  CHECK(model.components[0][1] == doctest::Approx(1 / std::sqrt(2.0)).epsilon(0.02));
  CHECK(std::abs(model.components[1][2]) == doctest::Approx(1.0).epsilon(0.01));
  CHECK(model.variances[0] == doctest::Approx(9.0).epsilon(0.15));
  CHECK(model.variances[1] == doctest::Approx(1.0).epsilon(0.15));
  CHECK(model.mean[1] == doctest::Approx(2.0).epsilon(0.1));
  // Projecting the mean gives the origin; a point one unit along the first axis gives (1, 0).
  const std::vector<double> origin = medrepro::pca::project(model, model.mean);
  CHECK(origin[0] == doctest::Approx(0.0).scale(1.0));
  std::vector<double> step = model.mean;
  for (size_t j = 0; j < 3; ++j) step[j] += model.components[0][j];
  const std::vector<double> unit = medrepro::pca::project(model, step);
  CHECK(unit[0] == doctest::Approx(1.0));
  CHECK(unit[1] == doctest::Approx(0.0).scale(1.0));
  CHECK_THROWS_AS(medrepro::pca::fit(rows, 4), medrepro::Error);
}
