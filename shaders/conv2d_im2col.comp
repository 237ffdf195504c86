#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Unfolds a chunk of images into GEMM columns: for image n of the chunk,
// columns[n][(c * KH + kh) * KW + kw][oh * OW + ow] = x[n][c][ih][iw] with
// ih = oh * stride_h - pad_h + kh * dilation_h (likewise iw), 0 in the padding.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Columns { float columns[]; };
layout(push_constant) uniform Push {
  uint images, channels, height, width;
  uint kernel_h, kernel_w, stride_h, stride_w;
  int pad_h, pad_w;
  uint dilation_h, dilation_w, out_h, out_w;
  uint x_offset;  // elements before the chunk's first image
  float beta;     // unused here; the struct is shared with conv2d_col2im
} p;

// One invocation per (image, row, output row oh) fills the out_w consecutive
// columns of that output row: the index arithmetic (integer division is slow on
// CPU drivers) is paid once per row, not per element.
void main() {
  const uint rows = p.channels * p.kernel_h * p.kernel_w;
  const uint index = linear_index();
  if (index >= p.images * rows * p.out_h) return;
  const uint oh = index % p.out_h;
  const uint row = (index / p.out_h) % rows;
  const uint image = index / (p.out_h * rows);
  const uint kw = row % p.kernel_w, kh = (row / p.kernel_w) % p.kernel_h, channel = row / (p.kernel_w * p.kernel_h);
  const int ih = int(oh * p.stride_h + kh * p.dilation_h) - p.pad_h;
  const bool row_inside = ih >= 0 && ih < int(p.height);
  // Padding reads a clamped, in-bounds pixel and discards it: no branch around the load.
  const uint clamped_ih = uint(clamp(ih, 0, int(p.height) - 1));
  const uint source = p.x_offset + ((image * p.channels + channel) * p.height + clamped_ih) * p.width;
  uint target = index * p.out_w;  // columns[image][row][oh * out_w]
  int iw = int(kw * p.dilation_w) - p.pad_w;
  for (uint ow = 0; ow < p.out_w; ++ow, iw += int(p.stride_w), ++target) {
    float value = x[source + uint(clamp(iw, 0, int(p.width) - 1))];
    columns[target] = row_inside && iw >= 0 && iw < int(p.width) ? value : 0.0;
  }
}
