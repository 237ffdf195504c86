#include "core/init.h"

#include <algorithm>
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
// Row blocks in order, drawn as one tensor would be (row-major, so block by block).
template <class Draw>
void fill(RowBlocks blocks, Draw draw) {
  for (const Tensor& t : blocks) {
    std::vector<float> values(static_cast<size_t>(t.numel()));
    for (float& v : values) v = static_cast<float>(draw());
    copy_into(t, Tensor::from_host(t.shape(), values));
  }
}

// The shape of the whole weight.
Shape whole_shape(RowBlocks blocks) {
  if (blocks.empty()) fail("init: no weight");
  Shape shape = blocks[0].shape();
  for (size_t i = 1; i < blocks.size(); ++i) {
    Shape rest = blocks[i].shape();
    if (rest.empty() || shape.empty() || !std::equal(rest.begin() + 1, rest.end(), shape.begin() + 1, shape.end())) {
      fail("init: row blocks " + to_string(blocks[0].shape()) + " and " + to_string(rest) + " do not stack");
    }
    shape[0] += rest[0];
  }
  return shape;
}
}  // namespace

void init_constant(const Tensor& t, float value) { copy_into(t, Tensor::full(t.shape(), value)); }

void init_gaussian(RowBlocks weight, double mean, double sd, uint64_t seed) {
  Rng rng(seed);
  fill(weight, [&] { return mean + sd * rng.normal(); });
}

void init_uniform(RowBlocks weight, double low, double high, uint64_t seed) {
  Rng rng(seed);
  fill(weight, [&] { return low + (high - low) * rng.uniform(); });
}

void init_xavier_uniform(RowBlocks weight, uint64_t seed) {
  const Fans f = fans_of(whole_shape(weight));
  const double a = std::sqrt(6.0 / static_cast<double>(f.in + f.out));
  init_uniform(weight, -a, a, seed);
}

void init_he_normal(RowBlocks weight, uint64_t seed) {
  const Fans f = fans_of(whole_shape(weight));
  init_gaussian(weight, 0.0, std::sqrt(2.0 / static_cast<double>(f.in)), seed);
}

void init_orthogonal(RowBlocks weight, uint64_t seed, double gain) {
  const Shape shape = whole_shape(weight);
  const int64_t rows = shape[0], cols = element_count(shape) / std::max<int64_t>(rows, 1);
  // Work on a tall matrix: m x n with m >= n, stored column by column.
  const bool wide = rows < cols;
  const int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  Rng rng(seed);
  std::vector<double> a(size_t(m * n));
  for (double& v : a) v = rng.normal();  // drawn as the row-major [m, n] Gaussian, kept column-major below
  std::vector<double> q(size_t(m * n));
  for (int64_t j = 0; j < n; ++j) {
    for (int64_t i = 0; i < m; ++i) q[size_t(j * m + i)] = a[size_t(i * n + j)];
  }
  for (int64_t j = 0; j < n; ++j) {
    double* column = &q[size_t(j * m)];
    for (int64_t k = 0; k < j; ++k) {
      const double* earlier = &q[size_t(k * m)];
      double dot = 0;
      for (int64_t i = 0; i < m; ++i) dot += earlier[i] * column[i];
      for (int64_t i = 0; i < m; ++i) column[i] -= dot * earlier[i];
    }
    double norm = 0;
    for (int64_t i = 0; i < m; ++i) norm += column[i] * column[i];
    norm = std::sqrt(norm);
    if (!(norm > 0)) fail("init_orthogonal: a degenerate Gaussian draw for " + to_string(shape));
    for (int64_t i = 0; i < m; ++i) column[i] /= norm;
  }
  // Element (r, c) of the weight: Q[r][c] when tall, Q[c][r] (Q transposed) when wide.
  std::vector<float> values(size_t(rows * cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const double v = wide ? q[size_t(r * m + c)] : q[size_t(c * m + r)];
      values[size_t(r * cols + c)] = static_cast<float>(gain * v);
    }
  }
  size_t offset = 0;
  for (const Tensor& t : weight) {
    const size_t count = size_t(t.numel());
    copy_into(t, Tensor::from_host(t.shape(), std::span<const float>(values).subspan(offset, count)));
    offset += count;
  }
}

}  // namespace medrepro
