#include "core/init.h"

#include <cmath>
#include <vector>

#include "core/error.h"

namespace medrepro {

uint64_t Rng::next_u64() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

double Rng::normal() {
  // Box-Muller; 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  return radius * std::cos(2.0 * M_PI * uniform());
}

uint64_t Rng::below(uint64_t bound) {
  if (bound == 0) fail("Rng::below(0)");
  // Rejection keeps the result unbiased.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t value;
  do value = next_u64();
  while (value >= limit);
  return value % bound;
}

Fans fans_of(const Shape& shape) {
  if (shape.size() < 2) fail("fans_of: weight shape " + to_string(shape) + " needs rank >= 2");
  int64_t receptive = 1;
  for (size_t i = 2; i < shape.size(); ++i) receptive *= shape[i];
  return {shape[1] * receptive, shape[0] * receptive};
}

namespace {
template <class Draw>
void fill(const Tensor& t, Draw draw) {
  std::vector<float> values(static_cast<size_t>(t.numel()));
  for (float& v : values) v = static_cast<float>(draw());
  Tensor source = Tensor::from_host(t.shape(), values);
  copy_into(t, source);
}
}  // namespace

void init_constant(const Tensor& t, float value) { copy_into(t, Tensor::full(t.shape(), value)); }

void init_gaussian(const Tensor& t, double mean, double sd, uint64_t seed) {
  Rng rng(seed);
  fill(t, [&] { return mean + sd * rng.normal(); });
}

void init_uniform(const Tensor& t, double low, double high, uint64_t seed) {
  Rng rng(seed);
  fill(t, [&] { return low + (high - low) * rng.uniform(); });
}

void init_xavier_uniform(const Tensor& t, uint64_t seed) {
  const Fans f = fans_of(t.shape());
  const double a = std::sqrt(6.0 / static_cast<double>(f.in + f.out));
  init_uniform(t, -a, a, seed);
}

void init_he_normal(const Tensor& t, uint64_t seed) {
  const Fans f = fans_of(t.shape());
  init_gaussian(t, 0.0, std::sqrt(2.0 / static_cast<double>(f.in)), seed);
}

}  // namespace medrepro
