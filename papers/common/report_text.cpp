#include "papers/common/report_text.h"

#include <cstdio>

namespace medrepro::report {

std::string fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

std::string plain(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", v);
  return buffer;
}

std::string human_count(double v) {
  char buffer[32];
  if (v >= 1e9) std::snprintf(buffer, sizeof buffer, "%.2f G", v / 1e9);
  else if (v >= 1e6) std::snprintf(buffer, sizeof buffer, "%.2f M", v / 1e6);
  else if (v >= 1e3) std::snprintf(buffer, sizeof buffer, "%.1f k", v / 1e3);
  else std::snprintf(buffer, sizeof buffer, "%.0f", v);
  return buffer;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) out += (i > 0 ? "×" : "") + std::to_string(shape[i]);
  return out;
}

}  // namespace medrepro::report
