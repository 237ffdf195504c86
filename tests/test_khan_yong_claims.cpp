// Khan & Yong's claims: paired differences over seeds with Student's t
// intervals computed by hand, the three-way verdict, and overfitting judged on
// each seed's own curves.
#include <doctest/doctest.h>

#include "papers/khan_yong_anatomy/claims.h"

using namespace khan_yong;

namespace {

Run trained(const std::string& model, int seed, double test_accuracy) {
  Run run;
  run.model = model;
  run.seed = seed;
  run.result.test.accuracy = test_accuracy;
  return run;
}

Run with_curves(const std::vector<double>& train_loss, const std::vector<double>& val_loss, int seed) {
  Run run = trained("lenet", seed, 50);
  for (size_t e = 0; e < train_loss.size(); ++e) {
    medrepro::papers::EpochRecord record;
    record.train_loss = train_loss[e];
    record.val_loss = val_loss[e];
    run.result.epochs.push_back(record);
  }
  return run;
}

RunsByModel by_model(const std::vector<Run>& runs) {
  RunsByModel out;
  for (const Run& r : runs) out[r.model].push_back(&r);
  return out;
}

}  // namespace

TEST_CASE("paired difference: per-seed differences with a t interval") {
  // Differences 10, 7, 8: mean 8.333, SD 1.5275, t(0.975, 2) = 4.3027,
  // half-width 4.3027 * 1.5275 / sqrt(3) = 3.7946.
  const std::vector<Run> runs = {trained("proposed", 1, 90), trained("proposed", 2, 92), trained("proposed", 3, 94),
                                 trained("alexnet", 1, 80),  trained("alexnet", 2, 85),  trained("alexnet", 3, 86)};
  const PairedDifference d = paired_difference(by_model(runs), "proposed", "alexnet");
  CHECK(d.pairs == 3);
  CHECK(d.mean == doctest::Approx(8.3333).epsilon(1e-4));
  CHECK(d.ci_low == doctest::Approx(4.5387).epsilon(1e-3));
  CHECK(d.ci_high == doctest::Approx(12.1279).epsilon(1e-3));
  CHECK(d.above_zero());
  CHECK_FALSE(d.below_zero());
  CHECK(describe(d) == "Proposed CNN − AlexNet +8.3 points [4.5, 12.1] (3 seeds)");
}

TEST_CASE("paired difference: only seeds that trained for both models are paired") {
  // AlexNet's seed 2 diverged and is absent: seeds 1 and 3 pair.
  const std::vector<Run> runs = {trained("proposed", 1, 90), trained("proposed", 2, 10), trained("proposed", 3, 94),
                                 trained("alexnet", 1, 80), trained("alexnet", 3, 86)};
  const PairedDifference d = paired_difference(by_model(runs), "proposed", "alexnet");
  CHECK(d.pairs == 2);
  CHECK(d.mean == doctest::Approx(9.0));
}

TEST_CASE("ranking verdicts: holds, does not hold, not resolved, not judged") {
  const std::vector<Run> runs = {
      trained("proposed", 1, 90), trained("proposed", 2, 92), trained("proposed", 3, 94),
      trained("alexnet", 1, 80),  trained("alexnet", 2, 85),  trained("alexnet", 3, 86),
      trained("lenet", 1, 85),    trained("lenet", 2, 95),    trained("lenet", 3, 90),  // vs proposed: 5, -3, 4
      trained("googlenet", 1, 95), trained("googlenet", 2, 97), trained("googlenet", 3, 99)};
  const RunsByModel models = by_model(runs);
  // Proposed is resolved below GoogLeNet: claim (1) does not hold.
  CHECK(all_above_zero(proposed_best(models)) == "does not hold");
  // Ranking: proposed > AlexNet holds; AlexNet - LeNet (-5, -10, -4) and
  // LeNet - GoogLeNet (-10, -2, -9) have intervals that reach above zero.
  CHECK(all_above_zero(paper_ranking(models)) == "not resolved");

  RunsByModel two = {{"proposed", models.at("proposed")}, {"lenet", models.at("lenet")}};
  CHECK(all_above_zero(proposed_best(two)) == "not resolved");
  CHECK(paper_ranking(two).empty());
  CHECK(all_above_zero(paper_ranking(two)) == "n/a");

  RunsByModel resolved = {{"proposed", models.at("proposed")}, {"alexnet", models.at("alexnet")}};
  CHECK(all_above_zero(proposed_best(resolved)) == "holds");

  const std::vector<Run> one_seed = {trained("proposed", 1, 90), trained("alexnet", 1, 80)};
  CHECK(all_above_zero(proposed_best(by_model(one_seed))) == "not judged");
}

TEST_CASE("equal accuracies in every seed are a tie, not a win") {
  const std::vector<Run> runs = {trained("proposed", 1, 100), trained("proposed", 2, 100),
                                 trained("alexnet", 1, 100), trained("alexnet", 2, 100)};
  CHECK(all_above_zero(proposed_best(by_model(runs))) == "not resolved");
}

TEST_CASE("overfitting is judged on each seed's own curves") {
  // Seed 1: validation minimum 0.5 at epoch 2, last 0.6 > 1.1 * 0.5 while the
  // training loss fell from 0.8 to 0.7: overfits. Seed 2: last 0.52 is within
  // 10% of its minimum: does not. Seed 3: the validation loss rose, but so did
  // the training loss: does not.
  const std::vector<Run> runs = {with_curves({1.0, 0.8, 0.7}, {1.0, 0.5, 0.6}, 1),
                                 with_curves({1.0, 0.8, 0.7}, {1.0, 0.5, 0.52}, 2),
                                 with_curves({1.0, 0.8, 0.9}, {1.0, 0.5, 0.9}, 3)};
  const OverfitCount count = count_overfitting({&runs[0], &runs[1], &runs[2]});
  CHECK(count.seeds == 3);
  CHECK(count.overfitting == 1);
  CHECK(verdict(count) == "does not overfit");
  CHECK(verdict_with_count(count) == "does not overfit (1 of 3 seeds)");
  CHECK(count.evidence.find("seed 1 overfits") != std::string::npos);
  const OverfitCount first = count_overfitting({&runs[0]});
  CHECK(verdict(first) == "overfits");
  CHECK(verdict(OverfitCount{}) == "not judged");
}
