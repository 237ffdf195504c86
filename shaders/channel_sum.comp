#version 450
// variant: channel_sum_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out[c] = sum of x[(o * channels + c) * inner + i] over o < outer, i < inner,
// plus beta * out[c]: bias gradients. One workgroup per channel; each invocation
// sums a fixed strided subset (elements lane, lane + lanes, ... of the channel,
// in that order), then a fixed-order tree in shared memory combines them, so the
// result is the same on every run. A channel with more elements than one
// invocation's loops may take (core/loop_budget.h) is split into spans of `span`
// elements, one per workgroup row y, whose sums land in out[y * channels + c]
// (beta 0) for the host to sum again; unsplit, span covers the channel. The element's (o, i) advances by a constant
// step instead of an integer division per element (slow on CPU drivers), and
// reads go through a texel buffer where possible (the _storage variant is the
// fallback).
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
#define READ_X(i) x[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
#define READ_X(i) texelFetch(x_texels, int(i)).r
#endif
layout(std430, binding = 1) buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint outer, channels, inner; float beta; uint span; } p;

shared float partial[gl_WorkGroupSize.x];

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  // Element e = o * inner + i of the channel; e advances by `lanes` per step.
  const uint o_step = lanes / p.inner, i_step = lanes % p.inner;
  const uint span_start = gl_WorkGroupID.y * p.span;
  const uint span_end = min(p.outer * p.inner - span_start, p.span) + span_start;
  const uint o_start = (span_start + lane) / p.inner, i_start = (span_start + lane) % p.inner;
  const uint o_end = span_end / p.inner, i_end = span_end % p.inner;
  const uint plane = p.channels * p.inner;  // elements between consecutive o
  for (uint channel = gl_WorkGroupID.x; channel < p.channels; channel += gl_NumWorkGroups.x) {
    float sum = 0.0;
    uint i = i_start;
    uint index = o_start * plane + channel * p.inner + i;
    // index grows with the element, so the span ends where index reaches its end's.
    const uint end = o_end * plane + channel * p.inner + i_end;
    while (index < end) {
      sum += READ_X(index);
      i += i_step;
      index += o_step * plane + i_step;
      if (i >= p.inner) {
        i -= p.inner;
        index += plane - p.inner;
      }
    }
    partial[lane] = sum;
    barrier();
    // Halve the active width each step; works for any workgroup size.
    for (uint width = lanes; width > 1u; width = (width + 1u) / 2u) {
      uint half_width = (width + 1u) / 2u;
      if (lane + half_width < width) partial[lane] += partial[lane + half_width];
      barrier();
    }
    const uint target = gl_WorkGroupID.y * p.channels + channel;
    if (lane == 0u) out_[target] = p.beta == 0.0 ? partial[0] : partial[0] + p.beta * out_[target];
    barrier();  // partial[0] is read before the next channel overwrites it
  }
}
