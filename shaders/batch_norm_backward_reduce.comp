#version 450
// variant: batch_norm_backward_reduce_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "channel_walk.glsl"
// Per-channel sums for batch_norm's backward: sums[c] = (sum dy, sum dy * xhat) with
// xhat = (x - mean) * invstd, over x viewed as [outer, channels, inner]. They are dbeta
// and dgamma, and the two corrections of dx in training mode. One workgroup per channel,
// fixed strided lane subsets and a fixed-shape tree: the same bits on every run.
// A channel with more values than one workgroup's loops may walk (core/loop_budget.h)
// is cut into spans of `span` values, one per workgroup row y, whose sums land in
// sums[y * channels + c] for the host to add up in span order; unsplit, the span
// covers the channel.
DECLARE_READ(0, X, x);
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd)
DECLARE_READ(2, DY, dy);
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
    ChannelWalk walk = channel_walk(span_start + lane, lanes, p.inner);
    for (uint e = span_start + lane; e < span_end; e += lanes, walk_step(walk, p.inner)) {
      const uint i = walk_element(walk, channel, p.channels, p.inner);
      float g = READ(dy, i);
      sum += vec2(g, g * ((READ(x, i) - s.x) * s.y));
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
