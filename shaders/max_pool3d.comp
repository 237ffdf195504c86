#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// 3-D max pooling, one invocation per output element. Padding never wins (windows
// are clipped to the volume); NaN propagates; ties keep the first element in
// (d, h, w) order. The winner's index (d * H + h) * W + w within its volume is
// saved for backward.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(std430, binding = 2) writeonly buffer Argmax { uint argmax[]; };
layout(push_constant) uniform Push {
  int planes, in_d, in_h, in_w, out_d, out_h, out_w;  // planes = N * C
  int kernel_d, kernel_h, kernel_w, stride_d, stride_h, stride_w, pad_d, pad_h, pad_w;
  uint count;              // invocations that do work
  float beta;              // backward: 0 overwrites dx, 1 adds to it
  uint count_include_pad;  // average pooling only
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const int ow = int(i % uint(p.out_w));
  const int oh = int((i / uint(p.out_w)) % uint(p.out_h));
  const int od = int((i / uint(p.out_w * p.out_h)) % uint(p.out_d));
  const uint plane = i / uint(p.out_w * p.out_h * p.out_d);

  const int d0 = od * p.stride_d - p.pad_d, h0 = oh * p.stride_h - p.pad_h, w0 = ow * p.stride_w - p.pad_w;
  const int d1 = min(d0 + p.kernel_d, p.in_d), h1 = min(h0 + p.kernel_h, p.in_h), w1 = min(w0 + p.kernel_w, p.in_w);
  const int d_begin = max(d0, 0), h_begin = max(h0, 0), w_begin = max(w0, 0);

  const uint base = plane * uint(p.in_d * p.in_h * p.in_w);
  float best = uintBitsToFloat(0xff800000u);  // -inf
  uint best_index = uint((d_begin * p.in_h + h_begin) * p.in_w + w_begin);
  for (int d = d_begin; d < d1 && !isnan(best); ++d) {
    for (int h = h_begin; h < h1 && !isnan(best); ++h) {
      for (int w = w_begin; w < w1; ++w) {
        const uint index = uint((d * p.in_h + h) * p.in_w + w);
        const float value = x[base + index];
        if (value > best || isnan(value)) {
          best = value;
          best_index = index;
          if (isnan(value)) break;
        }
      }
    }
  }
  y[i] = best;
  argmax[i] = best_index;
}
