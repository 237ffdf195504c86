#version 450
// variant: batch_norm_apply_vec4 -DVEC4=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = (x - mean[c]) * invstd[c] * gamma[c] + beta[c] over x viewed as [outer, channels, inner];
// without affine, gamma and beta are not read (their bindings are placeholders).
// One invocation per element, or in the _vec4 variant per four elements, read as
// one texel and stored as one vec4 (`count` is then in fours).
#ifdef VEC4
layout(binding = 0) uniform samplerBuffer x_texels;
layout(std430, binding = 4) writeonly buffer Y { vec4 y[]; };
#define VALUE vec4
#define READ_X(i) texelFetch(x_texels, int(i))
#else
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 4) writeonly buffer Y { float y[]; };
#define VALUE float
#define READ_X(i) x[i]
#endif
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd)
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { float beta[]; };
layout(push_constant) uniform Push {
  uvec2 inner_divisor, channels_divisor;  // core fast_divisor of inner and channels
  uint count, channels, affine;
} p;

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
  const VALUE normalised = (READ_X(i) - mean) * invstd;
  y[i] = p.affine != 0u ? normalised * PER_CHANNEL(gamma) + PER_CHANNEL(beta) : normalised;
}
