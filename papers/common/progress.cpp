#include "papers/common/progress.h"

#include <cmath>
#include <cstdio>

namespace medrepro::papers {

std::string format_duration(double seconds) {
  char buffer[32];
  const int s = static_cast<int>(std::lround(seconds));
  if (s >= 3600) std::snprintf(buffer, sizeof buffer, "%dh%02dm", s / 3600, (s / 60) % 60);
  else if (s >= 60) std::snprintf(buffer, sizeof buffer, "%dm%02ds", s / 60, s % 60);
  else std::snprintf(buffer, sizeof buffer, "%ds", s);
  return buffer;
}

}  // namespace medrepro::papers
