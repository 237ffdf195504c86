#version 450
// variant: max_pool2d_backward_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of max pooling as a gather: one invocation per input element visits
// every output window that can contain it and sums dy where that window's
// saved argmax (a float, see max_pool2d.comp) is this element. Fixed loop order,
// no atomics: reproducible. Reads go through texel buffers where possible.
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Argmax { float argmax[]; };
#define READ_DY(i) dy[i]
#define READ_ARGMAX(i) argmax[i]
#else
layout(binding = 0) uniform samplerBuffer dy_texels;
layout(binding = 1) uniform samplerBuffer argmax_texels;
#define READ_DY(i) texelFetch(dy_texels, int(i)).r
#define READ_ARGMAX(i) texelFetch(argmax_texels, int(i)).r
#endif
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  int planes, height, width, out_height, out_width;  // planes = N * C
  int kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint count;  // invocations that do work
  float beta;  // backward: 0 overwrites dx, 1 adds to it
  uvec2 by_width, by_height;  // fast_divide constants for width, height
} p;
DECLARE_ACCUMULATES(7);
// Window and stride are specialisation constants: the divisions by the stride
// become multiplications and the loops over windows unroll.
layout(constant_id = 3) const int KERNEL_H = 1;
layout(constant_id = 4) const int KERNEL_W = 1;
layout(constant_id = 5) const int STRIDE_H = 1;
layout(constant_id = 6) const int STRIDE_W = 1;
const int WINDOWS_H = (KERNEL_H + STRIDE_H - 1) / STRIDE_H;  // most windows that contain one element
const int WINDOWS_W = (KERNEL_W + STRIDE_W - 1) / STRIDE_W;

uint divide(uint n, uvec2 by) { return fast_divide(n, by.x, by.y); }

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = divide(i, p.by_width);
  uint plane = divide(row, p.by_height);
  int w = int(i - row * uint(p.width));
  int h = int(row - plane * uint(p.height));

  // Window oh covers rows [oh*stride - pad, oh*stride - pad + kernel).
  int hp = h + p.pad_h, wp = w + p.pad_w;
  int oh_begin = hp < KERNEL_H ? 0 : (hp - KERNEL_H) / STRIDE_H + 1;
  int ow_begin = wp < KERNEL_W ? 0 : (wp - KERNEL_W) / STRIDE_W + 1;
  int oh_end = min(hp / STRIDE_H + 1, p.out_height);
  int ow_end = min(wp / STRIDE_W + 1, p.out_width);

  float self = float(h * p.width + w);
  uint base = plane * uint(p.out_height * p.out_width);
  float sum = 0.0;
  for (int dh = 0; dh < WINDOWS_H; ++dh) {
    const int oh = oh_begin + dh;
    if (oh >= oh_end) continue;
    for (int dw = 0; dw < WINDOWS_W; ++dw) {
      const int ow = ow_begin + dw;
      if (ow >= ow_end) continue;
      uint o = base + uint(oh * p.out_width + ow);
      if (READ_ARGMAX(o) == self) sum += READ_DY(o);
    }
  }
  dx[i] = ACCUMULATES ? sum + p.beta * dx[i] : sum;
}
