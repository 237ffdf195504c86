#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Smooth L1 (Girshick 2015) of each element of d: 0.5 d^2 / beta where |d| < beta,
// |d| - 0.5 beta elsewhere (core/ops/regression_loss.h).
layout(std430, binding = 0) readonly buffer D { float d[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; float beta; float grad_beta; } p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const float v = d[i], a = abs(v);
  y[i] = a < p.beta ? 0.5 * v * v / p.beta : a - 0.5 * p.beta;
}
