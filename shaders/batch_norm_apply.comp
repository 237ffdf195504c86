#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = (x - mean[c]) * invstd[c] * gamma[c] + beta[c] over x viewed as [outer, channels, inner];
// without affine, gamma and beta are not read (their bindings are placeholders).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Stats { vec2 stats[]; };  // (mean, invstd)
layout(std430, binding = 2) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 3) readonly buffer Beta { float beta[]; };
layout(std430, binding = 4) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint count; uint channels; uint inner; uint affine; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint c = (i / p.inner) % p.channels;
  vec2 s = stats[c];
  float normalised = (x[i] - s.x) * s.y;
  y[i] = p.affine != 0u ? normalised * gamma[c] + beta[c] : normalised;
}
