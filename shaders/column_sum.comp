#version 450
// variant: column_sum_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// out[c] = sum of x[(o * channels + c) * inner + i] over o < outer, i < inner,
// in increasing o then i, plus beta * out[c]: channel_sum (core/ops/gemm.h) for
// few terms per channel (bias gradients of fully connected layers, recurrent
// gates, convolutions of small images). One invocation per channel, so no
// workgroup-wide reduction (barriers, costly on CPU drivers) is needed. Reads go
// through a texel buffer where possible (the _storage variant is the fallback).
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
#define READ_X(i) x[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
#define READ_X(i) texelFetch(x_texels, int(i)).r
#endif
layout(std430, binding = 1) buffer Out { float out_[]; };
layout(push_constant) uniform Push { uint outer, channels, inner; float beta; } p;

void main() {
  const uint channel = linear_index();
  if (channel >= p.channels) return;
  float sum = 0.0;
  for (uint o = 0u; o < p.outer; ++o) {
    const uint first = (o * p.channels + channel) * p.inner;
    for (uint i = 0u; i < p.inner; ++i) sum += READ_X(first + i);
  }
  if (p.beta != 0.0) sum += p.beta * out_[channel];
  out_[channel] = sum;
}
