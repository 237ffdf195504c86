#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;

void main() {
  uint i = linear_index();
  if (i < p.count) y[i] = max(x[i], 0.0);
}
