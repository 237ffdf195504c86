#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = alpha * x + beta * y; beta == 0 overwrites y without reading it (it may hold garbage).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; float alpha; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float value = p.alpha * x[i];
  y[i] = p.beta == 0.0 ? value : value + p.beta * y[i];
}
