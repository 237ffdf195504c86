#include "papers/common/hypothesis_tests.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "datasets/split.h"
#include "papers/common/distributions.h"
#include "papers/common/stats.h"

namespace medrepro::metrics {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<double> differences(const char* where, std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size())
    fail(std::string(where) + ": " + std::to_string(a.size()) + " values against " + std::to_string(b.size()) +
         "; a paired test needs equal lengths");
  std::vector<double> d(a.size());
  for (size_t i = 0; i < a.size(); ++i) {
    d[i] = a[i] - b[i];
    if (std::isnan(d[i])) fail(std::string(where) + ": pair " + std::to_string(i) + " has a NaN");
  }
  return d;
}

}  // namespace

WilcoxonResult wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b) {
  const std::vector<double> all = differences("wilcoxon_signed_rank", a, b);
  WilcoxonResult r;
  r.pairs = all.size();
  std::vector<double> d;
  for (double value : all)
    if (value != 0) d.push_back(value);
  r.n = d.size();
  r.zero_differences = r.pairs - r.n;
  if (r.n == 0) {
    r.z = kNaN;
    return r;
  }
  // Ranks of |d| doubled, so midranks (multiples of 1/2) become integers.
  std::vector<size_t> order(r.n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return std::abs(d[x]) < std::abs(d[y]); });
  std::vector<size_t> doubled_rank(r.n);
  double tie_term = 0;  // sum of t^3 - t over groups of t tied |d|
  for (size_t start = 0; start < r.n;) {
    size_t end = start + 1;
    while (end < r.n && std::abs(d[order[end]]) == std::abs(d[order[start]])) ++end;
    for (size_t i = start; i < end; ++i) doubled_rank[order[i]] = start + 1 + end;  // 2 * mean of start+1 .. end
    const double t = double(end - start);
    tie_term += t * t * t - t;
    start = end;
  }
  size_t doubled_w_plus = 0, doubled_total = 0;
  for (size_t i = 0; i < r.n; ++i) {
    doubled_total += doubled_rank[i];
    if (d[i] > 0) doubled_w_plus += doubled_rank[i];
  }
  r.w_plus = 0.5 * double(doubled_w_plus);
  r.w_minus = 0.5 * double(doubled_total - doubled_w_plus);
  const double n = double(r.n);
  if (r.n <= kWilcoxonExactLimit) {
    r.exact = true;
    r.z = kNaN;
    // ways[s]: sign assignments whose positive doubled ranks sum to s (a
    // subset-sum count, equal to enumerating all 2^n assignments).
    std::vector<uint64_t> ways(doubled_total + 1, 0);
    ways[0] = 1;
    size_t reachable = 0;
    for (size_t rank : doubled_rank) {
      reachable += rank;
      for (size_t s = reachable; s >= rank; --s) {
        ways[s] += ways[s - rank];
        if (s == rank) break;
      }
    }
    uint64_t at_most = 0, at_least = 0;
    for (size_t s = 0; s <= doubled_total; ++s) {
      if (s <= doubled_w_plus) at_most += ways[s];
      if (s >= doubled_w_plus) at_least += ways[s];
    }
    const double assignments = std::ldexp(1.0, int(r.n));
    r.p_two_sided = std::min(1.0, 2.0 * double(std::min(at_most, at_least)) / assignments);
  } else {
    r.exact = false;
    const double mean = n * (n + 1) / 4;
    const double sd = std::sqrt(n * (n + 1) * (2 * n + 1) / 24 - tie_term / 48);
    const double centred = r.w_plus - mean;
    const double correction = centred > 0 ? 0.5 : centred < 0 ? -0.5 : 0.0;
    r.z = (centred - correction) / sd;
    r.p_two_sided = std::min(1.0, 2.0 * normal_cdf(-std::abs(r.z)));
  }
  return r;
}

