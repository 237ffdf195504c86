#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of Caffe AVE pooling as a gather: one invocation per input element sums
// dy / pool_size over every output window containing it (same divisor as forward).
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // backward: 0 overwrites dx, 1 adds to it
} p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  int w = int(i % uint(p.width));
  int h = int((i / uint(p.width)) % uint(p.height));
  uint plane = i / uint(p.width * p.height);

  // Window oh covers rows [oh*stride - pad, oh*stride - pad + kernel); an element
  // inside the image is never in the part clipped off at H + pad.
  int hp = h + p.pad_h, wp = w + p.pad_w;
  int oh_begin = hp < p.kernel_h ? 0 : (hp - p.kernel_h) / p.stride_h + 1;
  int ow_begin = wp < p.kernel_w ? 0 : (wp - p.kernel_w) / p.stride_w + 1;
  int oh_end = min(hp / p.stride_h + 1, p.out_height);
  int ow_end = min(wp / p.stride_w + 1, p.out_width);

  uint base = plane * uint(p.out_height * p.out_width);
  float sum = 0.0;
  for (int oh = oh_begin; oh < oh_end; ++oh) {
    int hstart = oh * p.stride_h - p.pad_h;
    int rows = min(hstart + p.kernel_h, p.height + p.pad_h) - hstart;
    for (int ow = ow_begin; ow < ow_end; ++ow) {
      int wstart = ow * p.stride_w - p.pad_w;
      int cols = min(wstart + p.kernel_w, p.width + p.pad_w) - wstart;
      sum += dy[base + uint(oh * p.out_width + ow)] / float(rows * cols);
    }
  }
  dx[i] = ACCUMULATES ? sum + p.beta * dx[i] : sum;
}
