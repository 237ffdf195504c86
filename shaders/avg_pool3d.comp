#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// 3-D average pooling, one invocation per output element: the sum over the
// window's voxels inside the volume divided by the full window volume
// (count_include_pad, PyTorch's default) or by the number of voxels summed.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
  int planes, in_d, in_h, in_w, out_d, out_h, out_w;  // planes = N * C
  int kernel_d, kernel_h, kernel_w, stride_d, stride_h, stride_w, pad_d, pad_h, pad_w;
  uint count;              // invocations that do work
  float beta;              // backward: 0 overwrites dx, 1 adds to it
  uint count_include_pad;  // 1: divide by the full window, 0: by the voxels inside the volume
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
  float sum = 0.0;
  for (int d = d_begin; d < d1; ++d) {
    for (int h = h_begin; h < h1; ++h) {
      uint index = base + uint((d * p.in_h + h) * p.in_w + w_begin);
      for (int w = w_begin; w < w1; ++w, ++index) sum += x[index];
    }
  }
  const int divisor = p.count_include_pad != 0u ? p.kernel_d * p.kernel_h * p.kernel_w
                                                : (d1 - d_begin) * (h1 - h_begin) * (w1 - w_begin);
  y[i] = sum / float(divisor);
}
