#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = x for x > 0, slope[c] * x otherwise, over x viewed as [outer, channels, inner]
// (one shared slope: channels 1). One invocation per element.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Slope { float slope[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uvec2 inner_divisor, channels_divisor;  // core fast_divisor of inner and channels
  uint count, channels;
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const uint plane = fast_divide(i, p.inner_divisor.x, p.inner_divisor.y);  // outer * channels + c
  const uint c = plane - fast_divide(plane, p.channels_divisor.x, p.channels_divisor.y) * p.channels;
  const float v = x[i];
  y[i] = v > 0.0 ? v : slope[c] * v;
}
