// Distribution functions, the exact Wilcoxon signed-rank test, the paired
// t-test and the bootstrap, against closed forms, hand enumeration and a
// published example (Student's sleep data as in R's t.test documentation).
// Host only: nothing here uses the device.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "datasets/split.h"
#include "papers/common/distributions.h"
#include "papers/common/hypothesis_tests.h"

namespace mx = medrepro::metrics;

TEST_CASE("normal CDF and quantile") {
  CHECK(mx::normal_cdf(0) == 0.5);
  CHECK(mx::normal_cdf(1.959963984540054) == doctest::Approx(0.975).epsilon(1e-14));
  CHECK(mx::normal_quantile(0.975) == doctest::Approx(1.959963984540054).epsilon(1e-14));
  CHECK(mx::normal_quantile(0.975) == doctest::Approx(mx::kZ95).epsilon(1e-15));
  CHECK(mx::normal_quantile(0.995) == doctest::Approx(2.5758293035489004).epsilon(1e-14));
  CHECK(mx::normal_quantile(0.5) == doctest::Approx(0.0).epsilon(1e-15));
  CHECK(mx::normal_quantile(1e-10) == doctest::Approx(-6.361340902404056).epsilon(1e-12));
  for (double p : {1e-300, 1e-5, 0.01, 0.3, 0.7, 0.99, 1 - 1e-12}) {
    CAPTURE(p);
    CHECK(mx::normal_cdf(mx::normal_quantile(p)) == doctest::Approx(p).epsilon(1e-12));
  }
  CHECK_THROWS_AS(mx::normal_quantile(0), medrepro::Error);
  CHECK_THROWS_AS(mx::normal_quantile(1), medrepro::Error);
}

TEST_CASE("regularized incomplete beta against closed forms") {
  // I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b; I_1/2(a, a) = 1/2.
  CHECK(mx::regularized_incomplete_beta(2.5, 1, 0.3) == doctest::Approx(0.049295030175464945).epsilon(1e-13));
  CHECK(mx::regularized_incomplete_beta(1, 3, 0.4) == doctest::Approx(0.784).epsilon(1e-13));
  CHECK(mx::regularized_incomplete_beta(7.5, 7.5, 0.5) == doctest::Approx(0.5).epsilon(1e-13));
  // I_x(a, b) = 1 - I_{1-x}(b, a), on both sides of the switch point.
  for (double x : {0.05, 0.3, 0.6, 0.95})
    CHECK(mx::regularized_incomplete_beta(3.2, 0.7, x) ==
          doctest::Approx(1 - mx::regularized_incomplete_beta(0.7, 3.2, 1 - x)).epsilon(1e-13));
  CHECK(mx::regularized_incomplete_beta(2, 3, 0) == 0);
  CHECK(mx::regularized_incomplete_beta(2, 3, 1) == 1);
}

TEST_CASE("Student t CDF and quantile") {
  // df = 1 is the Cauchy: F(1) = 1/2 + atan(1)/pi = 0.75.
  CHECK(mx::student_t_cdf(1, 1) == doctest::Approx(0.75).epsilon(1e-13));
  // df = 2: F(t) = 1/2 + t / (2 sqrt(2 + t^2)); F(2) = 0.5 + 2/(2 sqrt 6) = 0.908248.
  CHECK(mx::student_t_cdf(2, 2) == doctest::Approx(0.9082482904638631).epsilon(1e-13));
  CHECK(mx::student_t_cdf(-2, 2) == doctest::Approx(1 - 0.9082482904638631).epsilon(1e-12));
  // Printed t tables: t(0.975; 5) = 2.571, t(0.975; 10) = 2.228, t(0.995; 20) = 2.845.
  CHECK(mx::student_t_two_sided_p(2.571, 5) == doctest::Approx(0.05).epsilon(1e-3));
  CHECK(mx::student_t_quantile(0.975, 5) == doctest::Approx(2.571).epsilon(2e-4));
  CHECK(mx::student_t_quantile(0.975, 10) == doctest::Approx(2.228).epsilon(2e-4));
  CHECK(mx::student_t_quantile(0.995, 20) == doctest::Approx(2.845).epsilon(2e-4));
  CHECK(mx::student_t_quantile(0.025, 10) == doctest::Approx(-2.228).epsilon(2e-4));
  // Large df approaches the normal.
  CHECK(mx::student_t_quantile(0.975, 1e7) == doctest::Approx(1.959964).epsilon(1e-5));
}

