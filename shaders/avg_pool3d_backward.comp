#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of 3-D average pooling as a gather: one invocation per input voxel sums
// dy / divisor over every output window containing it (the forward's divisor).
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  int planes, in_d, in_h, in_w, out_d, out_h, out_w;  // planes = N * C
  int kernel_d, kernel_h, kernel_w, stride_d, stride_h, stride_w, pad_d, pad_h, pad_w;
  uint count;              // invocations that do work
  float beta;              // 0 overwrites dx, 1 adds to it
  uint count_include_pad;  // 1: divide by the full window, 0: by the voxels inside the volume
} p;

// The outputs [begin, end) whose windows [o * stride - pad, + kernel) contain input i.
ivec2 windows_containing(int i, int kernel, int stride, int pad, int outputs) {
  const int shifted = i + pad;
  const int begin = shifted < kernel ? 0 : (shifted - kernel) / stride + 1;
  return ivec2(begin, min(shifted / stride + 1, outputs));
}

// Voxels of window o inside [0, size) along one axis.
int inside(int o, int kernel, int stride, int pad, int size) {
  const int start = o * stride - pad;
  return min(start + kernel, size) - max(start, 0);
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
  const bool full = p.count_include_pad != 0u;
  const uint base = plane * uint(p.out_d * p.out_h * p.out_w);
  float sum = 0.0;
  for (int od = ds.x; od < ds.y; ++od) {
    const int depth_count = full ? p.kernel_d : inside(od, p.kernel_d, p.stride_d, p.pad_d, p.in_d);
    for (int oh = hs.x; oh < hs.y; ++oh) {
      const int row_count = full ? p.kernel_h : inside(oh, p.kernel_h, p.stride_h, p.pad_h, p.in_h);
      for (int ow = ws.x; ow < ws.y; ++ow) {
        const int column_count = full ? p.kernel_w : inside(ow, p.kernel_w, p.stride_w, p.pad_w, p.in_w);
        sum += dy[base + uint((od * p.out_h + oh) * p.out_w + ow)] / float(depth_count * row_count * column_count);
      }
    }
  }
  dx[i] = p.beta == 0.0 ? sum : sum + p.beta * dx[i];
}
