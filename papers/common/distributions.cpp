#include "papers/common/distributions.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "core/error.h"

namespace medrepro::metrics {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double normal_quantile(double p) {
  if (!(p > 0.0 && p < 1.0)) fail("normal_quantile: p must lie strictly between 0 and 1, got " + std::to_string(p));
  // Acklam's rational approximation (relative error 1.15e-9), then two Halley
  // steps on erfc, each of which roughly triples the number of correct digits.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double tail_split = 0.02425;
  double x;
  if (p < tail_split || p > 1.0 - tail_split) {
    const double q = std::sqrt(-2.0 * std::log(p < tail_split ? p : 1.0 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    if (p > tail_split) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  for (int step = 0; step < 2; ++step) {
    const double error = normal_cdf(x) - p;
    const double u = error * std::sqrt(2.0 * std::numbers::pi) * std::exp(x * x / 2.0);
    x -= u / (1.0 + x * u / 2.0);
  }
  return x;
}

namespace {
// The continued fraction for I_x(a, b) (Numerical Recipes' betacf, modified
// Lentz's method); converges quickly for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
  double c = 1.0;
  double d = 1.0 - qab * x / qap;
  if (std::abs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1.0 + aa * d;
    if (std::abs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::abs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::abs(delta - 1.0) < 1e-16) return h;
  }
  fail("regularized_incomplete_beta: the continued fraction did not converge for a=" + std::to_string(a) +
       " b=" + std::to_string(b) + " x=" + std::to_string(x));
}
}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
  if (!(a > 0.0 && b > 0.0)) fail("regularized_incomplete_beta: a and b must be positive");
  if (!(x >= 0.0 && x <= 1.0)) fail("regularized_incomplete_beta: x must lie in [0, 1], got " + std::to_string(x));
  if (x == 0.0 || x == 1.0) return x;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  // I_x(a, b) = 1 - I_{1-x}(b, a): use the side on which the fraction converges.
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
  return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double student_t_cdf(double t, double degrees_of_freedom) {
  if (!(degrees_of_freedom > 0.0)) fail("student_t_cdf: the degrees of freedom must be positive");
  if (std::isnan(t)) return t;
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  // P(|T| >= |t|) = I_{df/(df+t^2)}(df/2, 1/2).
  const double tail = 0.5 * regularized_incomplete_beta(degrees_of_freedom / 2.0, 0.5,
                                                        degrees_of_freedom / (degrees_of_freedom + t * t));
  return t > 0 ? 1.0 - tail : tail;
}

double student_t_two_sided_p(double t, double degrees_of_freedom) {
  if (!(degrees_of_freedom > 0.0)) fail("student_t_two_sided_p: the degrees of freedom must be positive");
  if (std::isnan(t)) return t;
  if (std::isinf(t)) return 0.0;
  return regularized_incomplete_beta(degrees_of_freedom / 2.0, 0.5, degrees_of_freedom / (degrees_of_freedom + t * t));
}

double student_t_quantile(double p, double degrees_of_freedom) {
  if (!(p > 0.0 && p < 1.0)) fail("student_t_quantile: p must lie strictly between 0 and 1, got " + std::to_string(p));
  if (!(degrees_of_freedom > 0.0)) fail("student_t_quantile: the degrees of freedom must be positive");
  if (p == 0.5) return 0.0;
  // Bisection on the CDF: slow but certain, and quantiles are needed a few times per report.
  const double target = p < 0.5 ? p : 1.0 - p;  // solve in the lower tail, then mirror
  double low = -1.0, high = 0.0;
  while (student_t_cdf(low, degrees_of_freedom) > target) {
    high = low;
    low *= 2.0;
    if (low < -1e300) return p < 0.5 ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  for (int i = 0; i < 200 && high - low > 1e-15 * std::abs(low); ++i) {
    const double middle = 0.5 * (low + high);
    if (student_t_cdf(middle, degrees_of_freedom) > target) high = middle;
    else low = middle;
  }
  const double lower_tail_quantile = 0.5 * (low + high);
  return p < 0.5 ? lower_tail_quantile : -lower_tail_quantile;
}

}  // namespace medrepro::metrics
