#include "papers/common/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdio>

namespace medrepro::report {

namespace {
// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
double t_quantile(size_t dof) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  return dof == 0 ? 0.0 : dof <= 30 ? table[dof - 1] : 1.96;
}
}  // namespace

Summary summarize(const std::vector<double>& values) {
  Summary s;
  s.n = values.size();
  if (s.n == 0) return s;
  for (double v : values) s.mean += v;
  s.mean /= double(s.n);
  if (s.n > 1) {
    double sq = 0;
    for (double v : values) sq += (v - s.mean) * (v - s.mean);
    s.sd = std::sqrt(sq / double(s.n - 1));
  }
  const double half = t_quantile(s.n - 1) * s.sd / std::sqrt(double(s.n));
  s.ci_low = s.mean - half;
  s.ci_high = s.mean + half;
  return s;
}

std::string format_summary(const Summary& s, int decimals) {
  char buffer[64];
  if (s.n > 1) std::snprintf(buffer, sizeof buffer, "%.*f ± %.*f", decimals, s.mean, decimals, s.sd);
  else std::snprintf(buffer, sizeof buffer, "%.*f", decimals, s.mean);
  return buffer;
}

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double position = std::clamp(q, 0.0, 1.0) * double(sorted.size() - 1);
  const size_t below = static_cast<size_t>(position);
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - double(below)) * (sorted[above] - sorted[below]);
}

}  // namespace medrepro::report
