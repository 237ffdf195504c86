#include "papers/common/pca.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/error.h"

namespace medrepro::pca {

Eigen symmetric_eigen(std::vector<double> a, size_t n) {
  if (a.size() != n * n) fail("pca::symmetric_eigen: a matrix of " + std::to_string(a.size()) + " values is not n x n");
  std::vector<double> v(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) v[i * n + i] = 1.0;
  auto off_diagonal = [&] {
    double sum = 0;
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) sum += a[p * n + q] * a[p * n + q];
    }
    return sum;
  };
  double scale = 0;
  for (double x : a) scale += x * x;
  for (int sweep = 0; sweep < 100 && off_diagonal() > 1e-24 * std::max(scale, 1e-300); ++sweep) {
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0.0) continue;
        // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1).
        const double tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const double t = (tau >= 0 ? 1.0 : -1.0) / (std::abs(tau) + std::sqrt(1 + tau * tau));
        const double c = 1 / std::sqrt(1 + t * t), s = t * c;
        for (size_t k = 0; k < n; ++k) {  // columns p and q
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (size_t k = 0; k < n; ++k) {  // rows p and q
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (size_t k = 0; k < n; ++k) {
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t(0));
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return a[x * n + x] > a[y * n + y]; });
  Eigen out;
  for (size_t j : order) {
    out.values.push_back(a[j * n + j]);
    std::vector<double> vector(n);
    for (size_t k = 0; k < n; ++k) vector[k] = v[k * n + j];
    out.vectors.push_back(std::move(vector));
  }
  return out;
}

Model fit(std::span<const std::vector<double>> rows, size_t components) {
  if (rows.size() < 2) fail("pca::fit: needs at least two rows");
  const size_t d = rows[0].size();
  if (components < 1 || components > d) {
    fail("pca::fit: " + std::to_string(components) + " components of " + std::to_string(d) + " features");
  }
  Model model;
  model.mean.assign(d, 0.0);
  for (const std::vector<double>& row : rows) {
    if (row.size() != d) fail("pca::fit: rows of different lengths");
    for (size_t j = 0; j < d; ++j) model.mean[j] += row[j];
  }
  for (double& m : model.mean) m /= double(rows.size());
  std::vector<double> covariance(d * d, 0.0), centred(d);
  for (const std::vector<double>& row : rows) {
    for (size_t j = 0; j < d; ++j) centred[j] = row[j] - model.mean[j];
    for (size_t p = 0; p < d; ++p) {
      for (size_t q = p; q < d; ++q) covariance[p * d + q] += centred[p] * centred[q];
    }
  }
  for (size_t p = 0; p < d; ++p) {
    for (size_t q = p; q < d; ++q) {
      covariance[p * d + q] /= double(rows.size() - 1);
      covariance[q * d + p] = covariance[p * d + q];
    }
    model.total_variance += covariance[p * d + p];
  }
  Eigen eigen = symmetric_eigen(std::move(covariance), d);
  for (size_t c = 0; c < components; ++c) {
    std::vector<double>& axis = eigen.vectors[c];
    const auto largest = std::max_element(axis.begin(), axis.end(), [](double x, double y) {
      return std::abs(x) < std::abs(y);
    });
    if (*largest < 0) {
      for (double& x : axis) x = -x;
    }
    model.components.push_back(axis);
    model.variances.push_back(eigen.values[c]);
  }
  return model;
}

std::vector<double> project(const Model& model, std::span<const double> row) {
  if (row.size() != model.mean.size()) fail("pca::project: a row of the wrong length");
  std::vector<double> out;
  for (const std::vector<double>& axis : model.components) {
    double sum = 0;
    for (size_t j = 0; j < row.size(); ++j) sum += (row[j] - model.mean[j]) * axis[j];
    out.push_back(sum);
  }
  return out;
}

}  // namespace medrepro::pca
