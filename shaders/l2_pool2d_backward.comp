#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of L2-norm pooling as a gather: one invocation per input element sums
// dy * x / y over every output window containing it (a window whose norm is 0
// contributes 0: the gradient there is undefined, and its subgradient 0 is taken).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Y { float y[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // 0 overwrites dx, 1 adds to it
} p;
DECLARE_ACCUMULATES(3);

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const int w = int(i % uint(p.width)), h = int((i / uint(p.width)) % uint(p.height));
  const uint plane = i / uint(p.width * p.height);
  // Window oh covers rows [oh * stride - pad, oh * stride - pad + kernel), as avg_pool2d_backward.
  const int hp = h + p.pad_h, wp = w + p.pad_w;
  const int oh_begin = hp < p.kernel_h ? 0 : (hp - p.kernel_h) / p.stride_h + 1;
  const int ow_begin = wp < p.kernel_w ? 0 : (wp - p.kernel_w) / p.stride_w + 1;
  const int oh_end = min(hp / p.stride_h + 1, p.out_height), ow_end = min(wp / p.stride_w + 1, p.out_width);
  const uint base = plane * uint(p.out_height * p.out_width);
  const float value = x[i];
  float sum = 0.0;
  for (int oh = oh_begin; oh < oh_end; ++oh) {
    for (int ow = ow_begin; ow < ow_end; ++ow) {
      const uint o = base + uint(oh * p.out_width + ow);
      const float norm = y[o];
      sum += norm > 0.0 ? dy[o] * value / norm : 0.0;
    }
  }
  dx[i] = ACCUMULATES ? sum + p.beta * dx[i] : sum;
}
