#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx = dy where the forward input was positive, slope * dy elsewhere; beta accumulates into dx.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push { uint count; float slope; float beta; } p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float value = x[i] > 0.0 ? dy[i] : p.slope * dy[i];
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
