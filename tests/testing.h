#pragma once
// Helpers shared by the op tests: seeded host data, float64 comparisons, and a
// central-finite-difference gradient check that runs the op on the device.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/error.h"
#include "core/tensor.h"

namespace testing {

using medrepro::Shape;
using medrepro::Tensor;

inline std::vector<float> random_values(size_t count, uint32_t seed, float low = -1.0f, float high = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(count);
  for (float& v : values) v = dist(rng);
  return values;
}

inline Tensor random_tensor(const Shape& shape, uint32_t seed, float low = -1.0f, float high = 1.0f) {
  return Tensor::from_host(shape, random_values(static_cast<size_t>(medrepro::element_count(shape)), seed, low, high));
}

// Sets a leaf's gradient to `values` (backward from the leaf itself seeds its gradient).
inline void set_gradient(Tensor& leaf, const std::vector<float>& values) {
  leaf.zero_grad();
  leaf.backward(Tensor::from_host(leaf.shape(), values));
}

inline std::vector<double> to_double(const std::vector<float>& values) {
  return std::vector<double>(values.begin(), values.end());
}

// Every element within atol + rtol * |expected|; reports the first offender.
inline void check_close(const std::vector<float>& actual, const std::vector<double>& expected, double rtol,
                        double atol, const std::string& what = "") {
  REQUIRE_MESSAGE(actual.size() == expected.size(), what << ": size " << actual.size() << " vs " << expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    const double tolerance = atol + rtol * std::abs(expected[i]);
    if (!(std::abs(actual[i] - expected[i]) <= tolerance)) {
      FAIL_CHECK(what << ": element " << i << " is " << actual[i] << ", expected " << expected[i]
                      << " (tolerance " << tolerance << ")");
      return;
    }
  }
}

// Checks d<R, f(inputs)>/d inputs against central differences, where R is a fixed
// random projection of the output. Inputs must require grad; keep them small.
inline void check_gradients(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                            std::vector<Tensor> inputs, double eps = 1e-2, double rtol = 2e-2,
                            double atol = 2e-3, uint32_t seed = 7) {
  for (Tensor& input : inputs) {
    input.zero_grad();
    input.set_requires_grad(true);
  }
  Tensor output = f(inputs);
  const std::vector<float> projection = random_values(static_cast<size_t>(output.numel()), seed);
  output.backward(Tensor::from_host(output.shape(), projection));

  auto objective = [&](const std::vector<Tensor>& values) {
    medrepro::NoGradGuard no_grad;
    std::vector<float> out = f(values).to_host();
    double sum = 0;
    for (size_t i = 0; i < out.size(); ++i) sum += double(out[i]) * projection[i];
    return sum;
  };

  for (size_t which = 0; which < inputs.size(); ++which) {
    REQUIRE_MESSAGE(inputs[which].grad().defined(), "input " << which << " received no gradient");
    const std::vector<float> analytic = inputs[which].grad().to_host();
    std::vector<float> base = inputs[which].to_host();
    std::vector<double> numeric(base.size());
    for (size_t i = 0; i < base.size(); ++i) {
      std::vector<Tensor> perturbed = inputs;
      std::vector<float> values = base;
      values[i] = static_cast<float>(base[i] + eps);
      perturbed[which] = Tensor::from_host(inputs[which].shape(), values);
      const double plus = objective(perturbed);
      values[i] = static_cast<float>(base[i] - eps);
      perturbed[which] = Tensor::from_host(inputs[which].shape(), values);
      const double minus = objective(perturbed);
      numeric[i] = (plus - minus) / (2 * eps);
    }
    check_close(analytic, numeric, rtol, atol, "gradient of input " + std::to_string(which));
  }
}

}  // namespace testing
