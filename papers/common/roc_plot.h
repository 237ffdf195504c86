#pragma once
// Receiver operating characteristic curves: computed from scores and binary
// truths, and drawn as SVG with the chance diagonal and each curve's AUC in
// the legend.
#include <string>
#include <vector>

namespace medrepro::report {

struct RocCurve {
  std::string name;
  std::vector<double> false_positive_rate, true_positive_rate;  // from (0, 0) to (1, 1)
  double auc = 0;
};

// The curve and AUC of metrics::roc_curve and metrics::auc (papers/common/roc.h):
// one point per distinct score, a tied positive-negative pair counted as half.
// Error unless there is at least one positive and one negative.
RocCurve roc_curve(const std::string& name, const std::vector<double>& scores, const std::vector<bool>& positive);

// Legend entries read "name (AUC 0.912)".
std::string render_roc_svg(const std::string& title, const std::vector<RocCurve>& curves);
void write_roc_svg(const std::string& path, const std::string& title, const std::vector<RocCurve>& curves);

}  // namespace medrepro::report
