// Classification metrics against values worked out by hand (arithmetic in the
// comments) or published: the confusion matrix, precision/recall/F1 in their
// binary, macro and weighted forms, Wilson intervals (Newcombe 1998), and
// Cohen's kappa (the Wikipedia "Cohen's kappa" worked example) with its
// Fleiss-Cohen-Everitt standard error. Host only: nothing here uses the device.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "papers/common/classification_metrics.h"

namespace mx = medrepro::metrics;

namespace {

// Three classes of unequal size (5, 3, 2 items). Rows truth, columns predicted:
//            pred 0  pred 1  pred 2   support
//   true 0     4       1       0        5
//   true 1     0       2       1        3
//   true 2     0       1       1        2
//   column     4       4       2       10
mx::ConfusionMatrix unequal_classes() {
  const std::vector<int> truth{0, 0, 0, 0, 0, 1, 1, 1, 2, 2};
  const std::vector<int> predicted{0, 0, 0, 0, 1, 1, 1, 2, 1, 2};
  return mx::ConfusionMatrix(truth, predicted, 3);
}

}  // namespace

TEST_CASE("confusion matrix counts truth by row and prediction by column") {
  const mx::ConfusionMatrix m = unequal_classes();
  const size_t expected[3][3] = {{4, 1, 0}, {0, 2, 1}, {0, 1, 1}};
  for (int t = 0; t < 3; ++t)
    for (int p = 0; p < 3; ++p) CHECK(m.count(t, p) == expected[t][p]);
  CHECK(m.total() == 10);
  CHECK(m.correct() == 7);
  CHECK(m.truth_total(0) == 5);
  CHECK(m.predicted_total(1) == 4);
  CHECK(m.truth_total(2) == 2);

  const mx::ConfusionMatrix same = mx::ConfusionMatrix::from_counts({{4, 1, 0}, {0, 2, 1}, {0, 1, 1}});
  for (int t = 0; t < 3; ++t)
    for (int p = 0; p < 3; ++p) CHECK(same.count(t, p) == m.count(t, p));

  const std::vector<int> three{0, 1, 2}, two{0, 1};
  CHECK_THROWS_AS(mx::ConfusionMatrix(three, two, 3), medrepro::Error);
  CHECK_THROWS_AS(mx::ConfusionMatrix(three, three, 2), medrepro::Error);  // label 2 with 2 classes
  CHECK_THROWS_AS(mx::ConfusionMatrix::from_counts({{1, 2}, {3}}), medrepro::Error);
}

TEST_CASE("precision, recall and F1: binary, macro and weighted differ on unequal classes") {
  const mx::ConfusionMatrix m = unequal_classes();
  // precision = diagonal / column: 4/4 = 1, 2/4 = 0.5, 1/2 = 0.5
  // recall = diagonal / row:       4/5 = 0.8, 2/3, 1/2 = 0.5
  // F1 = 2PR/(P+R): 1.6/1.8 = 8/9; (2/3)/(7/6) = 4/7; 0.5
  const auto scores = mx::per_class_scores(m);
  REQUIRE(scores.size() == 3);
  CHECK(scores[0].precision == doctest::Approx(1.0));
  CHECK(scores[1].precision == doctest::Approx(0.5));
  CHECK(scores[2].precision == doctest::Approx(0.5));
  CHECK(scores[0].recall == doctest::Approx(0.8));
  CHECK(scores[1].recall == doctest::Approx(2.0 / 3));
  CHECK(scores[2].recall == doctest::Approx(0.5));
  CHECK(scores[0].f1 == doctest::Approx(8.0 / 9));
  CHECK(scores[1].f1 == doctest::Approx(4.0 / 7));
  CHECK(scores[2].f1 == doctest::Approx(0.5));
  CHECK(scores[1].support == 3);

  const mx::F1Report report = mx::f1_report(m, 1);
  // Binary (positive class 1): P 0.5, R 2/3, F1 4/7 = 0.5714.
  CHECK(report.binary.precision == doctest::Approx(0.5));
  CHECK(report.binary.recall == doctest::Approx(2.0 / 3));
  CHECK(report.binary.f1 == doctest::Approx(4.0 / 7));
  // Macro: P (1 + 0.5 + 0.5)/3 = 2/3; R (0.8 + 2/3 + 0.5)/3 = 59/90;
  // F1 (8/9 + 4/7 + 1/2)/3 = (112 + 72 + 63)/126/3 = 247/378 = 0.6534.
  CHECK(report.macro.precision == doctest::Approx(2.0 / 3));
  CHECK(report.macro.recall == doctest::Approx(59.0 / 90));
  CHECK(report.macro.f1 == doctest::Approx(247.0 / 378));
  // Weighted by support 5, 3, 2: P (5 + 1.5 + 1)/10 = 0.75; R (4 + 2 + 1)/10 = 0.7
  // (always the accuracy); F1 (40/9 + 12/7 + 1)/10 = (280 + 108 + 63)/630 = 451/630 = 0.7159.
  CHECK(report.weighted.precision == doctest::Approx(0.75));
  CHECK(report.weighted.recall == doctest::Approx(0.7));
  CHECK(report.weighted.f1 == doctest::Approx(451.0 / 630));

  CHECK_THROWS_AS(mx::f1_report(m, 3), medrepro::Error);
}

