#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out[c] = sum of x[(o * channels + c) * inner + i] over o < outer, i < inner,
// plus beta * out[c]: bias gradients. One workgroup per channel; each invocation
// sums a fixed strided subset, then a fixed-order tree in shared memory combines
// them, so the result is the same on every run.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint outer, channels, inner; float beta; } p;

shared float partial[gl_WorkGroupSize.x];

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  const uint count = p.outer * p.inner;
  for (uint channel = gl_WorkGroupID.x; channel < p.channels; channel += gl_NumWorkGroups.x) {
    float sum = 0.0;
    for (uint e = lane; e < count; e += lanes) {
      uint o = e / p.inner, i = e - o * p.inner;
      sum += x[(o * p.channels + channel) * p.inner + i];
    }
    partial[lane] = sum;
    barrier();
    // Halve the active width each step; works for any workgroup size.
    for (uint width = lanes; width > 1u; width = (width + 1u) / 2u) {
      uint half_width = (width + 1u) / 2u;
      if (lane + half_width < width) partial[lane] += partial[lane + half_width];
      barrier();
    }
    if (lane == 0u) out_[channel] = p.beta == 0.0 ? partial[0] : partial[0] + p.beta * out_[channel];
    barrier();  // partial[0] is read before the next channel overwrites it
  }
}
