#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of global 3-D average pooling: every voxel of a volume gets dy / (D*H*W).
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint planes;       // N * C
  uint volume;       // D * H * W
  float beta;        // 0 overwrites dx, 1 adds to it
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.planes * p.volume) return;
  const float value = dy[i / p.volume] / float(p.volume);
  dx[i] = p.beta == 0.0 ? value : value + p.beta * dx[i];
}
