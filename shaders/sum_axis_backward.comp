#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx[o, l, k] = scale * dy[o, k]: the gradient of sum/mean broadcast back along the reduced
// axis of x viewed as [outer, extent, inner]. beta accumulates into dx.
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push { uint count; uint extent; uint inner; float scale; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = i / p.inner;
  uint k = i - row * p.inner;
  uint o = row / p.extent;
  float value = p.scale * dy[o * p.inner + k];
  dx[i] = p.beta == 0.0 ? value : value + p.beta * dx[i];
}