McNemarResult mcnemar_exact(const std::vector<bool>& first_correct, const std::vector<bool>& second_correct) {
  if (first_correct.size() != second_correct.size()) {
    fail("mcnemar_exact: " + std::to_string(first_correct.size()) + " and " + std::to_string(second_correct.size()) +
         " items: the two classifiers must be scored on the same items");
  }
  McNemarResult r;
  for (size_t i = 0; i < first_correct.size(); ++i) {
    if (first_correct[i] && !second_correct[i]) ++r.only_first;
    if (second_correct[i] && !first_correct[i]) ++r.only_second;
  }
  const size_t n = r.only_first + r.only_second, k = std::min(r.only_first, r.only_second);
  if (n == 0) return r;
  // P(X <= k) summed in log space: n may be thousands, beyond 2^-n in double.
  double tail = 0;
  for (size_t i = 0; i <= k; ++i) {
    tail += std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(i) + 1) - std::lgamma(double(n - i) + 1) -
                     double(n) * std::log(2.0));
  }
  r.p_two_sided = std::min(1.0, 2 * tail);
  return r;
}

PairedTTest paired_t_test(std::span<const double> a, std::span<const double> b, double confidence) {
  const std::vector<double> d = differences("paired_t_test", a, b);
  if (d.size() < 2) fail("paired_t_test: needs at least 2 pairs, got " + std::to_string(d.size()));
  if (!(confidence > 0 && confidence < 1)) fail("paired_t_test: the confidence must lie strictly between 0 and 1");
  const report::Summary summary = report::summarize(d);
  PairedTTest r;
  r.n = d.size();
  r.mean_difference = summary.mean;
  r.sd_difference = summary.sd;
  r.degrees_of_freedom = double(r.n - 1);
  const double standard_error = summary.sd / std::sqrt(double(r.n));
  if (standard_error > 0) {
    r.t = summary.mean / standard_error;
    r.p_two_sided = student_t_two_sided_p(r.t, r.degrees_of_freedom);
  } else if (summary.mean == 0) {
    r.t = 0;
    r.p_two_sided = 1;
  } else {
    r.t = std::copysign(std::numeric_limits<double>::infinity(), summary.mean);
    r.p_two_sided = 0;
  }
  const double half = student_t_quantile(0.5 + confidence / 2, r.degrees_of_freedom) * standard_error;
  r.ci_low = summary.mean - half;
  r.ci_high = summary.mean + half;
  return r;
}

BootstrapInterval bootstrap_percentile_ci(size_t sample_size,
                                          const std::function<double(std::span<const size_t>)>& statistic,
                                          const BootstrapOptions& options) {
  if (sample_size == 0) fail("bootstrap_percentile_ci: the sample is empty");
  if (options.resamples < 2) fail("bootstrap_percentile_ci: needs at least 2 resamples");
  if (!(options.confidence > 0 && options.confidence < 1))
    fail("bootstrap_percentile_ci: the confidence must lie strictly between 0 and 1");
  std::vector<size_t> indices(sample_size);
  std::iota(indices.begin(), indices.end(), size_t{0});
  BootstrapInterval result;
  result.estimate = statistic(indices);
  result.resamples = options.resamples;
  datasets::SplitMix64 rng(options.seed);
  std::vector<double> values;
  values.reserve(options.resamples);
  for (size_t b = 0; b < options.resamples; ++b) {
    for (size_t& index : indices) index = size_t(rng.below(sample_size));
    const double value = statistic(indices);
    if (std::isfinite(value)) values.push_back(value);
    else ++result.invalid_resamples;
  }
  if (values.size() < 2)
    fail("bootstrap_percentile_ci: the statistic was finite on only " + std::to_string(values.size()) + " of " +
         std::to_string(options.resamples) + " resamples");
  std::sort(values.begin(), values.end());
  result.ci_low = report::quantile(values, (1 - options.confidence) / 2);  // R's type 7
  result.ci_high = report::quantile(values, (1 + options.confidence) / 2);
  return result;
}

}  // namespace medrepro::metrics
