#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// FMA-bound peak for tests/benchmark.cpp: each invocation runs `iterations`
// rounds of 16 independent multiply-add chains (enough to hide FMA latency on
// CPUs and GPUs), then writes one value so that nothing is optimised away.
// Flops per invocation: iterations * 16 * 2.
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint count, iterations; float scale, offset; } p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  float acc[16];
  for (uint c = 0; c < 16u; ++c) acc[c] = float(i + c) * 1e-6;
  for (uint it = 0; it < p.iterations; ++it)
    for (uint c = 0; c < 16u; ++c) acc[c] = fma(acc[c], p.scale, p.offset);
  float sum = 0.0;
  for (uint c = 0; c < 16u; ++c) sum += acc[c];
  out_[i] = sum;
}
