#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx of maxout: each group's dy goes to the piece that held the maximum, the
// first one on ties (as PyTorch's max); the others get 0. One invocation per
// element of dx, which finds its group's maximum again: each element of dx has
// one writer, no atomics.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uvec2 inner_divisor, pieces_divisor;  // core fast_divisor of inner and pieces
  uint count;                           // elements of dx
  uint pieces, inner;
  float beta;                           // 0 overwrites dx, 1 adds to it
} p;
DECLARE_ACCUMULATES(3);

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const uint row = fast_divide(i, p.inner_divisor.x, p.inner_divisor.y);  // group * pieces + k
  const uint s = i - row * p.inner;
  const uint group = fast_divide(row, p.pieces_divisor.x, p.pieces_divisor.y);
  const uint piece = row - group * p.pieces;
  const uint first = group * p.pieces * p.inner + s;
  uint winner = 0u;
  float best = x[first];
  for (uint k = 1; k < p.pieces; ++k) {
    const float v = x[first + k * p.inner];
    if (v > best) {
      best = v;
      winner = k;
    }
  }
  const float value = piece == winner ? dy[group * p.inner + s] : 0.0;
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
