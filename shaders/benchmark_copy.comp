#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Copy-bound bandwidth for tests/benchmark.cpp: one vec4 per invocation, read
// through a texel buffer (the fast read path on CPU drivers) or, in the
// benchmark_copy_storage variant, a storage buffer.
// variant: benchmark_copy_storage -DSTORAGE_READ=1
#ifdef STORAGE_READ
layout(std430, binding = 0) readonly buffer In { vec4 in_[]; };
#else
layout(binding = 0) uniform samplerBuffer in_texels;
#endif
layout(std430, binding = 1) writeonly buffer Out { vec4 out_[]; };
layout(push_constant) uniform Push { uint count; } p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
#ifdef STORAGE_READ
  out_[i] = in_[i];
#else
  out_[i] = texelFetch(in_texels, int(i));
#endif
}
