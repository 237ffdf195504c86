// ROC curves, AUC and DeLong's variance and paired test against hand
// computations on tiny sets with tied scores, and the AUC of Hanley & McNeil's
// (1982) rating data. Host only: nothing here uses the device.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "papers/common/roc.h"

namespace mx = medrepro::metrics;

namespace {

// Positives 0.9, 0.8, 0.5, 0.3; negatives 0.8, 0.7, 0.5, 0.5 (ties at 0.8 and 0.5).
const std::vector<double> tied_scores{0.9, 0.8, 0.8, 0.7, 0.5, 0.5, 0.5, 0.3};
const std::vector<int> tied_labels{1, 1, 0, 0, 1, 0, 0, 1};

double trapezoid_area(const std::vector<mx::RocPoint>& curve) {
  double area = 0;
  for (size_t i = 1; i < curve.size(); ++i)
    area += (curve[i].false_positive_rate - curve[i - 1].false_positive_rate) *
            (curve[i].true_positive_rate + curve[i - 1].true_positive_rate) / 2;
  return area;
}

}  // namespace

TEST_CASE("AUC counts tied positive-negative pairs as 1/2") {
  // Pairs won by each positive out of 4 negatives:
  //   0.9: beats all 4                        -> 4
  //   0.8: ties 0.8, beats 0.7, 0.5, 0.5      -> 3.5
  //   0.5: loses to 0.8, 0.7, ties 0.5, 0.5   -> 1
  //   0.3: loses to all                        -> 0
  // AUC = 8.5 / 16 = 0.53125.
  CHECK(mx::auc(tied_scores, tied_labels) == doctest::Approx(0.53125));
  // Order of the cases must not matter.
  const std::vector<double> reversed_scores(tied_scores.rbegin(), tied_scores.rend());
  const std::vector<int> reversed_labels(tied_labels.rbegin(), tied_labels.rend());
  CHECK(mx::auc(reversed_scores, reversed_labels) == doctest::Approx(0.53125));
}

TEST_CASE("ROC curve moves through tied scores in one diagonal step") {
  // Threshold: cumulative TP/4, FP/4 with score >= threshold:
  //   +inf (0, 0); 0.9 (0, 1/4); 0.8 (1/4, 2/4); 0.7 (2/4, 2/4);
  //   0.5 (4/4, 3/4): one positive and two negatives together; 0.3 (1, 1).
  const auto curve = mx::roc_curve(tied_scores, tied_labels);
  const double expected[][3] = {{INFINITY, 0, 0}, {0.9, 0, 0.25}, {0.8, 0.25, 0.5},
                                {0.7, 0.5, 0.5},  {0.5, 1, 0.75}, {0.3, 1, 1}};
  REQUIRE(curve.size() == 6);
  for (size_t i = 0; i < curve.size(); ++i) {
    CAPTURE(i);
    CHECK(curve[i].threshold == expected[i][0]);
    CHECK(curve[i].false_positive_rate == doctest::Approx(expected[i][1]));
    CHECK(curve[i].true_positive_rate == doctest::Approx(expected[i][2]));
  }
  // Trapezoids under it: 0.25*0.375 + 0.25*0.5 + 0.5*0.625 = 0.53125, the Mann-Whitney AUC.
  CHECK(trapezoid_area(curve) == doctest::Approx(0.53125));
}

TEST_CASE("AUC of Hanley & McNeil's (1982) CT rating data") {
  // Hanley JA, McNeil BJ, Radiology 143:29-36 (1982), Table 1: 58 normal and
  // 51 abnormal CT images rated 1 (definitely normal) to 5; published W = 0.893.
  // By hand: each abnormal rating r wins (normals below r) + (normals at r)/2:
  //   r1: 3 x 16.5, r2: 2 x 36, r3: 2 x 42, r4: 11 x 50.5, r5: 33 x 57
  //   = 49.5 + 72 + 84 + 555.5 + 1881 = 2642; 2642 / (58 * 51) = 0.893171.
  const int normals[] = {33, 6, 6, 11, 2}, abnormals[] = {3, 2, 2, 11, 33};
  std::vector<double> scores;
  std::vector<int> labels;
  for (int rating = 1; rating <= 5; ++rating) {
    for (int i = 0; i < normals[rating - 1]; ++i) {
      scores.push_back(rating);
      labels.push_back(0);
    }
    for (int i = 0; i < abnormals[rating - 1]; ++i) {
      scores.push_back(rating);
      labels.push_back(1);
    }
  }
  CHECK(mx::auc(scores, labels) == doctest::Approx(2642.0 / 2958));
  CHECK(std::abs(mx::auc(scores, labels) - 0.893) < 5e-4);
}

