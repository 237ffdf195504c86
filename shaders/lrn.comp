#version 450
// variant: lrn_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Across-channel local response normalisation (Caffe's LRN, AlexNet section 3.3) on [N, C, H, W]:
//   scale = k + alpha_over_size * sum of x^2 over channels [c - (size-1)/2, c + size/2] within [0, C)
//   y = x * scale^-beta
// One invocation per element. scale and scale^-beta are stored for the backward,
// which then needs no pow. Reads go through a texel buffer where possible (the
// _storage variant is the fallback).
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
#define READ_X(i) x[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
#define READ_X(i) texelFetch(x_texels, int(i)).r
#endif
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Scale { float scale[]; };
layout(std430, binding = 3) writeonly buffer Powered { float powered[]; };  // scale^-beta
layout(push_constant) uniform Push {
  uint count;
  uint channels;
  uint plane;  // H * W: the distance between neighbouring channels
  uint size;
  float alpha_over_size;
  float beta;
  float k;
  uvec2 by_plane, by_channels;  // fast_divide constants
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = fast_divide(i, p.by_plane.x, p.by_plane.y);  // n * C + c
  int c = int(row - fast_divide(row, p.by_channels.x, p.by_channels.y) * p.channels);
  uint channel_zero = i - uint(c) * p.plane;  // the same (n, h, w) in channel 0
  int first = max(c - int((p.size - 1) / 2), 0);
  int last = min(c + int(p.size / 2), int(p.channels) - 1);
  float sum_squares = 0.0;
  for (int neighbour = first; neighbour <= last; ++neighbour) {
    float v = READ_X(channel_zero + uint(neighbour) * p.plane);
    sum_squares += v * v;
  }
  float s = p.k + p.alpha_over_size * sum_squares;
  float s_powered = pow(s, -p.beta);
  scale[i] = s;
  powered[i] = s_powered;
  y[i] = READ_X(i) * s_powered;
}
