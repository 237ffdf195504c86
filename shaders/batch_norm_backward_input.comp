#version 450
// variant: batch_norm_backward_input_vec4 -DVEC4=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx of batch_norm, one invocation per element of x viewed as [outer, channels, inner]
// (in the _vec4 variant per four elements: x and dy read as texels, dx stored as
// a vec4; `count` in fours):
//   training:   dx = gamma * invstd * (dy - sum_dy / M - xhat * sum_dy_xhat / M)
//   evaluation: dx = gamma * invstd * dy
// with xhat = (x - mean) * invstd and the sums from batch_norm_backward_reduce
// (not read in evaluation); gamma is 1 without affine. beta accumulates into dx.
#ifdef VEC4
layout(binding = 0) uniform samplerBuffer x_texels;
layout(binding = 3) uniform samplerBuffer dy_texels;
layout(std430, binding = 5) buffer DX { vec4 dx[]; };
#define VALUE vec4
#define READ_X(i) texelFetch(x_texels, int(i))
#define READ_DY(i) texelFetch(dy_texels, int(i))
#else
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 3) readonly buffer DY { float dy[]; };
layout(std430, binding = 5) buffer DX { float dx[]; };
#define VALUE float
#define READ_X(i) x[i]
#define READ_DY(i) dy[i]
#endif
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd)
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 4) readonly buffer Sums { vec2 sums[]; };  // (sum dy, sum dy * xhat)
layout(push_constant) uniform Push {
  uvec2 inner_divisor, channels_divisor;  // core fast_divisor of inner and channels
  uint count;
  uint channels;
  uint affine;
  uint training;
  float inv_m;  // 1 / M
  float beta;
} p;
DECLARE_ACCUMULATES(3);

uint channel_of(uint element) {
  const uint plane = fast_divide(element, p.inner_divisor.x, p.inner_divisor.y);  // outer * channels + c
  return plane - fast_divide(plane, p.channels_divisor.x, p.channels_divisor.y) * p.channels;
}

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
#ifdef VEC4
  // The four elements may straddle channels (inner need not be a multiple of 4).
  uvec4 c;
  for (uint j = 0; j < 4u; ++j) c[j] = channel_of(i * 4u + j);
  const vec4 mean = vec4(stats[c.x].x, stats[c.y].x, stats[c.z].x, stats[c.w].x);
  const vec4 invstd = vec4(stats[c.x].y, stats[c.y].y, stats[c.z].y, stats[c.w].y);
#define PER_CHANNEL(array) vec4(array[c.x], array[c.y], array[c.z], array[c.w])
#define PER_CHANNEL_SUM(component) vec4(sums[c.x].component, sums[c.y].component, sums[c.z].component, sums[c.w].component)
#else
  const uint c = channel_of(i);
  const float mean = stats[c].x, invstd = stats[c].y;
#define PER_CHANNEL(array) array[c]
#define PER_CHANNEL_SUM(component) sums[c].component
#endif
  const VALUE scale = p.affine != 0u ? PER_CHANNEL(gamma) * invstd : invstd;
  VALUE g = READ_DY(i);
  if (p.training != 0u) {
    const VALUE xhat = (READ_X(i) - mean) * invstd;
    g = g - PER_CHANNEL_SUM(x) * p.inv_m - xhat * (PER_CHANNEL_SUM(y) * p.inv_m);
  }
  const VALUE value = scale * g;
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
