#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradients of prelu (x viewed as [outer, channels, inner]):
//   dx = dy for x > 0, slope[c] * dy otherwise (+ beta * dx)   (the kink at 0 takes the slope)
//   terms[i] = dy * min(x, 0): what element i adds to dslope[c], summed per channel
//   afterwards in a fixed order (core channel_sum), never with atomics.
// write_dx / write_terms: which of the two this launch needs (the other binding is a placeholder).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Slope { float slope[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) buffer DX { float dx[]; };
layout(std430, binding = 4) writeonly buffer Terms { float terms[]; };
layout(push_constant) uniform Push {
  uvec2 inner_divisor, channels_divisor;  // core fast_divisor of inner and channels
  uint count, channels;
  uint write_dx, write_terms;
  float beta;
} p;
DECLARE_ACCUMULATES(3);

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const float v = x[i], g = dy[i];
  if (p.write_dx != 0u) {
    const uint plane = fast_divide(i, p.inner_divisor.x, p.inner_divisor.y);
    const uint c = plane - fast_divide(plane, p.channels_divisor.x, p.channels_divisor.y) * p.channels;
    const float value = v > 0.0 ? g : slope[c] * g;
    dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
  }
  if (p.write_terms != 0u) terms[i] = g * min(v, 0.0);
}
