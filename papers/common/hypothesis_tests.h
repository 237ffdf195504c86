#pragma once
// Paired tests and bootstrap intervals, on the host in double precision.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace medrepro::metrics {

// Wilcoxon signed-rank test of the differences a[i] - b[i] (two-sided).
// Zero differences are dropped before ranking (Wilcoxon's convention, also R's
// and scipy's default "wilcox"). Equal |differences| (exact floating-point
// equality) share their mean rank. With at most kWilcoxonExactLimit nonzero
// differences the p-value is exact: the null distribution of W+ is counted
// over all 2^n sign assignments of the (mid)ranks actually observed, so ties
// are handled exactly too. Above that, the normal approximation with the tie
// correction of the variance and a continuity correction of 1/2 (as R's
// wilcox.test). p = min(1, 2 * min(P(W+ <= w), P(W+ >= w))); p = 1 when every
// difference is zero.
inline constexpr size_t kWilcoxonExactLimit = 50;  // 2^50 sign assignments still count exactly in 64 bits
struct WilcoxonResult {
  size_t pairs = 0, zero_differences = 0, n = 0;  // n: pairs - zero_differences, the ones ranked
  double w_plus = 0, w_minus = 0;                 // rank sums of positive and negative differences
  bool exact = true;
  double z = 0;  // the normal approximation's z; NaN when exact
  double p_two_sided = 1;
};
WilcoxonResult wilcoxon_signed_rank(std::span<const double> a, std::span<const double> b);

// Paired t-test of a[i] - b[i] against 0, with the 95% (or other) interval of
// the mean difference. Needs at least 2 pairs. When every difference is equal
// (SD 0) t is 0 with p = 1 if they are all 0, else +-infinity with p = 0.
struct PairedTTest {
  size_t n = 0;
  double mean_difference = 0, sd_difference = 0, t = 0, degrees_of_freedom = 0, p_two_sided = 1;
  double ci_low = 0, ci_high = 0;
};
PairedTTest paired_t_test(std::span<const double> a, std::span<const double> b, double confidence = 0.95);

// McNemar's test of two classifiers on the same items, in its exact (binomial)
// form: of the discordant items, b are right only under the first and c only under
// the second; under the null each is either with probability 1/2, and
// p = min(1, 2 * P(X <= min(b, c))) with X ~ Binomial(b + c, 1/2) (R's
// exact2x2 / statsmodels' mcnemar(exact=True)); p = 1 with no discordant items.
struct McNemarResult {
  size_t only_first = 0, only_second = 0;  // b and c
  double p_two_sided = 1;
};
McNemarResult mcnemar_exact(const std::vector<bool>& first_correct, const std::vector<bool>& second_correct);

// Percentile bootstrap: the statistic is evaluated on `resamples` resamples of
// the indices 0 .. sample_size-1 drawn with replacement, and the interval is
// the (1 - confidence)/2 and (1 + confidence)/2 quantiles of those values
// (linear interpolation between order statistics, R's type 7). The draws come
// from datasets::SplitMix64, so a seed gives the same interval everywhere.
// Resamples whose statistic is not finite (say, an AUC of a resample holding
// one class) are left out and counted. To compare two methods, resample the
// cases once and return the difference of their statistics.
struct BootstrapOptions {
  size_t resamples = 2000;
  uint64_t seed = 0;
  double confidence = 0.95;
};
struct BootstrapInterval {
  double estimate = 0;  // the statistic on the sample itself
  double ci_low = 0, ci_high = 0;
  size_t resamples = 0, invalid_resamples = 0;
};
BootstrapInterval bootstrap_percentile_ci(size_t sample_size,
                                          const std::function<double(std::span<const size_t>)>& statistic,
                                          const BootstrapOptions& options = {});

}  // namespace medrepro::metrics
