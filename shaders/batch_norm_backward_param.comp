#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dgamma (column 1: sum dy * xhat) or dbeta (column 0: sum dy) of batch_norm, copied
// out of the per-channel sums; beta accumulates into the gradient.
layout(std430, binding = 0) readonly buffer Sums { vec2 sums[]; };
layout(std430, binding = 1) buffer Grad { float grad[]; };
layout(push_constant) uniform Push { uint channels; uint column; float beta; } p;

void main() {
  uint c = linear_index();
  if (c >= p.channels) return;
  float value = sums[c][p.column];
  grad[c] = p.beta == 0.0 ? value : value + p.beta * grad[c];
}
