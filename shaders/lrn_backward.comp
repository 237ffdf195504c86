#version 450
// variant: lrn_backward_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of local response normalisation (Caffe's formula, gathered per element):
//   dx[c] = dy[c] * scale[c]^-beta
//         - 2 * alpha_over_size * beta * x[c] * sum over c' whose window holds c of dy[c'] * y[c'] / scale[c']
// with y[c'] / scale[c'] = x[c'] * scale[c']^-beta / scale[c'], from the forward's
// saved scale and scale^-beta. The channels c' whose window [c' - (size-1)/2,
// c' + size/2] holds c are [c - size/2, c + (size-1)/2]: the forward window itself
// for odd sizes. `accumulate` adds into dx. Reads go through texel buffers where
// possible (the _storage variant is the fallback).
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
  uint count;
  uint channels;
  uint plane;
  uint size;
  float alpha_over_size;
  float beta;
  float accumulate;  // 0: overwrite dx, 1: add to it
  uvec2 by_plane, by_channels;  // fast_divide constants
} p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = fast_divide(i, p.by_plane.x, p.by_plane.y);  // n * C + c
  int c = int(row - fast_divide(row, p.by_channels.x, p.by_channels.y) * p.channels);
  uint channel_zero = i - uint(c) * p.plane;  // the same (n, h, w) in channel 0
  int first = max(c - int(p.size / 2), 0);
  int last = min(c + int((p.size - 1) / 2), int(p.channels) - 1);
  float sum_ratio = 0.0;
  for (int neighbour = first; neighbour <= last; ++neighbour) {
    uint j = channel_zero + uint(neighbour) * p.plane;
    sum_ratio += READ(dy, j) * READ(x, j) * READ(powered, j) / READ(scale, j);
  }
  float value = READ(dy, i) * READ(powered, i) - 2.0 * p.alpha_over_size * p.beta * READ(x, i) * sum_ratio;
  dx[i] = ACCUMULATES ? value + p.accumulate * dx[i] : value;
}
