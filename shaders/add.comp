#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out = a + b
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;

void main() {
  uint i = linear_index();
  if (i < p.count) out_[i] = a[i] + b[i];
}
