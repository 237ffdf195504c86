#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Evaluation-mode statistics of batch_norm: stats[c] = (running_mean, 1 / sqrt(running_var + eps)),
// in the layout batch_norm_stats writes, so the apply and backward kernels serve both modes.
layout(std430, binding = 0) readonly buffer RunningMean { float running_mean[]; };
layout(std430, binding = 1) readonly buffer RunningVar { float running_var[]; };
layout(std430, binding = 2) writeonly buffer Stats { vec2 stats[]; };
layout(push_constant) uniform Push { uint channels; float eps; } p;

void main() {
  uint c = linear_index();
  if (c >= p.channels) return;
  stats[c] = vec2(running_mean[c], 1.0 / sqrt(running_var[c] + p.eps));
}
