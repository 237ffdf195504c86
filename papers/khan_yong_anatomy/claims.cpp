#include "papers/khan_yong_anatomy/claims.h"

#include <algorithm>

#include "papers/common/hypothesis_tests.h"
#include "papers/common/report_text.h"

namespace khan_yong {

using medrepro::report::fixed;

PairedDifference paired_difference(const RunsByModel& runs, const std::string& a, const std::string& b) {
  PairedDifference d{a, b};
  const auto a_runs = runs.find(a), b_runs = runs.find(b);
  if (a_runs == runs.end() || b_runs == runs.end()) return d;
  std::vector<double> a_accuracy, b_accuracy;
  for (const Run* ra : a_runs->second) {
    for (const Run* rb : b_runs->second) {
      if (rb->seed != ra->seed) continue;
      a_accuracy.push_back(ra->result.test.accuracy);
      b_accuracy.push_back(rb->result.test.accuracy);
    }
  }
  d.pairs = a_accuracy.size();
  if (d.pairs < 2) return d;
  const auto test = medrepro::metrics::paired_t_test(a_accuracy, b_accuracy);
  d.mean = test.mean_difference;
  d.ci_low = test.ci_low;
  d.ci_high = test.ci_high;
  return d;
}

std::string describe(const PairedDifference& d) {
  const std::string name = display_name(d.a) + " − " + display_name(d.b);
  if (d.pairs < 2) return name + ": " + std::to_string(d.pairs) + " seed(s) trained for both, too few to compare";
  return name + " " + (d.mean >= 0 ? "+" : "") + fixed(d.mean, 1) + " points [" + fixed(d.ci_low, 1) + ", " +
         fixed(d.ci_high, 1) + "] (" + std::to_string(d.pairs) + " seeds)";
}

std::string all_above_zero(const std::vector<PairedDifference>& differences) {
  if (differences.empty()) return "n/a";
  if (std::any_of(differences.begin(), differences.end(), [](const auto& d) { return d.pairs < 2; })) {
    return "not judged";
  }
  if (std::any_of(differences.begin(), differences.end(), [](const auto& d) { return d.below_zero(); })) {
    return "does not hold";
  }
  if (std::all_of(differences.begin(), differences.end(), [](const auto& d) { return d.above_zero(); })) {
    return "holds";
  }
  return "not resolved";
}

std::vector<PairedDifference> proposed_best(const RunsByModel& runs) {
  std::vector<PairedDifference> out;
  if (!runs.count("proposed")) return out;
  for (const auto& [model, model_runs] : runs) {
    if (model != "proposed") out.push_back(paired_difference(runs, "proposed", model));
  }
  return out;
}

std::vector<PairedDifference> paper_ranking(const RunsByModel& runs) {
  const std::vector<std::string> order = {"proposed", "alexnet", "lenet", "googlenet"};
  std::vector<PairedDifference> out;
  if (!std::all_of(order.begin(), order.end(), [&](const std::string& m) { return runs.count(m) > 0; })) return out;
  for (size_t i = 0; i + 1 < order.size(); ++i) out.push_back(paired_difference(runs, order[i], order[i + 1]));
  return out;
}

OverfitCount count_overfitting(const std::vector<const Run*>& runs) {
  OverfitCount count;
  for (const Run* run : runs) {
    const auto& epochs = run->result.epochs;
    if (epochs.empty()) continue;
    const auto best = size_t(std::min_element(epochs.begin(), epochs.end(),
                                              [](const auto& x, const auto& y) { return x.val_loss < y.val_loss; }) -
                             epochs.begin());
    const bool overfits = epochs.back().val_loss > kOverfitRise * epochs[best].val_loss &&
                          epochs.back().train_loss < epochs[best].train_loss;
    ++count.seeds;
    count.overfitting += overfits;
    count.evidence += std::string(count.evidence.empty() ? "" : "; ") + "seed " + std::to_string(run->seed) + " " +
                      (overfits ? "overfits" : "does not") + ": validation loss minimum " +
                      fixed(epochs[best].val_loss, 3) + " at epoch " + std::to_string(best + 1) + ", last " +
                      fixed(epochs.back().val_loss, 3) + "; training loss " + fixed(epochs[best].train_loss, 3) +
                      " → " + fixed(epochs.back().train_loss, 3);
  }
  return count;
}

std::string verdict(const OverfitCount& count) {
  if (count.seeds == 0) return "not judged";
  return 2 * count.overfitting > count.seeds ? "overfits" : "does not overfit";
}

std::string verdict_with_count(const OverfitCount& count) {
  return verdict(count) + " (" + std::to_string(count.overfitting) + " of " + std::to_string(count.seeds) + " seeds)";
}

}  // namespace khan_yong