TEST_CASE("Wilcoxon signed-rank: exact p for n = 6") {
  // All six differences positive: W+ = 21 is the largest of 2^6 = 64 equally
  // likely sign assignments, p = 2/64 = 0.03125.
  const std::vector<double> a{1, 2, 3, 4, 5, 6}, zero(6, 0.0);
  mx::WilcoxonResult r = mx::wilcoxon_signed_rank(a, zero);
  CHECK(r.exact);
  CHECK(r.w_plus == 21);
  CHECK(r.w_minus == 0);
  CHECK(r.p_two_sided == doctest::Approx(2.0 / 64));

  // d = +1, -2, +3, -4, +5, +6: W- = 6. Subsets of {1..6} summing to <= 6:
  // {}, {1}, {2}, {3}, {1,2}, {4}, {1,3}, {5}, {1,4}, {2,3}, {6}, {1,5}, {2,4}, {1,2,3}
  // = 14 of 64 (the printed table's P(W <= 6) = 0.2188), p = 28/64 = 0.4375.
  const std::vector<double> mixed{1, -2, 3, -4, 5, 6};
  r = mx::wilcoxon_signed_rank(mixed, zero);
  CHECK(r.w_plus == 15);
  CHECK(r.w_minus == 6);
  CHECK(r.p_two_sided == doctest::Approx(28.0 / 64));
}

TEST_CASE("Wilcoxon signed-rank: ties share mean ranks and zero differences are dropped") {
  // d = +1, -1, +2, +3, +3, +4 and one zero (dropped, n = 6).
  // |d| ranks: 1, 1 -> 1.5 each; 2 -> 3; 3, 3 -> 4.5 each; 4 -> 6.
  // W- = 1.5; W+ = 19.5. P(W- <= 1.5): assignments with negative ranks {}, {1.5}, {1.5'}
  // = 3 of 64, p = 6/64 = 0.09375.
  const std::vector<double> a{1, -1, 2, 3, 3, 4, 5}, b{0, 0, 0, 0, 0, 0, 5};
  mx::WilcoxonResult r = mx::wilcoxon_signed_rank(a, b);
  CHECK(r.pairs == 7);
  CHECK(r.zero_differences == 1);
  CHECK(r.n == 6);
  CHECK(r.w_plus == 19.5);
  CHECK(r.w_minus == 1.5);
  CHECK(r.p_two_sided == doctest::Approx(6.0 / 64));

  // d = +1, -1, -2, +3, -3, +4: W- = 1.5 + 3 + 4.5 = 9, W+ = 12 (mean 10.5).
  // Doubled ranks a3 b3 c6 d9 e9 f12; subsets with doubled sum <= 18:
  //   size 0: 1; size 1: 6; size 2: all 15 but de (18 is fine), df, ef -> 13
  //   (ab6 ac9 ad12 ae12 af15 bc9 bd12 be12 bf15 cd15 ce15 cf18 de18);
  //   size 3: abc12 abd15 abe15 abf18 acd18 ace18 bcd18 bce18 -> 8; size >= 4: none (>= 21).
  // P(W- <= 9) = 28/64, p = 56/64 = 0.875.
  const std::vector<double> tied{1, -1, -2, 3, -3, 4}, zero(6, 0.0);
  r = mx::wilcoxon_signed_rank(tied, zero);
  CHECK(r.w_minus == 9);
  CHECK(r.p_two_sided == doctest::Approx(56.0 / 64));

  // All differences zero: nothing to rank, p = 1.
  r = mx::wilcoxon_signed_rank(zero, zero);
  CHECK(r.n == 0);
  CHECK(r.p_two_sided == 1);
  CHECK_THROWS_AS(mx::wilcoxon_signed_rank(tied, std::vector<double>{1, 2}), medrepro::Error);
}

