#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// The max-norm constraint of core/optim.h: w[row][j] *= max_norm / |w[row]| where
// the row's norm (sqrt of squares[row], summed beforehand) exceeds max_norm.
layout(std430, binding = 0) readonly buffer Squares { float squares[]; };
layout(std430, binding = 1) buffer W { float w[]; };
layout(push_constant) uniform Push {
  uvec2 row_divisor;  // core fast_divisor of the row length
  uint count;
  float max_norm;
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const float norm = sqrt(squares[fast_divide(i, p.row_divisor.x, p.row_divisor.y)]);
  if (norm > p.max_norm) w[i] *= p.max_norm / norm;
}
