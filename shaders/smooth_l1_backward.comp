#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dd = dy * clamp(d / beta, -1, 1): d / beta inside the quadratic part, sign(d) outside.
layout(std430, binding = 0) readonly buffer D { float d[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) buffer DD { float dd[]; };
layout(push_constant) uniform Push { uint count; float beta; float grad_beta; } p;
DECLARE_ACCUMULATES(3);

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const float value = dy[i] * clamp(d[i] / p.beta, -1.0, 1.0);
  dd[i] = ACCUMULATES ? value + p.grad_beta * dd[i] : value;
}
