#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Max pooling, one invocation per output element. Padding never wins (windows are
// clipped to the image); NaN propagates; ties keep the first element in row-major
// order. The winner's index h*W + w within its plane is saved for backward.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Argmax { uint argmax[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // backward: 0 overwrites dx, 1 adds to it
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  int ow = int(i % uint(p.out_width));
  int oh = int((i / uint(p.out_width)) % uint(p.out_height));
  uint plane = i / uint(p.out_width * p.out_height);

  int hstart = oh * p.stride_h - p.pad_h;
  int wstart = ow * p.stride_w - p.pad_w;
  int hend = min(hstart + p.kernel_h, p.height);
  int wend = min(wstart + p.kernel_w, p.width);
  hstart = max(hstart, 0);
  wstart = max(wstart, 0);

  uint base = plane * uint(p.height * p.width);
  float best = uintBitsToFloat(0xff800000u);  // -inf
  uint best_index = uint(hstart * p.width + wstart);
  for (int h = hstart; h < hend; ++h) {
    for (int w = wstart; w < wend; ++w) {
      uint index = uint(h * p.width + w);
      float value = x[base + index];
      if (value > best || isnan(value)) {
        best = value;
        best_index = index;
        if (isnan(value)) break;
      }
    }
    if (isnan(best)) break;
  }
  y[i] = best;
  argmax[i] = best_index;
}
