#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Global average pooling, one invocation per (n, c) plane summing its H*W values
// in a fixed order, so the result is reproducible across devices and runs.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint planes;      // N * C
  uint plane_size;  // H * W
  float beta;       // unused here; shared with the backward kernel's layout
} p;

void main() {
  uint plane = linear_index();
  if (plane >= p.planes) return;
  uint base = plane * p.plane_size;
  float sum = 0.0;
  for (uint k = 0; k < p.plane_size; ++k) sum += x[base + k];
  y[plane] = sum / float(p.plane_size);
}
