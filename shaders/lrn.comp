#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Across-channel local response normalisation (Caffe's LRN, AlexNet section 3.3) on [N, C, H, W]:
//   scale = k + alpha_over_size * sum of x^2 over channels [c - (size-1)/2, c + size/2] within [0, C)
//   y = x * scale^-beta
// One invocation per element; scale is stored for the backward.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Scale { float scale[]; };
layout(push_constant) uniform Push {
  uint count;
  uint channels;
  uint plane;  // H * W: the distance between neighbouring channels
  uint size;
  float alpha_over_size;
  float beta;
  float k;
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  int c = int((i / p.plane) % p.channels);
  uint channel_zero = i - uint(c) * p.plane;  // the same (n, h, w) in channel 0
  int first = max(c - int((p.size - 1) / 2), 0);
  int last = min(c + int(p.size / 2), int(p.channels) - 1);
  float sum_squares = 0.0;
  for (int neighbour = first; neighbour <= last; ++neighbour) {
    float v = x[channel_zero + uint(neighbour) * p.plane];
    sum_squares += v * v;
  }
  float s = p.k + p.alpha_over_size * sum_squares;
  scale[i] = s;
  y[i] = x[i] * pow(s, -p.beta);
}
