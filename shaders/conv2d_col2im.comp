#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// The adjoint of conv2d_im2col: dx = (sum of the column entries each input pixel
// was copied to) + beta * dx. One invocation owns one input row (image, channel,
// ih) and is the only writer of its pixels, so there are no atomics and the
// summation order is fixed: beta * dx first, then kernel positions (kh, kw) in
// order. Owning a whole row lets the loops step through output positions with
// no integer division per element (slow on CPU drivers).
layout(std430, binding = 0) readonly buffer Columns { float columns[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint images, channels, height, width;
  uint kernel_h, kernel_w, stride_h, stride_w;
  int pad_h, pad_w;
  uint dilation_h, dilation_w, out_h, out_w;
  uint x_offset;  // elements of dx before the chunk's first image
  float beta;
} p;

void main() {
  const uint index = linear_index();  // (image, channel, ih) of the chunk
  if (index >= p.images * p.channels * p.height) return;
  const uint ih = index % p.height;
  const uint channel = (index / p.height) % p.channels;
  const uint image = index / (p.height * p.channels);
  const uint positions = p.out_h * p.out_w;
  const uint row_base = p.x_offset + index * p.width;

  for (uint iw = 0; iw < p.width; ++iw) dx[row_base + iw] = p.beta == 0.0 ? 0.0 : p.beta * dx[row_base + iw];

  for (uint kh = 0; kh < p.kernel_h; ++kh) {
    // Output row oh read input row ih through kernel row kh if oh * stride_h = ih + pad_h - kh * dilation_h.
    const int th = int(ih) + p.pad_h - int(kh * p.dilation_h);
    if (th < 0 || th % int(p.stride_h) != 0 || uint(th) / p.stride_h >= p.out_h) continue;
    const uint oh = uint(th) / p.stride_h;
    for (uint kw = 0; kw < p.kernel_w; ++kw) {
      const uint row = (channel * p.kernel_h + kh) * p.kernel_w + kw;
      uint source = (image * p.channels * p.kernel_h * p.kernel_w + row) * positions + oh * p.out_w;
      int iw = int(kw * p.dilation_w) - p.pad_w;  // input column read by output column 0
      for (uint ow = 0; ow < p.out_w; ++ow, ++source, iw += int(p.stride_w)) {
        if (iw >= 0 && iw < int(p.width)) dx[row_base + uint(iw)] += columns[source];
      }
    }
  }
}
