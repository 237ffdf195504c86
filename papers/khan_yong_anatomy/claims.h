#pragma once
// The paper's claims (1)-(3) judged on the runs of one reading at one training-set
// size: rankings by paired differences over seeds with their 95% intervals, never
// by comparing two means; overfitting on each seed's own curves.
#include <map>
#include <string>
#include <vector>

#include "papers/khan_yong_anatomy/experiment.h"

namespace khan_yong {

// The runs that trained (not diverged) of each model, sorted by seed.
using RunsByModel = std::map<std::string, std::vector<const Run*>>;

// Test accuracy of model a minus model b over the seeds where both trained,
// paired by seed (a seed fixes the batch order and split for every model); the
// interval is Student's t over the per-seed differences.
struct PairedDifference {
  std::string a, b;
  size_t pairs = 0;
  double mean = 0, ci_low = 0, ci_high = 0;
  bool above_zero() const { return pairs >= 2 && ci_low > 0; }
  bool below_zero() const { return pairs >= 2 && ci_high < 0; }
};
PairedDifference paired_difference(const RunsByModel& runs, const std::string& a, const std::string& b);
// "Proposed CNN − AlexNet +3.2 points [-1.0, 7.4] (3 seeds)"
std::string describe(const PairedDifference& d);

// "holds" when every difference is above zero with 95% confidence, "does not
// hold" when one is below zero with 95% confidence, "not resolved" when an
// interval straddles zero; "not judged" when a comparison has fewer than 2 seeds.
std::string all_above_zero(const std::vector<PairedDifference>& differences);

// (1) the proposed CNN beats every other model; (2) proposed > AlexNet > LeNet >
// GoogLeNet, as three adjacent comparisons. An empty list: the models needed are
// not in this run.
std::vector<PairedDifference> proposed_best(const RunsByModel& runs);
std::vector<PairedDifference> paper_ranking(const RunsByModel& runs);

// (3) A run overfits when its validation loss at the last epoch is above
// kOverfitRise times its minimum while its training loss kept falling after
// that minimum.
inline constexpr double kOverfitRise = 1.10;
struct OverfitCount {
  size_t overfitting = 0, seeds = 0;
  std::string evidence;  // per seed: the minimum, its epoch, the last value
};
OverfitCount count_overfitting(const std::vector<const Run*>& runs);
// "overfits" when most seeds do, "does not overfit" otherwise, "not judged" without runs.
std::string verdict(const OverfitCount& count);
// The verdict with its count: "overfits (2 of 3 seeds)".
std::string verdict_with_count(const OverfitCount& count);

}  // namespace khan_yong
