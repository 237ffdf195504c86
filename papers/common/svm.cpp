#include "papers/common/svm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace medrepro::svm {
namespace {

constexpr size_t kMaxPoints = 8192;
constexpr double kTau = 1e-12;  // LIBSVM's TAU: the curvature used where a_ij <= 0

double rbf(std::span<const double> a, std::span<const double> b, double gamma) {
  double sum = 0;
  for (size_t d = 0; d < a.size(); ++d) sum += (a[d] - b[d]) * (a[d] - b[d]);
  return std::exp(-gamma * sum);
}

}  // namespace

double Binary::decision(std::span<const double> x) const {
  double sum = -rho;
  for (size_t i = 0; i < support.size(); ++i) sum += coefficients[i] * rbf(support[i], x, gamma);
  return sum;
}

Binary train_binary(std::span<const std::vector<double>> points, std::span<const int> signs, const Options& options) {
  const size_t n = points.size();
  if (n < 2 || n != signs.size() || n > kMaxPoints) {
    fail("svm::train_binary: " + std::to_string(n) + " points and " + std::to_string(signs.size()) +
         " labels (need as many labels as points, 2 to " + std::to_string(kMaxPoints) + ")");
  }
  if (!(options.c > 0) || !(options.gamma > 0) || !(options.tolerance > 0)) {
    fail("svm::train_binary: C, gamma and the tolerance must be positive");
  }
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i) {
    if (signs[i] != 1 && signs[i] != -1) fail("svm::train_binary: labels must be +1 or -1");
    y[i] = signs[i];
  }
  std::vector<double> kernel(n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) kernel[i * n + j] = kernel[j * n + i] = rbf(points[i], points[j], options.gamma);
  }
  auto q = [&](size_t i, size_t j) { return y[i] * y[j] * kernel[i * n + j]; };
  const double c = options.c;
  std::vector<double> alpha(n, 0.0), gradient(n, -1.0);  // G = Q alpha - e
  auto up = [&](size_t t) { return (y[t] > 0 && alpha[t] < c) || (y[t] < 0 && alpha[t] > 0); };
  auto low = [&](size_t t) { return (y[t] > 0 && alpha[t] > 0) || (y[t] < 0 && alpha[t] < c); };
  Binary machine;
  machine.gamma = options.gamma;
  for (; machine.iterations < options.max_iterations; ++machine.iterations) {
    // i: the most violating index of I_up; j: of I_low, the one whose pair gains most (second order).
    double g_max = -std::numeric_limits<double>::infinity(), g_min = std::numeric_limits<double>::infinity();
    size_t i = n;
    for (size_t t = 0; t < n; ++t) {
      if (up(t) && -y[t] * gradient[t] > g_max) {
        g_max = -y[t] * gradient[t];
        i = t;
      }
    }
    size_t j = n;
    double best = std::numeric_limits<double>::infinity();
    for (size_t t = 0; t < n && i < n; ++t) {
      if (!low(t)) continue;
      g_min = std::min(g_min, -y[t] * gradient[t]);
      const double b = g_max + y[t] * gradient[t];
      if (b <= 0) continue;
      const double a = std::max(kernel[i * n + i] + kernel[t * n + t] - 2 * kernel[i * n + t], kTau);
      if (-(b * b) / a < best) {
        best = -(b * b) / a;
        j = t;
      }
    }
    if (i == n || j == n || g_max - g_min < options.tolerance) break;
    // Move alpha_i and alpha_j along the constraint y' alpha = 0, clipped to the box (LIBSVM's update).
    const double a = std::max(kernel[i * n + i] + kernel[j * n + j] - 2 * kernel[i * n + j], kTau);
    const double old_i = alpha[i], old_j = alpha[j];
    if (y[i] != y[j]) {
      const double delta = (-gradient[i] - gradient[j]) / a, diff = alpha[i] - alpha[j];
      alpha[i] += delta;
      alpha[j] += delta;
      if (diff > 0 && alpha[j] < 0) { alpha[j] = 0; alpha[i] = diff; }
      if (diff <= 0 && alpha[i] < 0) { alpha[i] = 0; alpha[j] = -diff; }
      if (diff > 0 && alpha[i] > c) { alpha[i] = c; alpha[j] = c - diff; }
      if (diff <= 0 && alpha[j] > c) { alpha[j] = c; alpha[i] = c + diff; }
    } else {
      const double delta = (gradient[i] - gradient[j]) / a, sum = alpha[i] + alpha[j];
      alpha[i] -= delta;
      alpha[j] += delta;
      if (sum > c && alpha[i] > c) { alpha[i] = c; alpha[j] = sum - c; }
      if (sum <= c && alpha[j] < 0) { alpha[j] = 0; alpha[i] = sum; }
      if (sum > c && alpha[j] > c) { alpha[j] = c; alpha[i] = sum - c; }
      if (sum <= c && alpha[i] < 0) { alpha[i] = 0; alpha[j] = sum; }
    }
    const double di = alpha[i] - old_i, dj = alpha[j] - old_j;
    for (size_t t = 0; t < n; ++t) gradient[t] += q(t, i) * di + q(t, j) * dj;
  }
  // rho: the mean of y G over the free vectors, or the middle of the feasible range.
  double free_sum = 0, upper = std::numeric_limits<double>::infinity(), lower = -upper;
  size_t free_count = 0;
  for (size_t t = 0; t < n; ++t) {
    const double yg = y[t] * gradient[t];
    if (alpha[t] > 0 && alpha[t] < c) {
      free_sum += yg;
      ++free_count;
    } else if ((alpha[t] >= c && y[t] < 0) || (alpha[t] <= 0 && y[t] > 0)) {
      upper = std::min(upper, yg);
    } else {
      lower = std::max(lower, yg);
    }
  }
  machine.rho = free_count ? free_sum / double(free_count) : (upper + lower) / 2;
  for (size_t t = 0; t < n; ++t) {
    if (alpha[t] <= 0) continue;
    machine.support.push_back(points[t]);
    machine.coefficients.push_back(y[t] * alpha[t]);
  }
  return machine;
}

Classifier train(std::span<const std::vector<double>> points, std::span<const int> labels, const Options& options) {
  if (points.size() != labels.size() || points.empty()) fail("svm::train: one label per point, at least one point");
  Classifier classifier;
  for (int label : labels) {
    if (label < 0) fail("svm::train: labels must be 0, 1, ...");
    classifier.classes = std::max(classifier.classes, label + 1);
  }
  for (int a = 0; a < classifier.classes; ++a) {
    for (int b = a + 1; b < classifier.classes; ++b) {
      std::vector<std::vector<double>> pair_points;
      std::vector<int> signs;
      for (size_t i = 0; i < points.size(); ++i) {
        if (labels[i] != a && labels[i] != b) continue;
        pair_points.push_back(points[i]);
        signs.push_back(labels[i] == a ? 1 : -1);
      }
      classifier.machines.push_back(train_binary(pair_points, signs, options));
    }
  }
  return classifier;
}

int Classifier::classify(std::span<const double> x) const {
  std::vector<int> votes(size_t(classes), 0);
  size_t m = 0;
  for (int a = 0; a < classes; ++a) {
    for (int b = a + 1; b < classes; ++b) ++votes[size_t(machines[m++].decision(x) > 0 ? a : b)];
  }
  return int(std::max_element(votes.begin(), votes.end()) - votes.begin());  // the first of the most
}

}  // namespace medrepro::svm