TEST_CASE("F1 averages: zero denominators give 0; classes absent from truth and predictions are left out") {
  // Class 2 is predicted once but never true (precision 0/1, recall 0/0 -> 0);
  // class 3 never occurs at all and is left out of the macro mean.
  //   class 0: P 1/1, R 1/2, F1 2/3;  class 1: P 2/2, R 2/2, F1 1;  class 2: 0, 0, 0.
  const std::vector<int> truth{0, 0, 1, 1}, predicted{0, 2, 1, 1};
  const mx::F1Report report = mx::f1_report(mx::ConfusionMatrix(truth, predicted, 4), 1);
  CHECK(report.macro.precision == doctest::Approx(2.0 / 3));  // (1 + 1 + 0)/3
  CHECK(report.macro.recall == doctest::Approx(0.5));         // (0.5 + 1 + 0)/3
  CHECK(report.macro.f1 == doctest::Approx(5.0 / 9));         // (2/3 + 1 + 0)/3
  CHECK(report.weighted.f1 == doctest::Approx(5.0 / 6));      // (2 * 2/3 + 2 * 1)/4
}

TEST_CASE("accuracy, sensitivity and specificity with Wilson intervals") {
  const mx::ConfusionMatrix m = unequal_classes();
  const mx::Proportion acc = mx::accuracy(m);
  CHECK(acc.successes == 7);
  CHECK(acc.trials == 10);
  CHECK(acc.value == doctest::Approx(0.7));
  // Wilson, z = 1.96, n = 10, p = 0.7: centre (0.7 + 0.19208)/1.38415 = 0.64457,
  // half 1.96/1.38415 * sqrt(0.021 + 0.0096040) = 1.41603 * 0.174940 = 0.24772.
  CHECK(acc.ci_low == doctest::Approx(0.39678).epsilon(1e-4));
  CHECK(acc.ci_high == doctest::Approx(0.89221).epsilon(1e-4));

  // Class 1 against the rest: TP 2, FN 1 -> sensitivity 2/3; negatives 7,
  // FP = column 4 - 2 = 2, TN 5 -> specificity 5/7.
  const mx::SensitivitySpecificity ss = mx::sensitivity_specificity(m, 1);
  CHECK(ss.sensitivity.successes == 2);
  CHECK(ss.sensitivity.trials == 3);
  CHECK(ss.specificity.successes == 5);
  CHECK(ss.specificity.trials == 7);
  CHECK(ss.specificity.value == doctest::Approx(5.0 / 7));
}

