#include "papers/common/classification_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"

namespace medrepro::metrics {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_zero(size_t numerator, size_t denominator) {
  return denominator == 0 ? 0.0 : double(numerator) / double(denominator);
}
}  // namespace

ConfusionMatrix::ConfusionMatrix(int class_count) : class_count_(class_count) {
  if (class_count < 1) fail("ConfusionMatrix: the class count must be at least 1, got " + std::to_string(class_count));
  counts_.assign(size_t(class_count) * size_t(class_count), 0);
}

ConfusionMatrix::ConfusionMatrix(std::span<const int> truth, std::span<const int> predicted, int class_count)
    : ConfusionMatrix(class_count) {
  if (truth.size() != predicted.size())
    fail("ConfusionMatrix: " + std::to_string(truth.size()) + " true labels but " + std::to_string(predicted.size()) +
         " predicted labels");
  for (size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= class_count || predicted[i] < 0 || predicted[i] >= class_count)
      fail("ConfusionMatrix: item " + std::to_string(i) + " has labels (" + std::to_string(truth[i]) + ", " +
           std::to_string(predicted[i]) + ") outside [0, " + std::to_string(class_count) + ")");
    ++counts_[size_t(truth[i]) * size_t(class_count) + size_t(predicted[i])];
  }
  total_ = truth.size();
}

ConfusionMatrix ConfusionMatrix::from_counts(const std::vector<std::vector<size_t>>& counts) {
  ConfusionMatrix matrix(int(counts.size()));
  for (size_t t = 0; t < counts.size(); ++t) {
    if (counts[t].size() != counts.size())
      fail("ConfusionMatrix::from_counts: row " + std::to_string(t) + " has " + std::to_string(counts[t].size()) +
           " entries; the table must be square (" + std::to_string(counts.size()) + ")");
    for (size_t p = 0; p < counts.size(); ++p) {
      matrix.counts_[t * counts.size() + p] = counts[t][p];
      matrix.total_ += counts[t][p];
    }
  }
  return matrix;
}

size_t ConfusionMatrix::count(int truth, int predicted) const {
  if (truth < 0 || truth >= class_count_ || predicted < 0 || predicted >= class_count_)
    fail("ConfusionMatrix::count: labels (" + std::to_string(truth) + ", " + std::to_string(predicted) +
         ") outside [0, " + std::to_string(class_count_) + ")");
  return counts_[size_t(truth) * size_t(class_count_) + size_t(predicted)];
}

size_t ConfusionMatrix::truth_total(int label) const {
  size_t sum = 0;
  for (int p = 0; p < class_count_; ++p) sum += count(label, p);
  return sum;
}

size_t ConfusionMatrix::predicted_total(int label) const {
  size_t sum = 0;
  for (int t = 0; t < class_count_; ++t) sum += count(t, label);
  return sum;
}

size_t ConfusionMatrix::correct() const {
  size_t sum = 0;
  for (int c = 0; c < class_count_; ++c) sum += count(c, c);
  return sum;
}

Proportion wilson_interval(size_t successes, size_t trials, double z) {
  if (successes > trials)
    fail("wilson_interval: " + std::to_string(successes) + " successes in only " + std::to_string(trials) + " trials");
  Proportion result{successes, trials, kNaN, kNaN, kNaN};
  if (trials == 0) return result;
  const double n = double(trials), p = double(successes) / n, z2 = z * z;
  const double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const double half = z / (1 + z2 / n) * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
  result.value = p;
  // At 0 or n successes the bound is exactly 0 or 1 on paper; clamp the rounding.
  result.ci_low = successes == 0 ? 0.0 : centre - half;
  result.ci_high = successes == trials ? 1.0 : centre + half;
  return result;
}

Proportion accuracy(const ConfusionMatrix& matrix, double z) {
  return wilson_interval(matrix.correct(), matrix.total(), z);
}

std::vector<ClassScores> per_class_scores(const ConfusionMatrix& matrix) {
  std::vector<ClassScores> scores(size_t(matrix.class_count()));
  for (int c = 0; c < matrix.class_count(); ++c) {
    ClassScores& s = scores[size_t(c)];
    const size_t true_positive = matrix.count(c, c);
    s.support = matrix.truth_total(c);
    s.precision = ratio_or_zero(true_positive, matrix.predicted_total(c));
    s.recall = ratio_or_zero(true_positive, s.support);
    s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
  }
  return scores;
}

