#include "papers/common/region_metrics.h"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.h"

namespace medrepro::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ratio_or_nan(size_t numerator, size_t denominator) {
  return denominator == 0 ? kNaN : double(numerator) / double(denominator);
}

template <typename Label>
RegionScores count_region(std::span<const Label> truth, std::span<const Label> predicted, std::span<const int> region,
                          std::span<const uint8_t> mask) {
  if (truth.size() != predicted.size())
    fail("region_scores: " + std::to_string(truth.size()) + " true labels but " + std::to_string(predicted.size()) +
         " predicted labels");
  if (!mask.empty() && mask.size() != truth.size())
    fail("region_scores: the mask has " + std::to_string(mask.size()) + " voxels but the labels " +
         std::to_string(truth.size()));
  if (region.empty()) fail("region_scores: the region has no labels");
  const auto inside = [&](Label label) {
    return std::find(region.begin(), region.end(), int(label)) != region.end();
  };
  size_t tp = 0, fp = 0, fn = 0, tn = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    if (!mask.empty() && mask[i] == 0) continue;
    const bool in_truth = inside(truth[i]), in_prediction = inside(predicted[i]);
    if (in_truth && in_prediction) ++tp;
    else if (in_prediction) ++fp;
    else if (in_truth) ++fn;
    else ++tn;
  }
  return region_scores_from_counts(tp, fp, fn, tn);
}

}  // namespace

RegionScores region_scores_from_counts(size_t true_positive, size_t false_positive, size_t false_negative,
                                       size_t true_negative) {
  RegionScores s{true_positive, false_positive, false_negative, true_negative, 0, 0, 0, 0};
  const size_t dice_denominator = 2 * true_positive + false_positive + false_negative;
  s.dice = dice_denominator == 0 ? 1.0 : double(2 * true_positive) / double(dice_denominator);
  s.sensitivity = ratio_or_nan(true_positive, true_positive + false_negative);
  s.ppv = ratio_or_nan(true_positive, true_positive + false_positive);
  s.specificity = ratio_or_nan(true_negative, true_negative + false_positive);
  return s;
}

RegionScores region_scores(std::span<const int> truth, std::span<const int> predicted, std::span<const int> region,
                           std::span<const uint8_t> mask) {
  return count_region(truth, predicted, region, mask);
}

RegionScores region_scores(std::span<const uint8_t> truth, std::span<const uint8_t> predicted,
                           std::span<const int> region, std::span<const uint8_t> mask) {
  return count_region(truth, predicted, region, mask);
}

}  // namespace medrepro::metrics
