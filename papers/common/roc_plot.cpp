#include "papers/common/roc_plot.h"

#include "core/error.h"
#include "papers/common/files.h"
#include "papers/common/report_text.h"
#include "papers/common/roc.h"
#include "papers/common/svg_plot.h"

namespace medrepro::report {

RocCurve roc_curve(const std::string& name, const std::vector<double>& scores, const std::vector<bool>& positive) {
  if (scores.size() != positive.size()) fail("roc_curve " + name + ": as many scores as truths needed");
  const std::vector<int> labels(positive.begin(), positive.end());
  RocCurve curve{name, {}, {}, metrics::auc(scores, labels)};
  for (const metrics::RocPoint& point : metrics::roc_curve(scores, labels)) {
    curve.false_positive_rate.push_back(point.false_positive_rate);
    curve.true_positive_rate.push_back(point.true_positive_rate);
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
