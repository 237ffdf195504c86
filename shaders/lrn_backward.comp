#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of local response normalisation (Caffe's formula, gathered per element):
//   dx[c] = dy[c] * scale[c]^-beta
//         - 2 * alpha_over_size * beta * x[c] * sum over c' whose window holds c of dy[c'] * y[c'] / scale[c']
// with y[c'] / scale[c'] = x[c'] * scale[c']^(-beta-1), so y need not be saved. The channels
// c' whose window [c' - (size-1)/2, c' + size/2] holds c are [c - size/2, c + (size-1)/2]:
// the forward window itself for odd sizes. beta_out accumulates into dx.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Scale { float scale[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint count;
  uint channels;
  uint plane;
  uint size;
  float alpha_over_size;
  float beta;
  float accumulate;  // 0: overwrite dx, 1: add to it
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  int c = int((i / p.plane) % p.channels);
  uint channel_zero = i - uint(c) * p.plane;  // the same (n, h, w) in channel 0
  int first = max(c - int(p.size / 2), 0);
  int last = min(c + int((p.size - 1) / 2), int(p.channels) - 1);
  float sum_ratio = 0.0;
  for (int neighbour = first; neighbour <= last; ++neighbour) {
    uint j = channel_zero + uint(neighbour) * p.plane;
    sum_ratio += dy[j] * x[j] * pow(scale[j], -p.beta - 1.0);
  }
  float value = dy[i] * pow(scale[i], -p.beta) - 2.0 * p.alpha_over_size * p.beta * x[i] * sum_ratio;
  dx[i] = p.accumulate == 0.0 ? value : value + p.accumulate * dx[i];
}
