#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Second half of a GEMM summed over the batch in slices (core/ops/gemm.cpp):
// C = alpha * (partial[0] + partial[1] + ...) + bias + beta * C, the partial
// sums (row-major m x n each, one per slice) added in slice order, so the result
// does not depend on scheduling. One invocation per element of C.
layout(std430, binding = 0) readonly buffer Partials { float partials[]; };
layout(std430, binding = 1) buffer C { float c[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(push_constant) uniform Push {
  uint m, n, slices;
  uint c_offset, c_row, c_col;
  uint bias_offset, bias_mode;  // 0 none, 1 per row, 2 per column
  float alpha, beta;
} p;

void main() {
  const uint index = linear_index();  // row * n + column
  if (index >= p.m * p.n) return;
  const uint row = index / p.n, col = index - row * p.n;
  float sum = 0.0;
  for (uint s = 0; s < p.slices; ++s) sum += partials[s * p.m * p.n + index];
  float value = p.alpha * sum;
  if (p.bias_mode == 1u) value += bias[p.bias_offset + row];
  if (p.bias_mode == 2u) value += bias[p.bias_offset + col];
  const uint target = p.c_offset + row * p.c_row + col * p.c_col;
  c[target] = p.beta == 0.0 ? value : value + p.beta * c[target];
}
