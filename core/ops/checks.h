#pragma once
// Shape checks shared by the ops: a mismatch names the op and both shapes.
#include <string>

#include "core/error.h"
#include "core/tensor.h"

namespace medrepro {

inline void expect_rank(const Tensor& t, int rank, const char* op, const char* what) {
  if (t.rank() != rank) {
    fail(std::string(op) + ": " + what + " must have rank " + std::to_string(rank) + ", got shape " +
         to_string(t.shape()));
  }
}

inline void expect_same_shape(const Tensor& a, const Tensor& b, const char* op) {
  if (a.shape() != b.shape()) {
    fail(std::string(op) + ": shapes " + to_string(a.shape()) + " and " + to_string(b.shape()) + " differ");
  }
}

// Kernels index with 32-bit integers; larger tensors are refused up front.
inline uint32_t count32(const Tensor& t, const char* op) {
  if (t.numel() > int64_t(0xffffffffu)) fail(std::string(op) + ": tensor " + to_string(t.shape()) + " too large");
  return static_cast<uint32_t>(t.numel());
}

}  // namespace medrepro
