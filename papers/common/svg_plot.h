#pragma once
// Line charts as standalone SVG files: training curves and learning curves.
#include <string>
#include <vector>

namespace medrepro::report {

struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> error;  // optional: half-height of an error bar per point (e.g. 1 SD)
  bool dashed = false;
};

struct Plot {
  std::string title, x_label, y_label;
  bool log_x = false;
  std::vector<Series> series;
  // Fixed y range when both are set (e.g. accuracy 0..100); otherwise from the data.
  double y_min = 0, y_max = 0;
};

std::string render_svg(const Plot& plot, int width = 640, int height = 400);
void write_svg(const std::string& path, const Plot& plot);

}  // namespace medrepro::report
