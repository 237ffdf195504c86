#pragma once
// Seeded parameter initialisation. Values are drawn on the host with our own
// generator (splitmix64 + Box-Muller), not <random>'s distributions, whose output
// differs between standard libraries: the same seed gives the same weights on
// every machine and every device. Done once per run, so the upload is at the edge.
#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace medrepro {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next_u64();
  double uniform();  // [0, 1)
  double normal();   // mean 0, sd 1
  uint64_t below(uint64_t bound);  // uniform integer in [0, bound)

 private:
  uint64_t state_;
};

// fan_in = in_channels * kernel area (or in_features); fan_out = out_channels * kernel area.
struct Fans {
  int64_t in = 0, out = 0;
};
Fans fans_of(const Shape& weight_shape);  // [out, in, ...kernel] or [out, in]

// Each random initialisation also takes a weight stored as consecutive row
// blocks (a weight larger than one device buffer, see nn::Linear): the blocks
// get the values the whole weight would get, fans included.
using RowBlocks = std::span<const Tensor>;

void init_constant(const Tensor& t, float value);
void init_gaussian(RowBlocks weight, double mean, double sd, uint64_t seed);
void init_uniform(RowBlocks weight, double low, double high, uint64_t seed);
// Glorot & Bengio 2010: U(-a, a), a = sqrt(6 / (fan_in + fan_out)).
void init_xavier_uniform(RowBlocks weight, uint64_t seed);
// He et al. 2015 (Caffe "msra"): N(0, 2 / fan_in).
void init_he_normal(RowBlocks weight, uint64_t seed);
// Saxe et al. 2014, as Keras' Orthogonal and PyTorch's orthogonal_ draw it (the
// default of Keras' LSTM recurrent kernel): the weight as a matrix [dim 0, the
// rest] gets gain * Q from the QR decomposition of a Gaussian matrix (of its
// transpose when wider than tall), with R's diagonal made positive: orthonormal
// columns, or rows when the matrix is wide. QR by modified Gram-Schmidt in double.
void init_orthogonal(RowBlocks weight, uint64_t seed, double gain = 1.0);

inline void init_gaussian(const Tensor& t, double mean, double sd, uint64_t seed) {
  init_gaussian(RowBlocks(&t, 1), mean, sd, seed);
}
inline void init_uniform(const Tensor& t, double low, double high, uint64_t seed) {
  init_uniform(RowBlocks(&t, 1), low, high, seed);
}
inline void init_xavier_uniform(const Tensor& t, uint64_t seed) { init_xavier_uniform(RowBlocks(&t, 1), seed); }
inline void init_he_normal(const Tensor& t, uint64_t seed) { init_he_normal(RowBlocks(&t, 1), seed); }
inline void init_orthogonal(const Tensor& t, uint64_t seed, double gain = 1.0) {
  init_orthogonal(RowBlocks(&t, 1), seed, gain);
}

}  // namespace medrepro
