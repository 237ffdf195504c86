#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of max pooling as a gather: one invocation per input element visits
// every output window that can contain it and sums dy where that window's
// saved argmax is this element. Fixed loop order, no atomics: reproducible.
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Argmax { uint argmax[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // backward: 0 overwrites dx, 1 adds to it
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  int w = int(i % uint(p.width));
  int h = int((i / uint(p.width)) % uint(p.height));
  uint plane = i / uint(p.width * p.height);

  // Window oh covers rows [oh*stride - pad, oh*stride - pad + kernel).
  int hp = h + p.pad_h, wp = w + p.pad_w;
  int oh_begin = hp < p.kernel_h ? 0 : (hp - p.kernel_h) / p.stride_h + 1;
  int ow_begin = wp < p.kernel_w ? 0 : (wp - p.kernel_w) / p.stride_w + 1;
  int oh_end = min(hp / p.stride_h + 1, p.out_height);
  int ow_end = min(wp / p.stride_w + 1, p.out_width);

  uint self = uint(h * p.width + w);
  uint base = plane * uint(p.out_height * p.out_width);
  float sum = 0.0;
  for (int oh = oh_begin; oh < oh_end; ++oh) {
    for (int ow = ow_begin; ow < ow_end; ++ow) {
      uint o = base + uint(oh * p.out_width + ow);
      if (argmax[o] == self) sum += dy[o];
    }
  }
  dx[i] = p.beta == 0.0 ? sum : sum + p.beta * dx[i];
}
