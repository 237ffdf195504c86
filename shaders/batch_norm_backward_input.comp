#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx of batch_norm, one invocation per element of x viewed as [outer, channels, inner]:
//   training:   dx = gamma * invstd * (dy - sum_dy / M - xhat * sum_dy_xhat / M)
//   evaluation: dx = gamma * invstd * dy
// with xhat = (x - mean) * invstd and the sums from batch_norm_backward_reduce
// (not read in evaluation); gamma is 1 without affine. beta accumulates into dx.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd)
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer DY { float dy[]; };
layout(std430, binding = 4) readonly buffer Sums { vec2 sums[]; };  // (sum dy, sum dy * xhat)
layout(std430, binding = 5) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint count;
  uint channels;
  uint inner;
  uint affine;
  uint training;
  float inv_m;  // 1 / M
  float beta;
} p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint c = (i / p.inner) % p.channels;
  vec2 s = stats[c];
  float scale = p.affine != 0u ? gamma[c] * s.y : s.y;
  float g = dy[i];
  if (p.training != 0u) {
    vec2 sum = sums[c];
    float xhat = (x[i] - s.x) * s.y;
    g = g - sum.x * p.inv_m - xhat * (sum.y * p.inv_m);
  }
  float value = scale * g;
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
