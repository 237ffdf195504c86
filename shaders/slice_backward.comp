#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx of slice, one invocation per element of x viewed as [outer, dim, inner]: dy where the
// element lies in [start, start + extent) along the middle axis, 0 elsewhere (a gather, so
// no element is written twice). beta accumulates into dx.
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push { uint count; uint dim; uint inner; uint start; uint extent; float beta; } p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = i / p.inner;
  uint k = i - row * p.inner;
  uint o = row / p.dim;
  uint l = row - o * p.dim;
  float value = 0.0;
  if (l >= p.start && l - p.start < p.extent) value = dy[(o * p.extent + (l - p.start)) * p.inner + k];
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
