#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out[o, k] = scale * sum over l of x[(o * extent + l) * inner + k]: sum (scale 1) or mean
// (scale 1 / extent) along the middle axis of x viewed as [outer, extent, inner]. One
// invocation per output walks the axis in order: deterministic.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint outer; uint extent; uint inner; float scale; } p;

void main() {
  uint i = linear_index();
  if (i >= p.outer * p.inner) return;
  uint o = i / p.inner;
  uint k = i - o * p.inner;
  uint base = o * p.extent * p.inner + k;
  float sum = 0.0;
  for (uint l = 0u; l < p.extent; ++l) sum += x[base + l * p.inner];
  out_[i] = sum * p.scale;
}
