#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Second half of batch_norm_stats split into spans (batch_norm_span_sums): one
// invocation per channel adds the spans' partial sums in span order and divides
// by M = outer * inner.
//   variance 0: stats[c] = (mean, 0), the mean that the centred span sums need;
//   variance 1: stats[c] = (mean, 1 / sqrt(biased variance + eps)), and, when
//               update_running is set, the running statistics move as in batch_norm_stats.
layout(std430, binding = 0) readonly buffer Partials { float partials[]; };
layout(std430, binding = 1) buffer Stats { vec2 stats[]; };
layout(std430, binding = 2) buffer RunningMean { float running_mean[]; };
layout(std430, binding = 3) buffer RunningVar { float running_var[]; };
layout(push_constant) uniform Push {
  uint channels;
  uint spans;
  uint count;  // M
  float eps;
  float momentum;
  float unbias;  // M / (M - 1)
  uint update_running;
  uint variance;
} p;

void main() {
  const uint channel = linear_index();
  if (channel >= p.channels) return;
  float sum = 0.0;
  for (uint span = 0u; span < p.spans; ++span) sum += partials[span * p.channels + channel];
  const float value = sum / float(p.count);
  if (p.variance == 0u) {
    stats[channel] = vec2(value, 0.0);
    return;
  }
  const float mean = stats[channel].x;
  stats[channel] = vec2(mean, 1.0 / sqrt(value + p.eps));
  if (p.update_running != 0u) {
    running_mean[channel] = (1.0 - p.momentum) * running_mean[channel] + p.momentum * mean;
    running_var[channel] = (1.0 - p.momentum) * running_var[channel] + p.momentum * (value * p.unbias);
  }
}
