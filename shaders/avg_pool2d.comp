#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Caffe AVE pooling, one invocation per output element: the divisor is the window
// size clipped to the padded border (padding counts, ceil-mode overflow does not),
// the sum runs over the window clipped to the image.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
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
  int hend = min(hstart + p.kernel_h, p.height + p.pad_h);
  int wend = min(wstart + p.kernel_w, p.width + p.pad_w);
  float pool_size = float((hend - hstart) * (wend - wstart));
  hstart = max(hstart, 0);
  wstart = max(wstart, 0);
  hend = min(hend, p.height);
  wend = min(wend, p.width);

  uint base = plane * uint(p.height * p.width);
  float sum = 0.0;
  for (int h = hstart; h < hend; ++h) {
    for (int w = wstart; w < wend; ++w) sum += x[base + uint(h * p.width + w)];
  }
  y[i] = sum / pool_size;
}