F1Report f1_report(const ConfusionMatrix& matrix, int positive_class) {
  if (positive_class < 0 || positive_class >= matrix.class_count())
    fail("f1_report: positive class " + std::to_string(positive_class) + " outside [0, " +
         std::to_string(matrix.class_count()) + ")");
  const std::vector<ClassScores> scores = per_class_scores(matrix);
  F1Report report;
  report.positive_class = positive_class;
  report.binary = scores[size_t(positive_class)];
  size_t classes_present = 0;
  for (int c = 0; c < matrix.class_count(); ++c) {
    const ClassScores& s = scores[size_t(c)];
    if (s.support == 0 && matrix.predicted_total(c) == 0) continue;
    ++classes_present;
    report.macro.precision += s.precision;
    report.macro.recall += s.recall;
    report.macro.f1 += s.f1;
    const double weight = double(s.support);
    report.weighted.precision += weight * s.precision;
    report.weighted.recall += weight * s.recall;
    report.weighted.f1 += weight * s.f1;
  }
  if (classes_present > 0) {
    report.macro.precision /= double(classes_present);
    report.macro.recall /= double(classes_present);
    report.macro.f1 /= double(classes_present);
  }
  if (matrix.total() > 0) {
    const double total = double(matrix.total());
    report.weighted.precision /= total;
    report.weighted.recall /= total;
    report.weighted.f1 /= total;
  }
  return report;
}

SensitivitySpecificity sensitivity_specificity(const ConfusionMatrix& matrix, int positive_class, double z) {
  if (positive_class < 0 || positive_class >= matrix.class_count())
    fail("sensitivity_specificity: positive class " + std::to_string(positive_class) + " outside [0, " +
         std::to_string(matrix.class_count()) + ")");
  const size_t true_positive = matrix.count(positive_class, positive_class);
  const size_t actual_positive = matrix.truth_total(positive_class);
  const size_t actual_negative = matrix.total() - actual_positive;
  const size_t false_positive = matrix.predicted_total(positive_class) - true_positive;
  return {wilson_interval(true_positive, actual_positive, z),
          wilson_interval(actual_negative - false_positive, actual_negative, z)};
}

Kappa cohen_kappa(const ConfusionMatrix& matrix, double z) {
  if (matrix.total() == 0) fail("cohen_kappa: the confusion matrix is empty");
  const int k = matrix.class_count();
  const double n = double(matrix.total());
  const size_t classes = size_t(k);
  std::vector<double> row(classes), column(classes);
  for (int c = 0; c < k; ++c) {
    row[size_t(c)] = double(matrix.truth_total(c)) / n;
    column[size_t(c)] = double(matrix.predicted_total(c)) / n;
  }
  Kappa result;
  result.observed_agreement = double(matrix.correct()) / n;
  for (int c = 0; c < k; ++c) result.chance_agreement += row[size_t(c)] * column[size_t(c)];
  const double po = result.observed_agreement, pe = result.chance_agreement;
  if (pe >= 1.0) {
    result.kappa = result.standard_error = result.ci_low = result.ci_high = kNaN;
    return result;
  }
  const double kappa = (po - pe) / (1 - pe);
  result.kappa = kappa;
  // Fleiss, Cohen & Everitt (1969): var = (A + B - C) / ((1 - pe)^2 n).
  double a = 0, b = 0;
  for (int i = 0; i < k; ++i) {
    for (int j = 0; j < k; ++j) {
      const double p = double(matrix.count(i, j)) / n;
      if (i == j) {
        const double factor = 1 - (row[size_t(i)] + column[size_t(i)]) * (1 - kappa);
        a += p * factor * factor;
      } else {
        const double marginals = column[size_t(i)] + row[size_t(j)];
        b += p * marginals * marginals;
      }
    }
  }
  b *= (1 - kappa) * (1 - kappa);
  const double c = (kappa - pe * (1 - kappa)) * (kappa - pe * (1 - kappa));
  result.standard_error = std::sqrt(std::max(0.0, a + b - c)) / ((1 - pe) * std::sqrt(n));
  result.ci_low = kappa - z * result.standard_error;
  result.ci_high = kappa + z * result.standard_error;
  return result;
}

}  // namespace medrepro::metrics
