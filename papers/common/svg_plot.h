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
  bool markers = true;  // a dot per point; off for dense curves (ROC)
  // Colour index into the palette; -1: the series' position in the plot.
  int colour = -1;
};

struct Plot {
  std::string title, x_label, y_label;
  bool log_x = false;
  std::vector<Series> series;
  // Fixed y range when both are set (e.g. accuracy 0..100); otherwise from the data.
  double y_min = 0, y_max = 0;
  // Fixed x range when both are set (e.g. a false-positive rate 0..1); otherwise from the data.
  double x_min = 0, x_max = 0;
};

// The palette of the plots (colour-blind-aware: Okabe & Ito's eight colours,
// black last), cycled; index 0 is orange.
std::string plot_colour(size_t index);
// Text for SVG: <, > and & escaped.
std::string svg_escape(const std::string& text);

std::string render_svg(const Plot& plot, int width = 640, int height = 400);
void write_svg(const std::string& path, const Plot& plot);

}  // namespace medrepro::report
