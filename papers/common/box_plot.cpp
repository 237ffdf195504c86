#include "papers/common/box_plot.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "papers/common/files.h"
#include "papers/common/stats.h"
#include "papers/common/svg_plot.h"

namespace medrepro::report {
namespace {

std::string tick_label(double v) {
  std::ostringstream out;
  out << std::round(v * 1e6) / 1e6;
  return out.str();
}

}  // namespace

BoxStats box_stats(std::vector<double> values) {
  if (values.empty()) fail("box_stats: no values");
  std::sort(values.begin(), values.end());
  BoxStats s;
  s.q1 = quantile(values, 0.25);
  s.median = quantile(values, 0.5);
  s.q3 = quantile(values, 0.75);
  const double reach = 1.5 * (s.q3 - s.q1);
  s.whisker_low = s.q1;
  s.whisker_high = s.q3;
  for (double v : values) {
    if (v < s.q1 - reach || v > s.q3 + reach) {
      s.outliers.push_back(v);
    } else {
      s.whisker_low = std::min(s.whisker_low, v);
      s.whisker_high = std::max(s.whisker_high, v);
    }
  }
  return s;
}

std::string render_box_plot_svg(const BoxPlot& plot) {
  const double slot = 56, left = 70, right = 20, top = 40;
  size_t longest_name = 0;
  for (const BoxGroup& g : plot.groups) longest_name = std::max(longest_name, g.name.size());
  // Names longer than a slot are written at 45°, needing room below the axis.
  const bool slanted = double(longest_name) * 7 > slot;
  const double bottom = 45 + (slanted ? 5.0 * double(std::min<size_t>(longest_name, 30)) : 0.0);
  const double plot_w = std::max(300.0, slot * double(plot.groups.size())), plot_h = 300;
  const double width = left + plot_w + right, height = top + plot_h + bottom;
  double y_min = std::numeric_limits<double>::infinity(), y_max = -y_min;
  for (const BoxGroup& g : plot.groups) {
    for (double v : g.values) {
      if (std::isfinite(v)) y_min = std::min(y_min, v), y_max = std::max(y_max, v);
    }
  }
  if (plot.y_max > plot.y_min) {
    y_min = plot.y_min, y_max = plot.y_max;
  } else if (!std::isfinite(y_min)) {
    y_min = 0, y_max = 1;
  } else {
    const double margin = std::max(0.05 * (y_max - y_min), 1e-6);
    y_min -= margin, y_max += margin;
  }
  auto fy = [&](double y) { return top + (1 - (std::clamp(y, y_min, y_max) - y_min) / (y_max - y_min)) * plot_h; };
  const double group_w = plot_w / double(std::max<size_t>(1, plot.groups.size()));

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
      << svg_escape(plot.title) << "</text>\n";
  for (int i = 0; i <= 5; ++i) {
    const double t = y_min + (y_max - y_min) * i / 5.0;
    svg << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << fy(t) << "\" y2=\"" << fy(t)
        << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << fy(t) + 4 << "\" text-anchor=\"end\">"
        << tick_label(t) << "</text>\n";
  }
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\"" << plot_h
      << "\" fill=\"none\" stroke=\"black\"/>\n"
      << "<text transform=\"translate(18," << top + plot_h / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << svg_escape(plot.y_label) << "</text>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 10 << "\" text-anchor=\"middle\">"
      << svg_escape(plot.x_label) << "</text>\n";
  for (size_t k = 0; k < plot.groups.size(); ++k) {
    const BoxGroup& g = plot.groups[k];
    const double centre = left + group_w * (double(k) + 0.5), half = std::min(18.0, group_w * 0.3);
    const std::string colour = g.colour >= 0 ? plot_colour(size_t(g.colour)) : plot_colour(0);
    const double label_y = top + plot_h + 16;
    if (slanted) {
      svg << "<text transform=\"translate(" << centre << "," << label_y << ") rotate(-45)\" text-anchor=\"end\">";
    } else {
      svg << "<text x=\"" << centre << "\" y=\"" << label_y << "\" text-anchor=\"middle\">";
    }
    svg << svg_escape(g.name) << "</text>\n";
    std::vector<double> finite;
    for (double v : g.values) {
      if (std::isfinite(v)) finite.push_back(v);
    }
    if (finite.empty()) continue;
    const BoxStats s = box_stats(finite);
    svg << "<g stroke=\"" << colour << "\" stroke-width=\"1.5\">\n"
        << "<line x1=\"" << centre << "\" x2=\"" << centre << "\" y1=\"" << fy(s.whisker_high) << "\" y2=\""
        << fy(s.q3) << "\"/>\n<line x1=\"" << centre << "\" x2=\"" << centre << "\" y1=\"" << fy(s.q1)
        << "\" y2=\"" << fy(s.whisker_low) << "\"/>\n";
    for (double w : {s.whisker_low, s.whisker_high}) {
      svg << "<line x1=\"" << centre - half / 2 << "\" x2=\"" << centre + half / 2 << "\" y1=\"" << fy(w)
          << "\" y2=\"" << fy(w) << "\"/>\n";
    }
    svg << "<rect x=\"" << centre - half << "\" y=\"" << fy(s.q3) << "\" width=\"" << 2 * half << "\" height=\""
        << fy(s.q1) - fy(s.q3) << "\" fill=\"" << colour << "\" fill-opacity=\"0.15\"/>\n"
        << "<line x1=\"" << centre - half << "\" x2=\"" << centre + half << "\" y1=\"" << fy(s.median)
        << "\" y2=\"" << fy(s.median) << "\" stroke-width=\"3\"/>\n</g>\n";
    // Points spread sideways by their rank (deterministic), so equal values stay visible.
    for (size_t i = 0; i < finite.size(); ++i) {
      const double offset = finite.size() > 1 ? (double(i % 7) / 6.0 - 0.5) * half : 0.0;
      const bool outlier = finite[i] < s.whisker_low || finite[i] > s.whisker_high;
      svg << "<circle cx=\"" << centre + offset << "\" cy=\"" << fy(finite[i]) << "\" r=\"2.5\" fill=\""
          << (outlier ? "white" : colour) << "\" stroke=\"" << colour << "\" fill-opacity=\"0.7\"/>\n";
    }
  }
  svg << "</svg>\n";
  return svg.str();
}

void write_box_plot_svg(const std::string& path, const BoxPlot& plot) {
  write_file_atomically(path, render_box_plot_svg(plot));
}

}  // namespace medrepro::report
