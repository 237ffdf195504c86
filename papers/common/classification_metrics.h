#pragma once
// Classification metrics from a confusion matrix, on the host in double precision.
//
// Conventions (papers rarely state theirs, so reports give all of them):
// - Rows of the confusion matrix are the true class, columns the predicted class.
// - Per-class precision, recall and F1 follow scikit-learn: a ratio with a zero
//   denominator (no item predicted as, or truly of, the class) is 0, so averages
//   stay finite. F1 is 0 when precision + recall is 0.
// - Macro averages are unweighted means over the classes that occur in the
//   truth or in the predictions (scikit-learn's default label set); macro F1 is
//   the mean of per-class F1, not the harmonic mean of macro precision and recall.
//   Weighted averages weight each class by its support (items truly of it).
// - Proportions with a confidence interval (accuracy, sensitivity, specificity)
//   are NaN, with a NaN interval, when there are no trials.
#include <cstddef>
#include <span>
#include <vector>

#include "papers/common/distributions.h"

namespace medrepro::metrics {

class ConfusionMatrix {
 public:
  // Labels must lie in [0, class_count); truth and predicted must have equal lengths.
  ConfusionMatrix(std::span<const int> truth, std::span<const int> predicted, int class_count);
  // counts[t][p]: items of true class t predicted as p (a square table, as printed in papers).
  static ConfusionMatrix from_counts(const std::vector<std::vector<size_t>>& counts);

  int class_count() const { return class_count_; }
  size_t count(int truth, int predicted) const;
  size_t total() const { return total_; }
  size_t truth_total(int label) const;      // support: row sum
  size_t predicted_total(int label) const;  // column sum
  size_t correct() const;                   // trace

 private:
  explicit ConfusionMatrix(int class_count);
  int class_count_;
  size_t total_ = 0;
  std::vector<size_t> counts_;  // row-major, class_count x class_count
};

// A binomial proportion with its Wilson score interval (Wilson 1927), which
// unlike the Wald interval stays inside [0, 1] and behaves at 0 or n successes.
struct Proportion {
  size_t successes = 0, trials = 0;
  double value = 0, ci_low = 0, ci_high = 0;
};
Proportion wilson_interval(size_t successes, size_t trials, double z = kZ95);

Proportion accuracy(const ConfusionMatrix& matrix, double z = kZ95);

struct ClassScores {
  double precision = 0, recall = 0, f1 = 0;
  size_t support = 0;
};
std::vector<ClassScores> per_class_scores(const ConfusionMatrix& matrix);

struct AveragedScores {
  double precision = 0, recall = 0, f1 = 0;
};
struct F1Report {
  int positive_class = 1;
  ClassScores binary;  // the positive class's own scores
  AveragedScores macro, weighted;
};
// All three, since a paper's "F1" may be any of them.
F1Report f1_report(const ConfusionMatrix& matrix, int positive_class = 1);

// One class against the rest: sensitivity = TP / (TP + FN) (recall),
// specificity = TN / (TN + FP), each with its Wilson interval.
struct SensitivitySpecificity {
  Proportion sensitivity, specificity;
};
SensitivitySpecificity sensitivity_specificity(const ConfusionMatrix& matrix, int positive_class, double z = kZ95);

// Cohen's (1960) kappa: (p_o - p_e) / (1 - p_e), with the large-sample standard
// error of Fleiss, Cohen & Everitt (1969) (the ASE of SAS PROC FREQ) and a
// Wald interval kappa +- z * se. NaN when p_e == 1 (both raters used one class).
struct Kappa {
  double kappa = 0, observed_agreement = 0, chance_agreement = 0;
  double standard_error = 0, ci_low = 0, ci_high = 0;
};
Kappa cohen_kappa(const ConfusionMatrix& matrix, double z = kZ95);

}  // namespace medrepro::metrics