TEST_CASE("Wilcoxon signed-rank: the counted null distribution equals enumerating every sign assignment") {
  // Twelve differences with two tie groups; the test's count must equal a
  // brute-force pass over all 2^12 assignments of signs to the midranks.
  const std::vector<double> d{0.5, -0.5, 1.25, 2, -2, 2, 3.5, -4, 4.5, 5, -6, 7};
  const std::vector<double> ranks{1.5, 1.5, 3, 5, 5, 5, 7, 8, 9, 10, 11, 12};  // |d| midranks, by hand
  double w_plus = 0;
  for (size_t i = 0; i < d.size(); ++i)
    if (d[i] > 0) w_plus += ranks[i];
  size_t at_most = 0, at_least = 0;
  for (unsigned signs = 0; signs < (1u << 12); ++signs) {
    double sum = 0;
    for (size_t i = 0; i < ranks.size(); ++i)
      if (signs & (1u << i)) sum += ranks[i];
    at_most += sum <= w_plus;
    at_least += sum >= w_plus;
  }
  const double enumerated = std::min(1.0, 2.0 * double(std::min(at_most, at_least)) / 4096);
  const mx::WilcoxonResult r = mx::wilcoxon_signed_rank(d, std::vector<double>(d.size(), 0.0));
  CHECK(r.w_plus == w_plus);
  CHECK(r.p_two_sided == doctest::Approx(enumerated).epsilon(1e-15));
  CHECK(r.p_two_sided < 1);
}

TEST_CASE("Wilcoxon signed-rank: normal approximation above the exact limit") {
  // 40 differences of +1 and 20 of -1 (n = 60): all |d| tied, rank 30.5 each.
  // W+ = 40 * 30.5 = 1220; mean 60*61/4 = 915;
  // var = 60*61*121/24 - (60^3 - 60)/48 = 18452.5 - 4498.75 = 13953.75, sd 118.12599;
  // z = (1220 - 915 - 0.5)/118.12599 = 2.577756; p = 2 Phi(-2.577756) = 0.0099444.
  std::vector<double> d(60, 1.0);
  std::fill(d.begin() + 40, d.end(), -1.0);
  const mx::WilcoxonResult r = mx::wilcoxon_signed_rank(d, std::vector<double>(60, 0.0));
  CHECK_FALSE(r.exact);
  CHECK(r.w_plus == 1220);
  CHECK(r.z == doctest::Approx(2.577756).epsilon(1e-6));
  CHECK(r.p_two_sided == doctest::Approx(0.0099444).epsilon(1e-4));
}

TEST_CASE("paired t-test: Student's sleep data") {
  // Extra hours of sleep under two drugs, 10 patients (Cushny & Peebles 1905,
  // Student 1908; R's `sleep`). R: t.test(extra ~ group, data = sleep, paired = TRUE)
  // prints t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142,
  // mean difference -1.58.
  const std::vector<double> drug1{0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0};
  const std::vector<double> drug2{1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4};
  const mx::PairedTTest t = mx::paired_t_test(drug1, drug2);
  CHECK(t.n == 10);
  CHECK(t.degrees_of_freedom == 9);
  CHECK(t.mean_difference == doctest::Approx(-1.58));
  CHECK(t.t == doctest::Approx(-4.0621).epsilon(2e-5));
  CHECK(t.p_two_sided == doctest::Approx(0.002833).epsilon(2e-4));
  CHECK(t.ci_low == doctest::Approx(-2.4598858).epsilon(1e-6));
  CHECK(t.ci_high == doctest::Approx(-0.7001142).epsilon(1e-6));

  // Equal differences: SD 0.
  const std::vector<double> x{1, 2, 3}, x_plus_one{2, 3, 4};
  CHECK(mx::paired_t_test(x, x).p_two_sided == 1);
  CHECK(mx::paired_t_test(x, x_plus_one).p_two_sided == 0);
  CHECK_THROWS_AS(mx::paired_t_test(std::vector<double>{1}, std::vector<double>{2}), medrepro::Error);
}

