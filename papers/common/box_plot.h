#pragma once
// Box plots as SVG: one box per group (a case, a model, a fold) with its median,
// quartiles, whiskers to the furthest values within 1.5 IQR of the box, and
// every value drawn as a point, so that a few cases are never hidden in a box.
#include <string>
#include <vector>

namespace medrepro::report {

struct BoxStats {
  double q1 = 0, median = 0, q3 = 0;
  double whisker_low = 0, whisker_high = 0;  // the furthest values within 1.5 IQR of the box
  std::vector<double> outliers;               // beyond the whiskers, ascending
};

// Quartiles interpolated linearly (as NumPy's default). Error for no values.
BoxStats box_stats(std::vector<double> values);

struct BoxGroup {
  std::string name;
  std::vector<double> values;
  int colour = -1;  // index into svg_plot's palette; -1: all groups alike
};

struct BoxPlot {
  std::string title, x_label, y_label;
  std::vector<BoxGroup> groups;
  double y_min = 0, y_max = 0;  // fixed range when both are set (e.g. Dice 0..1)
};

std::string render_box_plot_svg(const BoxPlot& plot);
void write_box_plot_svg(const std::string& path, const BoxPlot& plot);

}  // namespace medrepro::report
