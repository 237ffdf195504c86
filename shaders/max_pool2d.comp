#version 450
// variant: max_pool2d_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Max pooling, one invocation per output element. Padding never wins (windows are
// clipped to the image); NaN propagates; ties keep the first element in row-major
// order. The winner's index h*W + w within its plane is saved for backward, as a
// float (exact: planes are checked to hold fewer than 2^24 elements) so that
// backward can read it through a texel buffer. Reads go through a texel buffer
// where possible (the _storage variant is the fallback).
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
#define READ_X(i) x[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
#define READ_X(i) texelFetch(x_texels, int(i)).r
#endif
layout(constant_id = 3) const int KERNEL_H = 1;
layout(constant_id = 4) const int KERNEL_W = 1;
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Argmax { float argmax[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // backward: 0 overwrites dx, 1 adds to it
  uvec2 by_width, by_height;  // fast_divide constants for out_width, out_height
} p;

uint divide(uint n, uvec2 by) { return fast_divide(n, by.x, by.y); }

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = divide(i, p.by_width);
  uint plane = divide(row, p.by_height);
  int ow = int(i - row * uint(p.out_width));
  int oh = int(row - plane * uint(p.out_height));

  int hstart = oh * p.stride_h - p.pad_h;
  int wstart = ow * p.stride_w - p.pad_w;
  uint base = plane * uint(p.height * p.width);
  float best = uintBitsToFloat(0xff800000u);  // -inf
  int best_index = max(hstart, 0) * p.width + max(wstart, 0);
  // Window sizes are specialisation constants, so the loops unroll; no early
  // exit at a NaN (lanes would diverge): a NaN, once taken, is never replaced.
  for (int kh = 0; kh < KERNEL_H; ++kh) {
    const int h = hstart + kh;
    if (h < 0 || h >= p.height) continue;
    for (int kw = 0; kw < KERNEL_W; ++kw) {
      const int w = wstart + kw;
      if (w < 0 || w >= p.width) continue;
      const int index = h * p.width + w;
      const float value = READ_X(base + uint(index));
      if (value > best || (isnan(value) && !isnan(best))) {
        best = value;
        best_index = index;
      }
    }
  }
  y[i] = best;
  argmax[i] = float(best_index);
}
