#version 450
// variant: lrn_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Across-channel local response normalisation (Caffe's LRN, AlexNet section 3.3) on [N, C, H, W]:
//   scale = k + alpha_over_size * sum of x^2 over channels [c - (SIZE-1)/2, c + SIZE/2] within [0, C)
//   y = x * scale^-beta
// One invocation per (n, h, w) walks the channels with the window's values in
// registers (SIZE is a specialisation constant, so the window shifts without
// memory traffic), reading each input once instead of SIZE times. The window is
// summed in increasing channel order, zeros standing for channels past the
// edges. scale and scale^-beta are stored for the backward, which then needs no
// pow. Reads go through a texel buffer where possible (the _storage variant is
// the fallback).
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
  uint positions;  // N * H * W: one invocation each
  uint channels;
  uint plane;      // H * W: the distance between neighbouring channels
  float alpha_over_size;
  float beta;
  float k;
  uvec2 by_plane;  // fast_divide constants
} p;
layout(constant_id = 3) const uint SIZE = 5;
const uint BEFORE = (SIZE - 1u) / 2u, AFTER = SIZE / 2u;  // window of c: [c - BEFORE, c + AFTER]

// x at channel c of the invocation's (n, h, w), 0 past the edges (the read stays in bounds).
float input_at(uint channel_zero, int c) {
  const float v = READ_X(channel_zero + uint(clamp(c, 0, int(p.channels) - 1)) * p.plane);
  return c >= 0 && c < int(p.channels) ? v : 0.0;
}

void main() {
  const uint position = linear_index();
  if (position >= p.positions) return;
  const uint n = fast_divide(position, p.by_plane.x, p.by_plane.y);
  const uint channel_zero = n * p.channels * p.plane + (position - n * p.plane);

  float window[SIZE];  // x at channels c - BEFORE .. c + AFTER
  for (uint j = 0u; j < SIZE; ++j) window[j] = input_at(channel_zero, int(j) - int(BEFORE));
  for (uint c = 0u; c < p.channels; ++c) {
    float sum_squares = 0.0;
    for (uint j = 0u; j < SIZE; ++j) sum_squares += window[j] * window[j];
    const float s = p.k + p.alpha_over_size * sum_squares;
    const float s_powered = pow(s, -p.beta);
    const uint i = channel_zero + c * p.plane;
    scale[i] = s;
    powered[i] = s_powered;
    y[i] = window[BEFORE] * s_powered;
    for (uint j = 0u; j + 1u < SIZE; ++j) window[j] = window[j + 1u];
    window[SIZE - 1u] = input_at(channel_zero, int(c + 1u + AFTER));
  }
}
