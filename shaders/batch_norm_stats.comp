#version 450
// variant: batch_norm_stats_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "channel_walk.glsl"
// Training-mode statistics of batch_norm: for each channel c of x viewed as
// [outer, channels, inner], over the M = outer * inner values of that channel:
//   stats[c] = (mean, 1 / sqrt(biased variance + eps))
// and, when update_running is set, the running statistics move towards the batch:
//   running_mean = (1 - momentum) * running_mean + momentum * mean
//   running_var  = (1 - momentum) * running_var  + momentum * variance * M / (M - 1)
// The variance is a second pass over (x - mean)^2, which does not cancel like
// E[x^2] - mean^2. One workgroup per channel (looping when channels exceed the grid);
// each lane sums a fixed strided subset, a fixed-shape tree combines the lanes.
DECLARE_READ(0, X, x);
layout(std430, binding = 1) writeonly buffer Stats { vec2 stats[]; };
layout(std430, binding = 2) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 3) buffer RunningVar { float running_var[]; };
layout(push_constant) uniform Push {
  uint outer;
  uint channels;
  uint inner;
  float eps;
  float momentum;
  float unbias;  // M / (M - 1)
  uint update_running;
} p;

shared float partial[gl_WorkGroupSize.x];

// The tree halves the active width each step, so any workgroup size works.
float workgroup_sum(float value) {
  uint lane = gl_LocalInvocationID.x;
  partial[lane] = value;
  barrier();
  for (uint width = gl_WorkGroupSize.x; width > 1u;) {
    uint upper = (width + 1u) / 2u;
    if (lane < width - upper) partial[lane] += partial[lane + upper];
    barrier();
    width = upper;
  }
  float result = partial[0];
  barrier();  // partial is reused by the next reduction
  return result;
}

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  const uint count = p.outer * p.inner;
  for (uint channel = gl_WorkGroupID.x; channel < p.channels; channel += gl_NumWorkGroups.x) {
    float sum = 0.0;
    ChannelWalk walk = channel_walk(lane, lanes, p.inner);
    for (uint e = lane; e < count; e += lanes, walk_step(walk, p.inner)) {
      sum += READ(x, walk_element(walk, channel, p.channels, p.inner));
    }
    float mean = workgroup_sum(sum) / float(count);

    float squares = 0.0;
    walk = channel_walk(lane, lanes, p.inner);
    for (uint e = lane; e < count; e += lanes, walk_step(walk, p.inner)) {
      float d = READ(x, walk_element(walk, channel, p.channels, p.inner)) - mean;
      squares += d * d;
    }
    float variance = workgroup_sum(squares) / float(count);

    if (lane == 0u) {
      stats[channel] = vec2(mean, 1.0 / sqrt(variance + p.eps));
      if (p.update_running != 0u) {
        running_mean[channel] = (1.0 - p.momentum) * running_mean[channel] + p.momentum * mean;
        running_var[channel] = (1.0 - p.momentum) * running_var[channel] + p.momentum * (variance * p.unbias);
      }
    }
  }
}
