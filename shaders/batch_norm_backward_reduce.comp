#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Per-channel sums for batch_norm's backward: sums[c] = (sum dy, sum dy * xhat) with
// xhat = (x - mean) * invstd, over x viewed as [outer, channels, inner]. They are dbeta
// and dgamma, and the two corrections of dx in training mode. One workgroup per channel,
// fixed strided lane subsets and a fixed-shape tree: the same bits on every run.
// A channel with more values than one workgroup's loops may walk (core/loop_budget.h)
// is cut into spans of `span` values, one per workgroup row y, whose sums land in
// sums[y * channels + c] for the host to add up in span order; unsplit, the span
// covers the channel.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd)
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) writeonly buffer Sums { vec2 sums[]; };
layout(push_constant) uniform Push { uint outer; uint channels; uint inner; uint span; } p;

shared vec2 partial[gl_WorkGroupSize.x];

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  const uint count = p.outer * p.inner;
  const uint span_start = gl_WorkGroupID.y * p.span;
  const uint span_end = min(count - span_start, p.span) + span_start;
  for (uint channel = gl_WorkGroupID.x; channel < p.channels; channel += gl_NumWorkGroups.x) {
    vec2 s = stats[channel];
    vec2 sum = vec2(0.0);
    for (uint e = span_start + lane; e < span_end; e += lanes) {
      uint o = e / p.inner;
      uint i = (o * p.channels + channel) * p.inner + (e - o * p.inner);
      float g = dy[i];
      sum += vec2(g, g * ((x[i] - s.x) * s.y));
    }
    partial[lane] = sum;
    barrier();
    for (uint width = lanes; width > 1u;) {
      uint upper = (width + 1u) / 2u;
      if (lane < width - upper) partial[lane] += partial[lane + upper];
      barrier();
      width = upper;
    }
    if (lane == 0u) sums[gl_WorkGroupID.y * p.channels + channel] = partial[0];
    barrier();  // partial[0] is read before the next channel overwrites it
  }
}
