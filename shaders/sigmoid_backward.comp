#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx = dy * y * (1 - y) from the saved output y; beta accumulates into dx.
layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float s = y[i];
  float value = dy[i] * (s * (1.0 - s));
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
