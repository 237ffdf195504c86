#pragma once
// Distribution functions the metrics need, in double precision: the standard
// normal CDF and quantile, the regularized incomplete beta function and
// Student's t CDF and quantile built on it. Written out here rather than taken
// from a library so p-values and intervals are the same on every platform.
namespace medrepro::metrics {

inline constexpr double kZ95 = 1.959963984540054;  // normal_quantile(0.975): default for 95% intervals

double normal_cdf(double z);
// The z with normal_cdf(z) == p, for 0 < p < 1 (relative error ~1e-15).
double normal_quantile(double p);

// I_x(a, b) for a, b > 0 and 0 <= x <= 1 (continued fraction, relative error ~1e-14).
double regularized_incomplete_beta(double a, double b, double x);

// P(T <= t) for Student's t with degrees_of_freedom > 0 (need not be an integer).
double student_t_cdf(double t, double degrees_of_freedom);
// P(|T| >= |t|).
double student_t_two_sided_p(double t, double degrees_of_freedom);
// The t with student_t_cdf(t, df) == p, for 0 < p < 1.
double student_t_quantile(double p, double degrees_of_freedom);

}  // namespace medrepro::metrics
