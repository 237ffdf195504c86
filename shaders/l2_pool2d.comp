#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// L2-norm pooling (LP pooling with p = 2, PyTorch's LPPool2d): y = sqrt(sum of x^2
// over the window clipped to the image; padding adds nothing). One invocation per
// output element. The push block is avg_pool2d's (core/ops/pool2d.cpp PoolPush).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // backward: 0 overwrites dx, 1 adds to it
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const int ow = int(i % uint(p.out_width)), oh = int((i / uint(p.out_width)) % uint(p.out_height));
  const uint plane = i / uint(p.out_width * p.out_height);
  const int hstart = max(oh * p.stride_h - p.pad_h, 0), wstart = max(ow * p.stride_w - p.pad_w, 0);
  const int hend = min(oh * p.stride_h - p.pad_h + p.kernel_h, p.height);
  const int wend = min(ow * p.stride_w - p.pad_w + p.kernel_w, p.width);
  const uint base = plane * uint(p.height * p.width);
  float squares = 0.0;
  for (int h = hstart; h < hend; ++h) {
    for (int w = wstart; w < wend; ++w) {
      const float v = x[base + uint(h * p.width + w)];
      squares += v * v;
    }
  }
  y[i] = sqrt(squares);
}
