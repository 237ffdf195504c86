#pragma once
// ROC curves and the area under them for a binary score, on the host in double
// precision. A higher score means "more likely positive"; labels are 1
// (positive) or 0 (negative). Every function fails unless both classes occur.
//
// Ties: cases with equal scores cannot be ordered, so the curve moves through a
// group of tied scores in one (diagonal) step, and a tied positive-negative
// pair counts 1/2 towards the AUC (the Mann-Whitney U statistic divided by
// m * n). The DeLong variance uses the same 1/2 through midranks.
#include <cstddef>
#include <span>
#include <vector>

#include "papers/common/distributions.h"

namespace medrepro::metrics {

struct RocPoint {
  double threshold;  // score >= threshold predicts positive; +infinity for the (0, 0) corner
  double false_positive_rate, true_positive_rate;
};
// From (0, 0) through one point per distinct score, in decreasing score order, to (1, 1).
std::vector<RocPoint> roc_curve(std::span<const double> scores, std::span<const int> labels);

// Mann-Whitney AUC, with ties counted 1/2.
double auc(std::span<const double> scores, std::span<const int> labels);

// DeLong, DeLong & Clarke-Pearson (1988) variance of the AUC, computed with
// midranks as in Sun & Xu (2014), and the Wald interval auc +- z * se clipped
// to [0, 1] (as pROC's ci.auc does).
struct AucEstimate {
  double auc = 0, variance = 0, standard_error = 0, ci_low = 0, ci_high = 0;
  size_t positives = 0, negatives = 0;
};
AucEstimate delong_auc(std::span<const double> scores, std::span<const int> labels, double z = kZ95);

// DeLong's test that two scores of the same cases have equal AUC:
// z = (auc_a - auc_b) / sqrt(var_a + var_b - 2 cov), two-sided normal p.
// If the difference has zero variance, z is 0 with p = 1 when the AUCs are
// equal, and +-infinity with p = 0 otherwise.
struct PairedAucTest {
  double auc_a = 0, auc_b = 0, variance_a = 0, variance_b = 0, covariance = 0;
  double difference = 0, standard_error = 0, z = 0, p_two_sided = 1;
};
PairedAucTest delong_paired_test(std::span<const double> scores_a, std::span<const double> scores_b,
                                 std::span<const int> labels);

}  // namespace medrepro::metrics
