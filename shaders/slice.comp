#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Copies a [outer, extent, inner] block from src viewed as [outer, src_dim, inner] (from
// src_start along the middle axis) into dst viewed as [outer, dst_dim, inner] (from dst_start),
// one invocation per copied element: the forward of slice and stack, and the backward of
// stack (beta accumulates into dst; 0 overwrites without reading it).
layout(std430, binding = 0) readonly buffer Src { float src[]; };
layout(std430, binding = 1) buffer Dst { float dst[]; };
layout(push_constant) uniform Push {
  uint count;
  uint extent;
  uint inner;
  uint src_dim;
  uint src_start;
  uint dst_dim;
  uint dst_start;
  float beta;
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = i / p.inner;
  uint k = i - row * p.inner;
  uint o = row / p.extent;
  uint l = row - o * p.extent;
  float value = src[(o * p.src_dim + p.src_start + l) * p.inner + k];
  uint d = (o * p.dst_dim + p.dst_start + l) * p.inner + k;
  dst[d] = p.beta == 0.0 ? value : value + p.beta * dst[d];
}
