// Dice, sensitivity, PPV and true specificity of label regions on a tiny
// hand-checked volume with a mask, including the empty-region conventions.
// Host only: nothing here uses the device.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "papers/common/region_metrics.h"

namespace mx = medrepro::metrics;

namespace {

// Twelve voxels; the last is outside the mask (it would be a false positive
// for every region holding 4).
const std::vector<int> truth{0, 0, 1, 2, 4, 4, 0, 3, 0, 0, 2, 0};
const std::vector<int> predicted{0, 1, 1, 2, 4, 0, 0, 4, 2, 0, 2, 4};
const std::vector<uint8_t> mask{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
const std::vector<int> whole{1, 2, 3, 4}, core{1, 3, 4}, enhancing{4};

void check_counts(const mx::RegionScores& s, size_t tp, size_t fp, size_t fn, size_t tn) {
  CHECK(s.true_positive == tp);
  CHECK(s.false_positive == fp);
  CHECK(s.false_negative == fn);
  CHECK(s.true_negative == tn);
}

}  // namespace

TEST_CASE("region scores of BRATS-style regions inside a mask") {
  // Whole {1,2,3,4}, voxel by voxel (truth in, predicted in):
  //   0 TN, 1 FP, 2 TP, 3 TP, 4 TP, 5 FN, 6 TN, 7 TP, 8 FP, 9 TN, 10 TP, 11 masked
  //   TP 5, FP 2, FN 1, TN 3: Dice 10/13, sensitivity 5/6, PPV 5/7, specificity 3/5.
  mx::RegionScores s = mx::region_scores(truth, predicted, whole, mask);
  check_counts(s, 5, 2, 1, 3);
  CHECK(s.dice == doctest::Approx(10.0 / 13));
  CHECK(s.sensitivity == doctest::Approx(5.0 / 6));
  CHECK(s.ppv == doctest::Approx(5.0 / 7));
  CHECK(s.specificity == doctest::Approx(3.0 / 5));

  // Without the mask voxel 11 is a false positive: Dice 10/14, PPV 5/8, specificity 3/6.
  s = mx::region_scores(truth, predicted, whole);
  check_counts(s, 5, 3, 1, 3);
  CHECK(s.dice == doctest::Approx(10.0 / 14));
  CHECK(s.ppv == doctest::Approx(5.0 / 8));
  CHECK(s.specificity == doctest::Approx(0.5));

  // Core {1,3,4}: TP voxels 2, 4, 7; FP 1; FN 5; TN 0, 3, 6, 8, 9, 10.
  //   Dice 6/8, sensitivity 3/4, PPV 3/4, specificity 6/7.
  s = mx::region_scores(truth, predicted, core, mask);
  check_counts(s, 3, 1, 1, 6);
  CHECK(s.dice == doctest::Approx(0.75));
  CHECK(s.specificity == doctest::Approx(6.0 / 7));

  // Enhancing {4}: TP 4; FP 7; FN 5; TN the other 8. Dice 2/4, specificity 8/9.
  s = mx::region_scores(truth, predicted, enhancing, mask);
  check_counts(s, 1, 1, 1, 8);
  CHECK(s.dice == doctest::Approx(0.5));
  CHECK(s.sensitivity == doctest::Approx(0.5));
  CHECK(s.ppv == doctest::Approx(0.5));
  CHECK(s.specificity == doctest::Approx(8.0 / 9));

  // The uint8 overload counts the same.
  const std::vector<uint8_t> truth8(truth.begin(), truth.end()), predicted8(predicted.begin(), predicted.end());
  check_counts(mx::region_scores(truth8, predicted8, whole, mask), 5, 2, 1, 3);
}

TEST_CASE("region scores: empty-region conventions") {
  // Label 3 is in the truth (voxel 7) but never predicted: Dice 0, sensitivity 0,
  // PPV undefined (NaN), specificity 11/11 = 1.
  const std::vector<int> label3{3};
  mx::RegionScores s = mx::region_scores(truth, predicted, label3, mask);
  check_counts(s, 0, 0, 1, 10);
  CHECK(s.dice == 0);
  CHECK(s.sensitivity == 0);
  CHECK(std::isnan(s.ppv));
  CHECK(s.specificity == 1);

  // Label 5 occurs nowhere: both regions empty, Dice 1, sensitivity and PPV NaN.
  const std::vector<int> label5{5};
  s = mx::region_scores(truth, predicted, label5, mask);
  CHECK(s.dice == 1);
  CHECK(std::isnan(s.sensitivity));
  CHECK(std::isnan(s.ppv));
  CHECK(s.specificity == 1);

  // Empty truth, one voxel predicted: Dice 0, sensitivity NaN, PPV 0, specificity 1/2.
  const std::vector<int> label1{1};
  s = mx::region_scores(std::vector<int>{0, 0}, std::vector<int>{0, 1}, label1);
  CHECK(s.dice == 0);
  CHECK(std::isnan(s.sensitivity));
  CHECK(s.ppv == 0);
  CHECK(s.specificity == 0.5);

  // Every voxel inside the true region: specificity NaN.
  s = mx::region_scores(std::vector<int>{1, 1}, std::vector<int>{1, 0}, label1);
  CHECK(std::isnan(s.specificity));
  CHECK(s.dice == doctest::Approx(2.0 / 3));
}

TEST_CASE("region scores refuse mismatched sizes and an empty region") {
  const std::vector<int> none;
  CHECK_THROWS_AS(mx::region_scores(truth, std::vector<int>{0, 1}, whole), medrepro::Error);
  CHECK_THROWS_AS(mx::region_scores(truth, predicted, whole, std::vector<uint8_t>{1, 1}), medrepro::Error);
  CHECK_THROWS_AS(mx::region_scores(truth, predicted, none), medrepro::Error);
}
