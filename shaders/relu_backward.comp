#version 450
// variant: relu_backward_vec4 -DVEC4=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx = dy where the forward output was positive; beta accumulates into dx.
// The _vec4 variant: four floats per invocation, reads through texel buffers.
#ifdef VEC4
#define VALUE vec4
layout(binding = 0) uniform samplerBuffer y_texels;
layout(binding = 1) uniform samplerBuffer dy_texels;
#define READ_Y(i) texelFetch(y_texels, int(i))
#define READ_DY(i) texelFetch(dy_texels, int(i))
#define PASS_WHERE_POSITIVE(y, dy) mix(vec4(0.0), dy, greaterThan(y, vec4(0.0)))
#else
#define VALUE float
layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
#define READ_Y(i) y[i]
#define READ_DY(i) dy[i]
#define PASS_WHERE_POSITIVE(y, dy) ((y) > 0.0 ? (dy) : 0.0)
#endif
layout(std430, binding = 2) buffer DX { VALUE dx[]; };
layout(push_constant) uniform Push { uint count; float beta; } p;  // count: floats, or vec4s
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  VALUE gradient = PASS_WHERE_POSITIVE(READ_Y(i), READ_DY(i));
  dx[i] = ACCUMULATES ? gradient + p.beta * dx[i] : gradient;
}
