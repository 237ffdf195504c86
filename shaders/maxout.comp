#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Maxout over groups of `pieces` consecutive channels: for x viewed as
// [groups, pieces, inner] (groups = N * C_out), y[g][s] = max over k of x[g][k][s].
// One invocation per output element.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uvec2 inner_divisor, pieces_divisor;  // core fast_divisor of inner and pieces
  uint count;                           // elements of y
  uint pieces, inner;
  float beta;                           // maxout_backward only
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const uint group = fast_divide(i, p.inner_divisor.x, p.inner_divisor.y);
  const uint first = group * p.pieces * p.inner + (i - group * p.inner);
  float best = x[first];
  for (uint k = 1; k < p.pieces; ++k) best = max(best, x[first + k * p.inner]);
  y[i] = best;
}
