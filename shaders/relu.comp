#version 450
// variant: relu_vec4 -DVEC4=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = max(x, 0). Memory-bound: the _vec4 variant moves four floats per
// invocation and reads through a texel buffer (vector loads on CPU drivers).
#ifdef VEC4
layout(binding = 0) uniform samplerBuffer x_texels;
layout(std430, binding = 1) writeonly buffer Y { vec4 y[]; };
#define READ_X(i) texelFetch(x_texels, int(i))
#else
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
#define READ_X(i) x[i]
#endif
layout(push_constant) uniform Push { uint count; float beta; } p;  // count: floats, or vec4s

void main() {
  uint i = linear_index();
  if (i < p.count) y[i] = max(READ_X(i), 0.0);
}
