#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// The same as sum_axis for a few long reductions: one workgroup per output (looping when
// outputs exceed the grid); each lane sums a fixed strided subset of its chunk and a
// fixed-shape tree in shared memory combines the lanes, so every run gives the same bits.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint outer; uint extent; uint inner; float scale; uint chunk; uint chunks; } p;

shared float partial[gl_WorkGroupSize.x];

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  const uint outputs = p.outer * p.chunks * p.inner;
  for (uint i = gl_WorkGroupID.x; i < outputs; i += gl_NumWorkGroups.x) {
    uint row = i / p.inner;  // o * chunks + c
    uint first = row * p.extent, count = p.extent;
    if (p.chunks > 1u) {
      uint o = row / p.chunks, c = row - o * p.chunks;
      first = o * p.extent + c * p.chunk;
      count = min(p.chunk, p.extent - c * p.chunk);
    }
    uint base = first * p.inner + (i - row * p.inner);
    float sum = 0.0;
    for (uint l = lane; l < count; l += lanes) sum += x[base + l * p.inner];
    partial[lane] = sum;
    barrier();
    for (uint width = lanes; width > 1u;) {
      uint upper = (width + 1u) / 2u;
      if (lane < width - upper) partial[lane] += partial[lane + upper];
      barrier();
      width = upper;
    }
    if (lane == 0u) out_[i] = partial[0] * p.scale;
    barrier();  // partial[0] is read before the next output overwrites it
  }
}
