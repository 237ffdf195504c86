#pragma once
// Summaries over seeds: mean, sample SD and a 95% confidence interval of the mean.
#include <string>
#include <vector>

namespace medrepro::report {

struct Summary {
  size_t n = 0;
  double mean = 0, sd = 0;
  double ci_low = 0, ci_high = 0;  // 95% interval of the mean (Student t); equal to mean when n < 2
};

Summary summarize(const std::vector<double>& values);
// "81.2 ± 1.3" (mean ± SD), or "81.2" for a single value.
std::string format_summary(const Summary& s, int decimals);

// The q-quantile (0..1) of sorted values, interpolated linearly between order
// statistics (R's type 7, NumPy's default); NaN for no values.
double quantile(const std::vector<double>& sorted, double q);

}  // namespace medrepro::report
