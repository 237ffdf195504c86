// The Wong et al. learning curves gathered from run results, and the claims judged on
// them by direction, on hand-made results whose verdicts are worked out by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "papers/wong_segmentation_features/learning_curves.h"

namespace wong = medrepro::wong;
using medrepro::report::Json;

namespace {

medrepro::papers::FinishedRun classification(wong::Framework framework, int repetition, size_t tumorous,
                                             double accuracy) {
  medrepro::papers::FinishedRun run;
  run.planned.id = wong::classification_run_id(framework, repetition, tumorous);
  run.result.set("kind", "classification")
      .set("framework", wong::framework_name(framework))
      .set("repetition", repetition)
      .set("tumorous", uint64_t(tumorous))
      .set("accuracy", accuracy)
      .set("kappa", accuracy / 100.0)
      .set("f1", Json::array_of(std::vector<double>{accuracy, accuracy - 1, accuracy - 2}));
  return run;
}

wong::Profile two_sizes() {
  wong::Profile profile;
  profile.tumorous_sizes = {40, 10};  // unordered: the curves sort them
  profile.repetitions = 2;
  return profile;
}

}  // namespace

TEST_CASE("learning curves: one value per repetition, NaN for a diverged run, sizes ascending") {
  std::vector<medrepro::papers::FinishedRun> runs;
  runs.push_back(classification(wong::Framework::Aseg, 1, 10, 70));
  runs.push_back(classification(wong::Framework::Aseg, 2, 10, 74));
  auto diverged = classification(wong::Framework::Scratch, 2, 40, 0);
  diverged.result.set("diverged_at_step", 12);
  runs.push_back(diverged);
  const wong::LearningCurves curves = wong::learning_curves(runs, two_sizes());
  CHECK(curves.sizes == std::vector<size_t>{10, 40});
  CHECK(curves.at("accuracy", wong::Framework::Aseg, 0) == std::vector<double>{70, 74});
  CHECK(curves.at("f1_meningioma", wong::Framework::Aseg, 0) == std::vector<double>{68, 72});
  const auto summary = curves.summary("accuracy", wong::Framework::Aseg, 0);
  CHECK(summary.mean == doctest::Approx(72));
  CHECK(summary.sd == doctest::Approx(std::sqrt(8.0)));
  CHECK(curves.diverged(wong::Framework::Scratch, 1) == 2);  // one diverged, one never run: both missing
  CHECK(std::isnan(curves.at("kappa", wong::Framework::Scratch, 1)[1]));
}

TEST_CASE("a paired difference above zero: holds, does not hold, inconclusive, cannot tell") {
  // Differences 2, 4: mean 3, SD sqrt(2), t(1) 97.5% = 12.706: interval 3 +- 12.706 = [-9.7, 15.7].
  auto c = wong::difference_above_zero("a", {12, 14}, {10, 10}, 1);
  CHECK(c.verdict == "inconclusive");
  CHECK(c.evidence.find("+3.0 [-9.7, 15.7]") != std::string::npos);
  // Differences 3, 3.1, 2.9: mean 3, SD 0.1, t(2) 4.303: [2.75, 3.25].
  CHECK(wong::difference_above_zero("a", {13, 13.1, 12.9}, {10, 10, 10}, 1).verdict == "holds");
  CHECK(wong::difference_above_zero("a", {10, 10, 10}, {13, 13.1, 12.9}, 1).verdict == "does not hold");
  CHECK(wong::difference_above_zero("a", {10, 10}, {10, 10}, 1).verdict == "does not hold");  // all 0: [0, 0]
  CHECK(wong::difference_above_zero("a", {13, NAN}, {10, 10}, 1).verdict == "cannot tell");
}

TEST_CASE("the curve claims, judged on curves made to hold them") {
  // Features lead by about 20 points at 10 tumorous samples and by about 2 at 40; SCRATCH varies most.
  std::vector<medrepro::papers::FinishedRun> runs;
  const double aseg[2][2] = {{80, 81}, {90, 91}}, kmeans[2][2] = {{78, 80}, {89, 90}}, scratch[2][2] = {{55, 65}, {84, 92}};
  for (int rep = 1; rep <= 2; ++rep) {
    for (size_t s = 0; s < 2; ++s) {
      const size_t size = s == 0 ? 10 : 40;
      runs.push_back(classification(wong::Framework::Aseg, rep, size, aseg[s][rep - 1]));
      runs.push_back(classification(wong::Framework::KMeans, rep, size, kmeans[s][rep - 1]));
      runs.push_back(classification(wong::Framework::Scratch, rep, size, scratch[s][rep - 1]));
    }
  }
  const auto claims = wong::judge_curve_claims(wong::learning_curves(runs, two_sizes()));
  REQUIRE(claims.size() == 5);
  // ASEG - SCRATCH at 10: differences 25 and 16, mean 20.5, SD 6.36, half-width 12.706 * 6.36 / sqrt(2) = 57.2.
  CHECK(claims[0].parts[0].verdict == "inconclusive");
  CHECK(claims[0].parts[0].evidence.find("+20.5 [-36.7, 77.7]") != std::string::npos);
  // Gap 20.5 at 10, mean(6, -1) = 2.5 at 40.
  CHECK(claims[1].parts[0].verdict == "holds");
  // SCRATCH's SD: (7.07 + 5.66) / 2 = 6.36 against ASEG's 0.71.
  CHECK(claims[2].parts[0].verdict == "holds");
  // ASEG - KMEANS: 1.5 and 1 (mean 1.25), below |ASEG - SCRATCH| (20.5 + 2.5) / 2 = 11.5.
  CHECK(claims[3].parts[0].verdict == "holds");
  CHECK(claims[3].parts[1].verdict == "holds");  // kappa: the same, scaled
  // Equal F1 gains for every class: the advantage is not larger for no tumour and glioma.
  CHECK(claims[4].parts[0].verdict == "does not hold");
}