TEST_CASE("bootstrap percentile interval") {
  const auto mean_of = [](const std::vector<double>& sample) {
    return [&sample](std::span<const size_t> indices) {
      double sum = 0;
      for (size_t i : indices) sum += sample[i];
      return sum / double(indices.size());
    };
  };

  // A constant sample: every resample has the same mean.
  const std::vector<double> constant(25, 3.25);
  const mx::BootstrapInterval c = mx::bootstrap_percentile_ci(constant.size(), mean_of(constant));
  CHECK(c.estimate == 3.25);
  CHECK(c.ci_low == 3.25);
  CHECK(c.ci_high == 3.25);

  // 0..99: the mean's standard error is sqrt((100^2 - 1)/12)/10 = 2.88661, so the
  // interval should be close to 49.5 -+ 1.96 * 2.88661 = 43.842, 55.158.
  std::vector<double> ramp(100);
  std::iota(ramp.begin(), ramp.end(), 0.0);
  const mx::BootstrapOptions options{4000, 7, 0.95};
  const mx::BootstrapInterval r = mx::bootstrap_percentile_ci(ramp.size(), mean_of(ramp), options);
  CHECK(r.estimate == 49.5);
  CHECK(r.resamples == 4000);
  CHECK(r.invalid_resamples == 0);
  CHECK(std::abs(r.ci_low - 43.842) < 0.6);
  CHECK(std::abs(r.ci_high - 55.158) < 0.6);

  // Same seed, same interval; another seed, another.
  const mx::BootstrapInterval again = mx::bootstrap_percentile_ci(ramp.size(), mean_of(ramp), options);
  CHECK(again.ci_low == r.ci_low);
  CHECK(again.ci_high == r.ci_high);
  const mx::BootstrapInterval other = mx::bootstrap_percentile_ci(ramp.size(), mean_of(ramp), {4000, 8, 0.95});
  CHECK(other.ci_low != r.ci_low);

  // Non-finite statistics are left out and counted.
  const mx::BootstrapInterval partial = mx::bootstrap_percentile_ci(
      ramp.size(), [](std::span<const size_t> indices) { return indices[0] % 2 ? NAN : 1.0; }, {200, 1, 0.9});
  CHECK(partial.invalid_resamples > 50);
  CHECK(partial.invalid_resamples < 150);
  CHECK(partial.ci_low == 1.0);
  CHECK_THROWS_AS(mx::bootstrap_percentile_ci(0, mean_of(ramp)), medrepro::Error);
}

TEST_CASE("bootstrap interval of a mean covers the true mean about 95% of the time") {
  // 300 samples of 40 uniform(0, 1) values (true mean 0.5), 400 resamples each.
  // The percentile interval is known to undercover slightly at this size, so
  // accept 0.90 to 0.98 (the binomial SD of the estimate is ~0.013).
  medrepro::datasets::SplitMix64 rng(2024);
  int covered = 0;
  const int trials = 300;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<double> sample(40);
    for (double& v : sample) v = rng.uniform();
    const auto mean = [&sample](std::span<const size_t> indices) {
      double sum = 0;
      for (size_t i : indices) sum += sample[i];
      return sum / double(indices.size());
    };
    const mx::BootstrapInterval ci =
        mx::bootstrap_percentile_ci(sample.size(), mean, {400, uint64_t(trial), 0.95});
    if (ci.ci_low <= 0.5 && 0.5 <= ci.ci_high) ++covered;
  }
  const double coverage = double(covered) / trials;
  CHECK(coverage > 0.90);
  CHECK(coverage < 0.98);
}

TEST_CASE("McNemar exact test: binomial tail of the discordant items") {
  // 10 items: the first classifier alone right on 6, the second alone on 1, both right on 3.
  const std::vector<bool> first = {1, 1, 1, 1, 1, 1, 0, 1, 1, 1};
  const std::vector<bool> second = {0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  const mx::McNemarResult r = mx::mcnemar_exact(first, second);
  CHECK(r.only_first == 6);
  CHECK(r.only_second == 1);
  // 2 * (C(7,0) + C(7,1)) / 2^7 = 16 / 128 (statsmodels mcnemar([[3,6],[1,0]], exact=True): 0.125)
  CHECK(r.p_two_sided == doctest::Approx(0.125).epsilon(1e-12));
  CHECK(mx::mcnemar_exact(second, first).p_two_sided == doctest::Approx(0.125).epsilon(1e-12));
  CHECK(mx::mcnemar_exact(first, first).p_two_sided == 1);                 // no discordant items
  CHECK(mx::mcnemar_exact({true, false}, {false, true}).p_two_sided == 1);  // a tie: capped at 1
  // Thousands of discordant items stay finite: 600 against 400 (exact p = 2.6e-10).
  std::vector<bool> a(1000), b(1000);
  for (size_t i = 0; i < 1000; ++i) a[i] = i < 600, b[i] = i >= 600;
  const double p = mx::mcnemar_exact(a, b).p_two_sided;
  CHECK(p > 1e-10);
  CHECK(p < 1e-9);
  CHECK_THROWS_AS(mx::mcnemar_exact({true}, {true, false}), medrepro::Error);
}
