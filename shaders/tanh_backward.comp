#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx = dy * (1 - y^2) from the saved output y; beta accumulates into dx.
layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float t = y[i];
  // (1 - t)(1 + t) keeps its relative accuracy where t is close to +-1, unlike 1 - t*t.
  float value = dy[i] * ((1.0 - t) * (1.0 + t));
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
