#include "papers/common/svg_plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "papers/common/files.h"

namespace medrepro::report {
namespace {

// Okabe & Ito's palette, ordered so that the first colours differ most for
// every kind of colour vision; yellow last, as it is faint on white.
const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"};

}  // namespace

std::string plot_colour(size_t index) { return kColours[index % std::size(kColours)]; }

std::string svg_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

namespace {

// About five round tick values covering [low, high].
std::vector<double> ticks(double low, double high) {
  const double span = high - low;
  const double raw = span / 5;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * magnitude) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> out;
  for (double t = std::ceil(low / step) * step; t <= high + 1e-9 * span; t += step) out.push_back(t);
  return out;
}

std::string format_number(double v) {
  char buffer[32];
  if (std::abs(v) >= 1000 || (std::abs(v) < 0.01 && v != 0)) std::snprintf(buffer, sizeof buffer, "%.3g", v);
  else std::snprintf(buffer, sizeof buffer, "%g", std::round(v * 1000) / 1000);
  return buffer;
}

}  // namespace

std::string render_svg(const Plot& plot, int width, int height) {
  const double left = 70, right = 170, top = 40, bottom = 55;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min;
  for (const Series& s : plot.series) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      const double e = i < s.error.size() ? s.error[i] : 0.0;
      x_min = std::min(x_min, s.x[i]);
      x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, s.y[i] - e);
      y_max = std::max(y_max, s.y[i] + e);
    }
  }
  if (!std::isfinite(x_min)) x_min = 0, x_max = 1, y_min = 0, y_max = 1;
  if (plot.x_max > plot.x_min) x_min = plot.x_min, x_max = plot.x_max;
  if (plot.y_max > plot.y_min) {
    y_min = plot.y_min, y_max = plot.y_max;
  } else if (y_max - y_min >= 1e-12) {
    // A margin, so that the extreme points do not sit on the frame.
    const double margin = 0.05 * (y_max - y_min);
    y_min -= margin, y_max += margin;
  }
  if (y_max - y_min < 1e-12) y_min -= 0.5, y_max += 0.5;
  if (x_max - x_min < 1e-12) x_min -= 0.5, x_max += 0.5;
  const bool log_x = plot.log_x && x_min > 0;
  auto fx = [&](double x) {
    const double t = log_x ? (std::log(x) - std::log(x_min)) / (std::log(x_max) - std::log(x_min))
                           : (x - x_min) / (x_max - x_min);
    return left + t * plot_w;
  };
  auto fy = [&](double y) { return top + (1 - (y - y_min) / (y_max - y_min)) * plot_h; };

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">"
      << svg_escape(plot.title) << "</text>\n";
  // Grid and tick labels.
  for (double t : ticks(y_min, y_max)) {
    svg << "<line x1=\"" << left << "\" x2=\"" << left + plot_w << "\" y1=\"" << fy(t) << "\" y2=\"" << fy(t)
        << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\"" << fy(t) + 4
        << "\" text-anchor=\"end\">" << format_number(t) << "</text>\n";
  }
  std::vector<double> x_ticks;
  if (log_x) {
    for (double decade = std::pow(10.0, std::floor(std::log10(x_min))); decade <= x_max * 1.0001; decade *= 10) {
      for (double m : {1.0, 2.0, 5.0}) {
        if (m * decade >= x_min * 0.9999 && m * decade <= x_max * 1.0001) x_ticks.push_back(m * decade);
      }
    }
  } else {
    x_ticks = ticks(x_min, x_max);
  }
  for (double t : x_ticks) {
    svg << "<line x1=\"" << fx(t) << "\" x2=\"" << fx(t) << "\" y1=\"" << top << "\" y2=\"" << top + plot_h
        << "\" stroke=\"#eee\"/>\n<text x=\"" << fx(t) << "\" y=\"" << top + plot_h + 16
        << "\" text-anchor=\"middle\">" << format_number(t) << "</text>\n";
  }
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plot_w << "\" height=\"" << plot_h
      << "\" fill=\"none\" stroke=\"black\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 12 << "\" text-anchor=\"middle\">"
      << svg_escape(plot.x_label) << (log_x ? " (log scale)" : "") << "</text>\n"
      << "<text transform=\"translate(18," << top + plot_h / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << svg_escape(plot.y_label) << "</text>\n";
  // Series, error bars and legend.
  for (size_t k = 0; k < plot.series.size(); ++k) {
    const Series& s = plot.series[k];
    const std::string colour = plot_colour(s.colour >= 0 ? size_t(s.colour) : k);
    svg << "<polyline fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\""
        << (s.dashed ? " stroke-dasharray=\"6,4\"" : "") << " points=\"";
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.y[i])) svg << fx(s.x[i]) << "," << fy(std::clamp(s.y[i], y_min, y_max)) << " ";
    }
    svg << "\"/>\n";
    for (size_t i = 0; i < s.x.size(); ++i) {
      if (!std::isfinite(s.y[i])) continue;
      if (s.markers) {
        svg << "<circle cx=\"" << fx(s.x[i]) << "\" cy=\"" << fy(std::clamp(s.y[i], y_min, y_max))
            << "\" r=\"2.5\" fill=\"" << colour << "\"/>\n";
      }
      if (i < s.error.size() && s.error[i] > 0) {
        const double lo = std::max(s.y[i] - s.error[i], y_min), hi = std::min(s.y[i] + s.error[i], y_max);
        svg << "<line x1=\"" << fx(s.x[i]) << "\" x2=\"" << fx(s.x[i]) << "\" y1=\"" << fy(lo) << "\" y2=\""
            << fy(hi) << "\" stroke=\"" << colour << "\"/>\n";
      }
    }
    const double ly = top + 10 + 18 * double(k);
    svg << "<line x1=\"" << left + plot_w + 12 << "\" x2=\"" << left + plot_w + 36 << "\" y1=\"" << ly
        << "\" y2=\"" << ly << "\" stroke=\"" << colour << "\" stroke-width=\"2\""
        << (s.dashed ? " stroke-dasharray=\"6,4\"" : "") << "/>\n<text x=\"" << left + plot_w + 42 << "\" y=\""
        << ly + 4 << "\">" << svg_escape(s.name) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

void write_svg(const std::string& path, const Plot& plot) { write_file_atomically(path, render_svg(plot)); }

}  // namespace medrepro::report
