#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out = a * b + beta * out: the forward of mul (beta 0) and both of its gradients.
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float value = a[i] * b[i];
  out_[i] = p.beta == 0.0 ? value : value + p.beta * out_[i];
}
