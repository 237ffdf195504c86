#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of 3-D max pooling as a gather: one invocation per input voxel visits
// every output window that can contain it and sums dy where that window's saved
// argmax is this voxel. Fixed loop order, no atomics: reproducible.
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) readonly buffer Argmax { uint argmax[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  int planes, in_d, in_h, in_w, out_d, out_h, out_w;  // planes = N * C
  int kernel_d, kernel_h, kernel_w, stride_d, stride_h, stride_w, pad_d, pad_h, pad_w;
  uint count;              // invocations that do work
  float beta;              // 0 overwrites dx, 1 adds to it
  uint count_include_pad;  // average pooling only
} p;

// The outputs [begin, end) whose windows [o * stride - pad, + kernel) contain input i.
ivec2 windows_containing(int i, int kernel, int stride, int pad, int outputs) {
  const int shifted = i + pad;
  const int begin = shifted < kernel ? 0 : (shifted - kernel) / stride + 1;
  return ivec2(begin, min(shifted / stride + 1, outputs));
}

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const int w = int(i % uint(p.in_w));
  const int h = int((i / uint(p.in_w)) % uint(p.in_h));
  const int d = int((i / uint(p.in_w * p.in_h)) % uint(p.in_d));
  const uint plane = i / uint(p.in_w * p.in_h * p.in_d);

  const ivec2 ds = windows_containing(d, p.kernel_d, p.stride_d, p.pad_d, p.out_d);
  const ivec2 hs = windows_containing(h, p.kernel_h, p.stride_h, p.pad_h, p.out_h);
  const ivec2 ws = windows_containing(w, p.kernel_w, p.stride_w, p.pad_w, p.out_w);
  const uint self = uint((d * p.in_h + h) * p.in_w + w);
  const uint base = plane * uint(p.out_d * p.out_h * p.out_w);
  float sum = 0.0;
  for (int od = ds.x; od < ds.y; ++od) {
    for (int oh = hs.x; oh < hs.y; ++oh) {
      for (int ow = ws.x; ow < ws.y; ++ow) {
        const uint o = base + uint((od * p.out_h + oh) * p.out_w + ow);
        if (argmax[o] == self) sum += dy[o];
      }
    }
  }
  dx[i] = p.beta == 0.0 ? sum : sum + p.beta * dx[i];
}
