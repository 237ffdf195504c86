#version 450
// variant: lrn_backward_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of local response normalisation (Caffe's formula, gathered per element):
//   dx[c] = dy[c] * scale[c]^-beta
//         - 2 * alpha_over_size * beta * x[c] * sum over c' whose window holds c of dy[c'] * y[c'] / scale[c']
// with y[c'] / scale[c'] = x[c'] * scale[c']^-beta / scale[c'], from the forward's
// saved scale and scale^-beta. The channels c' whose window [c' - (SIZE-1)/2,
// c' + SIZE/2] holds c are [c - SIZE/2, c + (SIZE-1)/2]: the forward window itself
// for odd sizes. As in lrn.comp, one invocation per (n, h, w) walks the channels
// with the window's terms in registers, summed in increasing channel order.
// `accumulate` adds into dx. Reads go through texel buffers where possible (the
// _storage variant is the fallback).
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Scale { float scale[]; };
layout(std430, binding = 2) readonly buffer Powered { float powered[]; };
layout(std430, binding = 3) readonly buffer DY { float dy[]; };
#define READ(name, i) name[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
layout(binding = 1) uniform samplerBuffer scale_texels;
layout(binding = 2) uniform samplerBuffer powered_texels;
layout(binding = 3) uniform samplerBuffer dy_texels;
#define READ(name, i) texelFetch(name##_texels, int(i)).r
#endif
layout(std430, binding = 4) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint positions;
  uint channels;
  uint plane;
  float alpha_over_size;
  float beta;
  float accumulate;  // 0: overwrite dx, 1: add to it
  uvec2 by_plane;    // fast_divide constants
} p;
layout(constant_id = 3) const uint SIZE = 5;
DECLARE_ACCUMULATES(4);
const uint BEFORE = SIZE / 2u, AFTER = (SIZE - 1u) / 2u;  // channels whose windows hold c: [c - BEFORE, c + AFTER]

// The window's values at one channel: dy * y / scale (the sum's term), and dy * scale^-beta and x (c's own).
struct Entry {
  float term, dy_powered, x;
};

Entry entry_at(uint channel_zero, int c) {
  const uint j = channel_zero + uint(clamp(c, 0, int(p.channels) - 1)) * p.plane;
  const float dy = READ(dy, j), x = READ(x, j), powered = READ(powered, j);
  const float term = dy * x * powered / READ(scale, j);
  const bool inside = c >= 0 && c < int(p.channels);
  return Entry(inside ? term : 0.0, dy * powered, x);
}

void main() {
  const uint position = linear_index();
  if (position >= p.positions) return;
  const uint n = fast_divide(position, p.by_plane.x, p.by_plane.y);
  const uint channel_zero = n * p.channels * p.plane + (position - n * p.plane);

  Entry window[SIZE];  // channels c - BEFORE .. c + AFTER
  for (uint j = 0u; j < SIZE; ++j) window[j] = entry_at(channel_zero, int(j) - int(BEFORE));
  for (uint c = 0u; c < p.channels; ++c) {
    float sum_ratio = 0.0;
    for (uint j = 0u; j < SIZE; ++j) sum_ratio += window[j].term;
    const Entry own = window[BEFORE];
    const float value = own.dy_powered - 2.0 * p.alpha_over_size * p.beta * own.x * sum_ratio;
    const uint i = channel_zero + c * p.plane;
    dx[i] = ACCUMULATES ? value + p.accumulate * dx[i] : value;
    for (uint j = 0u; j + 1u < SIZE; ++j) window[j] = window[j + 1u];
    window[SIZE - 1u] = entry_at(channel_zero, int(c + 1u + AFTER));
  }
}