TEST_CASE("Wilson interval matches Newcombe (1998), Table I") {
  // Newcombe RG, Two-sided confidence intervals for the single proportion:
  // comparison of seven methods. Stat Med 17:857-872 (1998), method 3 (score).
  struct Example {
    size_t r, n;
    double low, high;
  };
  const Example examples[] = {{81, 263, 0.2553, 0.3662}, {15, 148, 0.0624, 0.1605}, {0, 20, 0.0, 0.1611},
                              {1, 29, 0.0061, 0.1718}};
  for (const Example& e : examples) {
    const mx::Proportion p = mx::wilson_interval(e.r, e.n);
    CHECK(std::abs(p.ci_low - e.low) < 5e-5);
    CHECK(std::abs(p.ci_high - e.high) < 5e-5);
  }
  // 0/20 by hand: upper = (z^2/n)/(1 + z^2/n) = 0.192074/1.192074 = 0.161125.
  CHECK(mx::wilson_interval(0, 20).ci_high == doctest::Approx(0.161125).epsilon(1e-5));
  CHECK(mx::wilson_interval(20, 20).ci_high == 1.0);
  CHECK(std::isnan(mx::wilson_interval(0, 0).value));
  CHECK_THROWS_AS(mx::wilson_interval(3, 2), medrepro::Error);
}

TEST_CASE("Cohen's kappa: the Wikipedia worked example and its standard error") {
  // Wikipedia, "Cohen's kappa", simple example: 50 grant proposals, rater A
  // rows, rater B columns: yes/yes 20, yes/no 5, no/yes 10, no/no 15.
  // p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4 (published).
  const mx::Kappa k = mx::cohen_kappa(mx::ConfusionMatrix::from_counts({{20, 5}, {10, 15}}));
  CHECK(k.observed_agreement == doctest::Approx(0.7));
  CHECK(k.chance_agreement == doctest::Approx(0.5));
  CHECK(k.kappa == doctest::Approx(0.4));
  // Fleiss, Cohen & Everitt (1969), rows p_i. = (0.5, 0.5), columns p_.i = (0.6, 0.4):
  // A = 0.4(1 - 1.1*0.6)^2 + 0.3(1 - 0.9*0.6)^2 = 0.04624 + 0.06348 = 0.10972
  // B = 0.6^2 [0.1(0.6 + 0.5)^2 + 0.2(0.4 + 0.5)^2] = 0.36 * 0.283 = 0.10188
  // C = (0.4 - 0.5*0.6)^2 = 0.01
  // se = sqrt(0.2016) / (0.5 sqrt(50)) = 0.448999 / 3.535534 = 0.126996
  CHECK(k.standard_error == doctest::Approx(0.126996).epsilon(1e-5));
  CHECK(k.ci_low == doctest::Approx(0.4 - 1.959964 * 0.126996).epsilon(1e-5));
  CHECK(k.ci_high == doctest::Approx(0.4 + 1.959964 * 0.126996).epsilon(1e-5));
}

TEST_CASE("Cohen's kappa on a 3x3 table, and when it is undefined") {
  // Two diagnosticians, 100 patients (psychotic, neurotic, organic):
  //   75  1  4 | 80       p_o = (75 + 4 + 10)/100 = 0.89
  //    5  4  1 | 10       p_e = 0.80*0.80 + 0.10*0.05 + 0.10*0.15 = 0.66
  //    0  0 10 | 10       kappa = 0.23/0.34 = 0.676471
  //   80  5 15
  const mx::Kappa k = mx::cohen_kappa(mx::ConfusionMatrix::from_counts({{75, 1, 4}, {5, 4, 1}, {0, 0, 10}}));
  CHECK(k.observed_agreement == doctest::Approx(0.89));
  CHECK(k.chance_agreement == doctest::Approx(0.66));
  CHECK(k.kappa == doctest::Approx(0.23 / 0.34));
  // Both raters always say class 0: p_e = 1, kappa 0/0.
  CHECK(std::isnan(mx::cohen_kappa(mx::ConfusionMatrix::from_counts({{5, 0}, {0, 0}})).kappa));
  CHECK_THROWS_AS(mx::cohen_kappa(mx::ConfusionMatrix::from_counts({{0, 0}, {0, 0}})), medrepro::Error);
}
