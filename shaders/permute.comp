#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = x with its axes permuted, one invocation per element of y (a gather): the index of y
// is split into coordinates over out_dims, and coordinate d steps x by in_strides[d]. The
// backward is the same kernel with the inverse order; beta accumulates into y.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint count;
  uint rank;
  float beta;
  uint out_dims[8];
  uint in_strides[8];
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint rest = i;
  uint offset = 0u;
  for (int d = int(p.rank) - 1; d >= 0; --d) {
    uint coordinate = rest % p.out_dims[d];
    rest /= p.out_dims[d];
    offset += coordinate * p.in_strides[d];
  }
  float value = x[offset];
  y[i] = p.beta == 0.0 ? value : value + p.beta * y[i];
}
