#version 450
// variant: batch_norm_span_sums_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "channel_walk.glsl"
// batch_norm_stats for channels with more values than one workgroup's loops may
// walk (core/loop_budget.h): the channel's M = outer * inner values are cut into
// spans of `span`, one per workgroup row y, and each span's sum lands in
//   partials[y * channels + c] = sum over the span of x            (centred 0)
//                              = sum over the span of (x - mean)^2 (centred 1, mean = stats[c].x)
// for batch_norm_stats_combine to add up in a fixed order. The two launches keep
// batch_norm_stats' two passes (the variance about the finished mean, which does
// not cancel like E[x^2] - mean^2). Within a span, as there: fixed strided lane
// subsets and a fixed-shape tree, so the same bits on every run.
DECLARE_READ(0, X, x);
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd); read when centred
layout(std430, binding = 2) writeonly buffer Partials { float partials[]; };
layout(push_constant) uniform Push { uint outer; uint channels; uint inner; uint span; uint centred; } p;

shared float partial[gl_WorkGroupSize.x];

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  const uint count = p.outer * p.inner;
  const uint span_start = gl_WorkGroupID.y * p.span;
  const uint span_end = min(count - span_start, p.span) + span_start;
  for (uint channel = gl_WorkGroupID.x; channel < p.channels; channel += gl_NumWorkGroups.x) {
    const float mean = p.centred != 0u ? stats[channel].x : 0.0;
    float sum = 0.0;
    ChannelWalk walk = channel_walk(span_start + lane, lanes, p.inner);
    for (uint e = span_start + lane; e < span_end; e += lanes, walk_step(walk, p.inner)) {
      float value = READ(x, walk_element(walk, channel, p.channels, p.inner));
      if (p.centred != 0u) {
        float d = value - mean;
        sum += d * d;
      } else {
        sum += value;
      }
    }
    partial[lane] = sum;
    barrier();
    for (uint width = lanes; width > 1u;) {
      uint upper = (width + 1u) / 2u;
      if (lane < width - upper) partial[lane] += partial[lane + upper];
      barrier();
      width = upper;
    }
    if (lane == 0u) partials[gl_WorkGroupID.y * p.channels + channel] = partial[0];
    barrier();  // partial[0] is read before the next channel overwrites it
  }
}
