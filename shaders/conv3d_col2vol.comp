#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// The adjoint of conv3d_vol2col: dx = (sum of the column entries each input voxel
// was copied to) + bias[channel] + beta * dx, over the chunk's images and, within
// them, only the output depths [first_depth, first_depth + depths) the columns
// hold (later depth slices of the same image add with beta = 1 and no bias).
// One invocation owns one input row (image, channel, id, ih) and is its only
// writer: no atomics, and a fixed summation order (beta * dx, bias, then kernel
// taps kd, kh, kw in order), so results are reproducible.
layout(std430, binding = 0) readonly buffer Columns { float columns[]; };
layout(std430, binding = 1) readonly buffer Bias { float bias[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint images, channels, in_d, in_h, in_w;
  uint kernel_d, kernel_h, kernel_w;
  uint stride_d, stride_h, stride_w;
  int pad_d, pad_h, pad_w;
  uint dilation_d, dilation_h, dilation_w;
  uint out_d, out_h, out_w;
  uint first_depth, depths;  // the output depths the columns hold
  uint x_offset;             // elements of dx before the chunk's first image
  float beta;                // 0 overwrites dx, 1 adds to it
  uint has_bias;             // 1: start from bias[channel] (transposed convolution forward)
} p;

// The output index o that read input index i through kernel tap k, if any:
// o * stride = i + pad - k * dilation, with first <= o < first + count.
bool output_of(uint i, int pad, uint k, uint dilation, uint stride, uint first, uint count, out uint o) {
  const int t = int(i) + pad - int(k * dilation);
  if (t < 0 || t % int(stride) != 0) return false;
  o = uint(t) / stride;
  return o >= first && o < first + count;
}

void main() {
  const uint index = linear_index();  // (image, channel, id, ih) of the chunk
  if (index >= p.images * p.channels * p.in_d * p.in_h) return;
  const uint ih = index % p.in_h;
  const uint id = (index / p.in_h) % p.in_d;
  const uint channel = (index / (p.in_h * p.in_d)) % p.channels;
  const uint image = index / (p.in_h * p.in_d * p.channels);
  const uint rows = p.channels * p.kernel_d * p.kernel_h * p.kernel_w;
  const uint slice_positions = p.depths * p.out_h * p.out_w;
  const uint row_base = p.x_offset + index * p.in_w;

  const float start = p.has_bias != 0u ? bias[channel] : 0.0;
  for (uint iw = 0; iw < p.in_w; ++iw) {
    dx[row_base + iw] = p.beta == 0.0 ? start : p.beta * dx[row_base + iw] + start;
  }

  for (uint kd = 0; kd < p.kernel_d; ++kd) {
    uint od;
    if (!output_of(id, p.pad_d, kd, p.dilation_d, p.stride_d, p.first_depth, p.depths, od)) continue;
    for (uint kh = 0; kh < p.kernel_h; ++kh) {
      uint oh;
      if (!output_of(ih, p.pad_h, kh, p.dilation_h, p.stride_h, 0u, p.out_h, oh)) continue;
      for (uint kw = 0; kw < p.kernel_w; ++kw) {
        const uint row = ((channel * p.kernel_d + kd) * p.kernel_h + kh) * p.kernel_w + kw;
        uint source = (image * rows + row) * slice_positions + ((od - p.first_depth) * p.out_h + oh) * p.out_w;
        int iw = int(kw * p.dilation_w) - p.pad_w;  // input column read by output column 0
        for (uint ow = 0; ow < p.out_w; ++ow, ++source, iw += int(p.stride_w)) {
          if (iw >= 0 && iw < int(p.in_w)) dx[row_base + uint(iw)] += columns[source];
        }
      }
    }
  }
}
