#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = x for x > 0, slope * x otherwise.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; float slope; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float v = x[i];
  y[i] = v > 0.0 ? v : p.slope * v;
}
