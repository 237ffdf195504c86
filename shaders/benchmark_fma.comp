#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// FMA-bound peak for tests/bench: each invocation runs `iterations` rounds of
// 32 independent multiply-add chains, then writes one value so that nothing is
// optimised away. Flops per invocation: iterations * 32 * 2; the host keeps
// iterations a multiple of 4.
//
// Measured on lavapipe (2-core Zen 4, 256-bit): 16 chains one round per loop
// iteration gave 34-46 GFLOP/s, 32 chains four rounds per loop iteration
// 110-125 (CPU drivers pay for every loop iteration with execution-mask
// bookkeeping); 48 chains no longer fit in registers and ran at 5.
const uint CHAINS = 32u, ROUNDS_PER_ITERATION = 4u;
layout(std430, binding = 0) writeonly buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint count, iterations; float scale, offset; } p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  // Push constants in registers: CPU drivers reload them from memory otherwise.
  const float scale = p.scale, offset = p.offset;
  float acc[CHAINS];
  for (uint c = 0; c < CHAINS; ++c) acc[c] = float(i + c) * 1e-6;
  for (uint it = 0; it < p.iterations; it += ROUNDS_PER_ITERATION)
    for (uint round = 0; round < ROUNDS_PER_ITERATION; ++round)
      for (uint c = 0; c < CHAINS; ++c) acc[c] = fma(acc[c], scale, offset);
  float sum = 0.0;
  for (uint c = 0; c < CHAINS; ++c) sum += acc[c];
  out_[i] = sum;
}
