// batch_norm past the loop budget of one shader invocation (core/loop_budget.h):
// with more than 8.4 million values per channel (a 3D segmentation batch),
// batch_norm_stats' two walks over a channel and the backward's reduction run in
// spans, summed again in a fixed order. Before, they were refused (lavapipe would
// have stopped their loops early and returned wrong statistics without an error).
// Compared with float64 computed here.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/ops/batch_norm.h"
#include "testing.h"

using medrepro::Shape;
using medrepro::Tensor;

namespace {

// [2, 2, 2150, 2000]: 8.6 million values per channel, each channel's values in two
// blocks of the buffer (o = 0, 1), so that a span crosses from one to the other.
const Shape kShape{2, 2, 2150, 2000};
constexpr size_t kOuter = 2, kChannels = 2, kInner = 2150 * 2000;
constexpr double kEps = 1e-5, kMomentum = 0.1;

size_t at(size_t o, size_t c, size_t i) { return (o * kChannels + c) * kInner + i; }

struct ChannelStats {
  double mean = 0, variance = 0;
};

ChannelStats reference_stats(const std::vector<float>& x, size_t c) {
  ChannelStats s;
  const double m = double(kOuter * kInner);
  for (size_t o = 0; o < kOuter; ++o)
    for (size_t i = 0; i < kInner; ++i) s.mean += x[at(o, c, i)];
  s.mean /= m;
  for (size_t o = 0; o < kOuter; ++o)
    for (size_t i = 0; i < kInner; ++i) s.variance += (x[at(o, c, i)] - s.mean) * (x[at(o, c, i)] - s.mean);
  s.variance /= m;
  return s;
}

}  // namespace

TEST_CASE("batch_norm training forward and backward over 8.6 million values per channel") {
  // An offset from zero: the variance pass must subtract the finished mean.
  const std::vector<float> x_values = testing::random_values(size_t(medrepro::element_count(kShape)), 21, 1.0f, 3.0f);
  const std::vector<float> dy = testing::random_values(x_values.size(), 22);
  const std::vector<float> gamma_values{0.75f, 1.5f}, beta_values{0.25f, -0.5f};
  const std::vector<float> running_mean_values{0.5f, -1.0f}, running_var_values{2.0f, 0.5f};

  Tensor x = Tensor::from_host(kShape, x_values);
  x.set_requires_grad();
  Tensor gamma = Tensor::from_host({2}, gamma_values), beta = Tensor::from_host({2}, beta_values);
  gamma.set_requires_grad();
  beta.set_requires_grad();
  const Tensor running_mean = Tensor::from_host({2}, running_mean_values);
  const Tensor running_var = Tensor::from_host({2}, running_var_values);
  const Tensor y = medrepro::batch_norm(x, gamma, beta, running_mean, running_var, true, float(kMomentum), float(kEps));
  y.backward(Tensor::from_host(kShape, dy));

  const std::vector<float> y_values = y.to_host(), dx = x.grad().to_host();
  const std::vector<float> dgamma = gamma.grad().to_host(), dbeta = beta.grad().to_host();
  std::vector<double> expected_y(x_values.size()), expected_dx(x_values.size());
  std::vector<double> expected_dgamma(kChannels), expected_dbeta(kChannels);
  std::vector<double> expected_running_mean(kChannels), expected_running_var(kChannels);
  const double m = double(kOuter * kInner);
  for (size_t c = 0; c < kChannels; ++c) {
    const ChannelStats s = reference_stats(x_values, c);
    const double invstd = 1.0 / std::sqrt(s.variance + kEps);
    expected_running_mean[c] = (1 - kMomentum) * running_mean_values[c] + kMomentum * s.mean;
    expected_running_var[c] = (1 - kMomentum) * running_var_values[c] + kMomentum * s.variance * m / (m - 1);
    double sum_dy = 0, sum_dy_xhat = 0;
    for (size_t o = 0; o < kOuter; ++o)
      for (size_t i = 0; i < kInner; ++i) {
        const size_t e = at(o, c, i);
        const double xhat = (x_values[e] - s.mean) * invstd;
        expected_y[e] = xhat * gamma_values[c] + beta_values[c];
        sum_dy += dy[e];
        sum_dy_xhat += dy[e] * xhat;
      }
    expected_dbeta[c] = sum_dy;
    expected_dgamma[c] = sum_dy_xhat;
    for (size_t o = 0; o < kOuter; ++o)
      for (size_t i = 0; i < kInner; ++i) {
        const size_t e = at(o, c, i);
        const double xhat = (x_values[e] - s.mean) * invstd;
        expected_dx[e] = gamma_values[c] * invstd * (dy[e] - sum_dy / m - xhat * sum_dy_xhat / m);
      }
  }
  testing::check_close(y_values, expected_y, 1e-5, 1e-5, "y");
  testing::check_close(running_mean.to_host(), expected_running_mean, 1e-6, 1e-6, "running mean");
  testing::check_close(running_var.to_host(), expected_running_var, 1e-5, 1e-6, "running var");
  // Sums of 8.6 million terms of either sign, about 1,000 in size.
  testing::check_close(dbeta, expected_dbeta, 1e-5, 2e-2, "dbeta");
  testing::check_close(dgamma, expected_dgamma, 1e-5, 2e-2, "dgamma");
  testing::check_close(dx, expected_dx, 1e-4, 1e-6, "dx");

  // Fixed order: the same bits again.
  CHECK(medrepro::batch_norm(x, gamma, beta, Tensor(), Tensor(), true, float(kMomentum), float(kEps)).to_host() ==
        y_values);
}
