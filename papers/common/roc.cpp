#include "papers/common/roc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "core/error.h"
#include "papers/common/distributions.h"

namespace medrepro::metrics {

namespace {

void check_inputs(const char* where, std::span<const double> scores, std::span<const int> labels) {
  if (scores.size() != labels.size())
    fail(std::string(where) + ": " + std::to_string(scores.size()) + " scores but " + std::to_string(labels.size()) +
         " labels");
  size_t positives = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] != 0 && labels[i] != 1)
      fail(std::string(where) + ": label " + std::to_string(i) + " is " + std::to_string(labels[i]) +
           "; labels must be 0 (negative) or 1 (positive)");
    if (std::isnan(scores[i])) fail(std::string(where) + ": score " + std::to_string(i) + " is NaN");
    positives += size_t(labels[i]);
  }
  if (positives == 0 || positives == labels.size())
    fail(std::string(where) + ": the labels hold only " + (positives == 0 ? "negatives" : "positives") + " (" +
         std::to_string(labels.size()) + " cases); an ROC curve needs both classes");
}

// 1-based ranks with ties given the mean of the ranks they span.
std::vector<double> midranks(std::span<const double> values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return values[x] < values[y]; });
  std::vector<double> ranks(values.size());
  for (size_t start = 0; start < order.size();) {
    size_t end = start + 1;
    while (end < order.size() && values[order[end]] == values[order[start]]) ++end;
    const double rank = 0.5 * double(start + 1 + end);  // mean of start+1 .. end
    for (size_t i = start; i < end; ++i) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

// DeLong's structural components: for positive i, the fraction of negatives it
// outscores (ties 1/2); for negative j, the fraction of positives outscoring it.
// By Sun & Xu (2014): v10_i = (rank_all_i - rank_pos_i) / n and
// v01_j = 1 - (rank_all_j - rank_neg_j) / m, with midranks throughout.
struct Components {
  std::vector<double> positive, negative;  // v10, v01
  double auc = 0;
};

Components structural_components(std::span<const double> scores, std::span<const int> labels) {
  std::vector<double> positive_scores, negative_scores;
  for (size_t i = 0; i < scores.size(); ++i) (labels[i] ? positive_scores : negative_scores).push_back(scores[i]);
  const double m = double(positive_scores.size()), n = double(negative_scores.size());
  const std::vector<double> all_ranks = midranks(scores);
  const std::vector<double> positive_ranks = midranks(positive_scores), negative_ranks = midranks(negative_scores);
  Components c;
  size_t p = 0, q = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (labels[i]) {
      c.positive.push_back((all_ranks[i] - positive_ranks[p++]) / n);
    } else {
      c.negative.push_back(1.0 - (all_ranks[i] - negative_ranks[q++]) / m);
    }
  }
  c.auc = std::accumulate(c.positive.begin(), c.positive.end(), 0.0) / m;
  return c;
}

// Sample covariance (divisor count - 1); 0 for a single value.
double covariance(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() < 2) return 0.0;
  const double mean_x = std::accumulate(x.begin(), x.end(), 0.0) / double(x.size());
  const double mean_y = std::accumulate(y.begin(), y.end(), 0.0) / double(y.size());
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += (x[i] - mean_x) * (y[i] - mean_y);
  return sum / double(x.size() - 1);
}

double delong_covariance(const Components& a, const Components& b) {
  return covariance(a.positive, b.positive) / double(a.positive.size()) +
         covariance(a.negative, b.negative) / double(a.negative.size());
}

}  // namespace

std::vector<RocPoint> roc_curve(std::span<const double> scores, std::span<const int> labels) {
  check_inputs("roc_curve", scores, labels);
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return scores[x] > scores[y]; });
  const size_t positives = size_t(std::count(labels.begin(), labels.end(), 1));
  const size_t negatives = labels.size() - positives;
  std::vector<RocPoint> curve{{std::numeric_limits<double>::infinity(), 0.0, 0.0}};
  size_t true_positives = 0, false_positives = 0;
  for (size_t start = 0; start < order.size();) {
    size_t end = start;
    for (; end < order.size() && scores[order[end]] == scores[order[start]]; ++end)
      (labels[order[end]] ? true_positives : false_positives) += 1;
    curve.push_back({scores[order[start]], double(false_positives) / double(negatives),
                     double(true_positives) / double(positives)});
    start = end;
  }
  return curve;
}

double auc(std::span<const double> scores, std::span<const int> labels) {
  check_inputs("auc", scores, labels);
  const std::vector<double> ranks = midranks(scores);
  double positive_rank_sum = 0, m = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    if (labels[i]) {
      positive_rank_sum += ranks[i];
      m += 1;
    }
  const double n = double(scores.size()) - m;
  return (positive_rank_sum - m * (m + 1) / 2) / (m * n);
}

AucEstimate delong_auc(std::span<const double> scores, std::span<const int> labels, double z) {
  check_inputs("delong_auc", scores, labels);
  const Components c = structural_components(scores, labels);
  AucEstimate e;
  e.auc = c.auc;
  e.positives = c.positive.size();
  e.negatives = c.negative.size();
  e.variance = delong_covariance(c, c);
  e.standard_error = std::sqrt(e.variance);
  e.ci_low = std::max(0.0, e.auc - z * e.standard_error);
  e.ci_high = std::min(1.0, e.auc + z * e.standard_error);
  return e;
}

PairedAucTest delong_paired_test(std::span<const double> scores_a, std::span<const double> scores_b,
                                 std::span<const int> labels) {
  check_inputs("delong_paired_test (scores_a)", scores_a, labels);
  check_inputs("delong_paired_test (scores_b)", scores_b, labels);
  const Components a = structural_components(scores_a, labels), b = structural_components(scores_b, labels);
  PairedAucTest t;
  t.auc_a = a.auc;
  t.auc_b = b.auc;
  t.variance_a = delong_covariance(a, a);
  t.variance_b = delong_covariance(b, b);
  t.covariance = delong_covariance(a, b);
  t.difference = t.auc_a - t.auc_b;
  const double variance = t.variance_a + t.variance_b - 2 * t.covariance;
  // Rounding can leave a tiny negative variance for identical components.
  t.standard_error = std::sqrt(std::max(0.0, variance));
  if (t.standard_error > 0) {
    t.z = t.difference / t.standard_error;
    t.p_two_sided = 2 * normal_cdf(-std::abs(t.z));
  } else if (t.difference == 0) {
    t.z = 0;
    t.p_two_sided = 1;
  } else {
    t.z = std::copysign(std::numeric_limits<double>::infinity(), t.difference);
    t.p_two_sided = 0;
  }
  return t;
}

}  // namespace medrepro::metrics
