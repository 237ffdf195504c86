#include "papers/common/roc_plot.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "papers/common/files.h"
#include "papers/common/report_text.h"
#include "papers/common/svg_plot.h"

namespace medrepro::report {

RocCurve roc_curve(const std::string& name, const std::vector<double>& scores, const std::vector<bool>& positive) {
  if (scores.size() != positive.size()) fail("roc_curve " + name + ": as many scores as truths needed");
  const auto positives = double(std::count(positive.begin(), positive.end(), true));
  const double negatives = double(positive.size()) - positives;
  if (positives == 0 || negatives == 0) fail("roc_curve " + name + ": needs positive and negative cases");
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  RocCurve curve{name, {0.0}, {0.0}, 0.0};
  double true_positives = 0, false_positives = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    for (; j < order.size() && scores[order[j]] == scores[order[i]]; ++j) {
      (positive[order[j]] ? true_positives : false_positives) += 1;
    }
    const double fpr = false_positives / negatives, tpr = true_positives / positives;
    curve.auc += (fpr - curve.false_positive_rate.back()) * (tpr + curve.true_positive_rate.back()) / 2;
    curve.false_positive_rate.push_back(fpr);
    curve.true_positive_rate.push_back(tpr);
    i = j;
  }
  return curve;
}

std::string render_roc_svg(const std::string& title, const std::vector<RocCurve>& curves) {
  Plot plot;
  plot.title = title;
  plot.x_label = "false-positive rate (1 − specificity)";
  plot.y_label = "true-positive rate (sensitivity)";
  plot.x_min = plot.y_min = 0;
  plot.x_max = plot.y_max = 1;
  for (size_t k = 0; k < curves.size(); ++k) {
    Series s;
    s.name = curves[k].name + " (AUC " + fixed(curves[k].auc, 3) + ")";
    s.x = curves[k].false_positive_rate;
    s.y = curves[k].true_positive_rate;
    s.markers = false;
    s.colour = int(k);
    plot.series.push_back(std::move(s));
  }
  Series chance;
  chance.name = "chance";
  chance.x = chance.y = {0.0, 1.0};
  chance.dashed = true;
  chance.markers = false;
  chance.colour = 6;  // black, whatever the number of curves
  plot.series.push_back(std::move(chance));
  // Square plotting area: 70 + 360 + 170 wide, 40 + 360 + 55 high (svg_plot's margins).
  return render_svg(plot, 600, 455);
}

void write_roc_svg(const std::string& path, const std::string& title, const std::vector<RocCurve>& curves) {
  write_file_atomically(path, render_roc_svg(title, curves));
}

}  // namespace medrepro::report
