#version 450
// variant: conv2d_col2im_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "column_lanes.glsl"
// The adjoint of conv2d_im2col: dx = (sum of the column entries each input pixel
// was copied to) + beta * dx. One invocation per input pixel gathers its own
// entries, so there are no atomics and the order is fixed: beta * dx first,
// then kernel positions (kh, kw) in increasing order. Grid: x = input position
// ih * width + iw, y = plane (image, channel) of the chunk.
//
// Output position oh used input row ih through kernel row kh when
// oh * stride_h = ih + pad_h - kh * dilation_h; the quotient comes from a float
// reciprocal and is checked by multiplying back (no integer division, which is
// slow on CPU drivers). Reads go through a texel buffer where possible.
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer Columns { float columns[]; };
#define READ_COLUMN(i) columns[i]
#else
layout(binding = 0) uniform samplerBuffer column_texels;
#define READ_COLUMN(i) texelFetch(column_texels, int(i)).r
#endif
layout(std430, binding = 1) buffer DX { float dx[]; };
// The kernel geometry is compiled in (one pipeline per kernel shape), so that
// the loops over kernel taps unroll with constant offsets.
layout(constant_id = 3) const uint KERNEL_H = 1;
layout(constant_id = 4) const uint KERNEL_W = 1;
layout(constant_id = 5) const uint STRIDE_H = 1;
layout(constant_id = 6) const uint STRIDE_W = 1;
layout(constant_id = 7) const uint DILATION_H = 1;
layout(constant_id = 8) const uint DILATION_W = 1;
DECLARE_ACCUMULATES(9);
layout(push_constant) uniform Push {
  uint planes, height, width;
  uint kernel_h, kernel_w, stride_h, stride_w;  // as the constants above
  int pad_h, pad_w;
  uint dilation_h, dilation_w, out_h, out_w;
  uint x_offset;  // elements of dx before the chunk's first image
  float beta;
  float inv_out_w;  // conv2d_im2col only
  float inv_stride_h, inv_stride_w, inv_width;
  uint channels, row_length;  // row_length: of the columns' rows (conv2d_im2col.comp)
  float inv_channels;
} p;

// t / stride when stride divides t and the quotient is below `limit`, else `limit`.
uint exact_quotient(int t, uint stride, float inv_stride, uint limit) {
  if (t < 0) return limit;
  const uint q = uint(float(t) * inv_stride + 0.5);
  return q * stride == uint(t) && q < limit ? q : limit;
}

void main() {
  const ColumnLanes lanes = column_lanes();
  const uint position = lanes.position;  // ih * width + iw
  if (position >= p.height * p.width) return;
  uint ih = uint(float(position) * p.inv_width);
  if (ih * p.width > position) ih -= 1u;
  if ((ih + 1u) * p.width <= position) ih += 1u;
  const uint iw = position - ih * p.width;
  const uint taps = KERNEL_H * KERNEL_W;

  for (uint plane = lanes.first_plane; plane < p.planes; plane += lanes.plane_step) {
    const uint target = p.x_offset + plane * p.height * p.width + position;
    float sum = 0.0;
    if (ACCUMULATES) sum = p.beta * dx[target];
    uint source = plane * taps * p.row_length;  // row (plane, kh = 0, kw = 0) of the columns
    for (uint kh = 0; kh < KERNEL_H; ++kh) {
      const int th = int(ih) + p.pad_h - int(kh * DILATION_H);
      const uint oh = exact_quotient(th, STRIDE_H, 1.0 / float(STRIDE_H), p.out_h);
      for (uint kw = 0; kw < KERNEL_W; ++kw, source += p.row_length) {
        const int tw = int(iw) + p.pad_w - int(kw * DILATION_W);
        const uint ow = exact_quotient(tw, STRIDE_W, 1.0 / float(STRIDE_W), p.out_w);
        if (oh < p.out_h && ow < p.out_w) sum += READ_COLUMN(source + oh * p.out_w + ow);
      }
    }
    dx[target] = sum;
  }
}
