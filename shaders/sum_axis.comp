#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out[o, c, k] = scale * sum over l in chunk c of x[(o * extent + l) * inner + k]: sum
// (scale 1) or mean (scale 1 / extent) along the middle axis of x viewed as
// [outer, extent, inner]. One invocation per output walks its chunk in order:
// deterministic. Chunk c holds l = c * chunk .. min((c + 1) * chunk, extent) - 1; the
// host splits an axis longer than a loop may run (core/loop_budget.h) into `chunks`
// and sums the partial sums again. Unsplit, chunks = 1 and chunk = extent.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint outer; uint extent; uint inner; float scale; uint chunk; uint chunks; } p;

void main() {
  uint i = linear_index();
  if (i >= p.outer * p.chunks * p.inner) return;
  uint row = i / p.inner;  // o * chunks + c
  uint k = i - row * p.inner;
  uint first = row * p.extent, count = p.extent;
  if (p.chunks > 1u) {
    uint o = row / p.chunks, c = row - o * p.chunks;
    first = o * p.extent + c * p.chunk;
    count = min(p.chunk, p.extent - c * p.chunk);
  }
  uint base = first * p.inner + k;
  float sum = 0.0;
  for (uint l = 0u; l < count; ++l) sum += x[base + l * p.inner];
  out_[i] = sum * p.scale;
}
