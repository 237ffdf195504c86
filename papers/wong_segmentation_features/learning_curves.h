#pragma once
// The classification runs gathered as learning curves (Figure 5's analogue): per
// measure, framework and training-set size, one value per repetition (NaN where
// the run diverged), and the paper's claims about them judged by direction from
// paired differences over repetitions, as the notes specify.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "papers/common/claims.h"
#include "papers/common/experiment_runner.h"
#include "papers/common/stats.h"
#include "papers/wong_segmentation_features/experiment.h"

namespace medrepro::wong {

// accuracy (%), kappa, then F1 (%) per class: no tumour, glioma, meningioma.
const std::vector<std::string>& curve_measures();
std::string measure_title(const std::string& measure);

struct LearningCurves {
  std::vector<size_t> sizes;  // tumorous training samples, ascending
  int repetitions = 0;
  // values[measure][framework][size index][repetition - 1]
  std::map<std::string, std::map<Framework, std::vector<std::vector<double>>>> values;

  const std::vector<double>& at(const std::string& measure, Framework framework, size_t size_index) const;
  report::Summary summary(const std::string& measure, Framework framework, size_t size_index) const;  // finite values
  size_t diverged(Framework framework, size_t size_index) const;
};

LearningCurves learning_curves(const std::vector<papers::FinishedRun>& runs, const Profile& profile);

// "holds" when the 95% interval of the mean paired difference is above zero, "does
// not hold" when it holds no positive value (all differences 0 included),
// "inconclusive" when it spans zero, "cannot tell" with fewer than 2 pairs; with the
// evidence "+3.2 [-1.0, 7.4] (95% CI of the paired mean, 2 repetitions)".
report::Claim difference_above_zero(const std::string& statement, const std::vector<double>& a,
                                    const std::vector<double>& b, int decimals);

// The learning-curve claims of the notes (§5): features beat SCRATCH at small n; the
// frameworks converge; SCRATCH spreads more; ASEG slightly beats KMEANS; F1 per class.
std::vector<report::Claim> judge_curve_claims(const LearningCurves& curves);

}  // namespace medrepro::wong