TEST_CASE("DeLong variance of the AUC on a tiny set with a tie") {
  // Positives 0.8, 0.6, 0.4; negatives 0.6, 0.3.
  // V10 (each positive's share of negatives beaten, ties 1/2): 1, 0.75, 0.5 -> AUC 0.75
  // V01 (each negative's share of positives above it):         0.5, 1       -> mean 0.75
  // S10 = (0.25^2 + 0 + 0.25^2)/2 = 0.0625; S01 = (0.25^2 + 0.25^2)/1 = 0.125
  // var = S10/3 + S01/2 = 0.0208333 + 0.0625 = 1/12; se = 0.288675
  // CI 0.75 -+ 1.959964 * 0.288675 = 0.184207, 1.3158 -> clipped to 1.
  const std::vector<double> scores{0.8, 0.6, 0.4, 0.6, 0.3};
  const std::vector<int> labels{1, 1, 1, 0, 0};
  const mx::AucEstimate e = mx::delong_auc(scores, labels);
  CHECK(e.auc == doctest::Approx(0.75));
  CHECK(e.variance == doctest::Approx(1.0 / 12));
  CHECK(e.standard_error == doctest::Approx(0.288675).epsilon(1e-5));
  CHECK(e.ci_low == doctest::Approx(0.184207).epsilon(1e-5));
  CHECK(e.ci_high == 1.0);
  CHECK(e.positives == 3);
  CHECK(e.negatives == 2);
}

TEST_CASE("paired DeLong test of two scores on the same cases") {
  // Labels 1, 1, 1, 0, 0. Score A as above; score B = 0.7, 0.5, 0.2 | 0.4, 0.1.
  // A: V10 1, 0.75, 0.5 (deviations 0.25, 0, -0.25); V01 0.5, 1 (-0.25, 0.25); var 1/12.
  // B: V10 1, 1, 0.5 -> AUC 5/6 (deviations 1/6, 1/6, -1/3); V01 2/3, 1 (-1/6, 1/6).
  //    S10 = (1/36 + 1/36 + 4/36)/2 = 1/12; S01 = 2/36 = 1/18; var = 1/36 + 1/36 = 1/18.
  // Cov: S10_AB = (0.25/6 + 0 + 0.25/3)/2 = 1/16; S01_AB = (1/24 + 1/24)/1 = 1/12;
  //    cov = (1/16)/3 + (1/12)/2 = 1/16.
  // var(A - B) = 1/12 + 1/18 - 2/16 = 1/72; difference -1/12;
  // z = -(1/12) sqrt(72) = -1/sqrt(2) = -0.707107; p = 2 Phi(-0.707107) = 0.479500.
  const std::vector<double> a{0.8, 0.6, 0.4, 0.6, 0.3}, b{0.7, 0.5, 0.2, 0.4, 0.1};
  const std::vector<int> labels{1, 1, 1, 0, 0};
  const mx::PairedAucTest t = mx::delong_paired_test(a, b, labels);
  CHECK(t.auc_a == doctest::Approx(0.75));
  CHECK(t.auc_b == doctest::Approx(5.0 / 6));
  CHECK(t.variance_a == doctest::Approx(1.0 / 12));
  CHECK(t.variance_b == doctest::Approx(1.0 / 18));
  CHECK(t.covariance == doctest::Approx(1.0 / 16));
  CHECK(t.difference == doctest::Approx(-1.0 / 12));
  CHECK(t.standard_error == doctest::Approx(std::sqrt(1.0 / 72)));
  CHECK(t.z == doctest::Approx(-1 / std::sqrt(2.0)));
  CHECK(t.p_two_sided == doctest::Approx(0.479500).epsilon(1e-5));

  // A score against itself: no difference, p = 1.
  const mx::PairedAucTest same = mx::delong_paired_test(a, a, labels);
  CHECK(same.z == 0);
  CHECK(same.p_two_sided == 1);
}

TEST_CASE("ROC functions refuse one-class labels, other labels and mismatched lengths") {
  const std::vector<double> scores{0.1, 0.2, 0.3};
  const std::vector<int> one_class{1, 1, 1}, bad_label{0, 2, 1}, short_labels{0, 1};
  CHECK_THROWS_AS(mx::auc(scores, one_class), medrepro::Error);
  CHECK_THROWS_AS(mx::roc_curve(scores, bad_label), medrepro::Error);
  CHECK_THROWS_AS(mx::delong_auc(scores, short_labels), medrepro::Error);
  CHECK_THROWS_AS(mx::delong_paired_test(scores, std::vector<double>{0.1, 0.2}, std::vector<int>{0, 1, 1}),
                  medrepro::Error);
}
