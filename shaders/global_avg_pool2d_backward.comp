#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of global average pooling: every element of a plane gets dy / (H*W).
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint planes;      // N * C
  uint plane_size;  // H * W
  float beta;       // 0 overwrites dx, 1 adds to it
} p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.planes * p.plane_size) return;
  float value = dy[i / p.plane_size] / float(p.plane_size);
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
