#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = 1 / (1 + exp(-x)); for x < 0 the equal form e / (1 + e), e = exp(x), keeps exp
// from overflowing, so large |x| give exactly 0 or 1 instead of NaN.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float v = x[i];
  float e = exp(-abs(v));
  y[i] = v >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}
