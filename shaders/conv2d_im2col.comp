#version 450
// variant: conv2d_im2col_storage -DSTORAGE_READS=1
// variant: conv2d_im2row -DROWS_OF_POSITIONS=1
// variant: conv2d_im2row_storage -DROWS_OF_POSITIONS=1 -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "column_lanes.glsl"
// Unfolds a chunk of images into GEMM columns: for plane (image, channel) of the
// chunk and output position (oh, ow),
//   columns[(plane * KH + kh) * KW + kw][oh * OW + ow] = x[plane][ih][iw]
// with ih = oh * stride_h - pad_h + kh * dilation_h (likewise iw), 0 in the padding,
// rows padded to row_length (OH * OW rounded up to a multiple of 4, the padding
// left unwritten), so that the GEMM reads them four values at a time.
// The _im2row variants write the transpose, one row per output position:
//   rows[image][oh * OW + ow][(channel * KH + kh) * KW + kw], rows padded to
//   row_length (a multiple of 4, the padding left unwritten),
// which the weight-gradient GEMM reads four values at a time along its columns.
//
// Grid: x = output position, y = plane (a grid-stride loop past the device's
// limit), so neighbouring invocations write neighbouring columns and nothing is
// divided per element except one float-reciprocal split of the position. Reads
// go through a texel buffer (a vector gather on CPU drivers, where a storage
// read with per-invocation addresses is a scalar loop); the _storage variant is
// the fallback for inputs beyond maxTexelBufferElements.
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
#define READ_X(i) x[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
#define READ_X(i) texelFetch(x_texels, int(i)).r
#endif
layout(std430, binding = 1) writeonly buffer Columns { float columns[]; };
// The kernel geometry is compiled in (one pipeline per kernel shape), so that
// the loops over kernel taps unroll with constant offsets.
layout(constant_id = 3) const uint KERNEL_H = 1;
layout(constant_id = 4) const uint KERNEL_W = 1;
layout(constant_id = 5) const uint STRIDE_H = 1;
layout(constant_id = 6) const uint STRIDE_W = 1;
layout(constant_id = 7) const uint DILATION_H = 1;
layout(constant_id = 8) const uint DILATION_W = 1;
layout(push_constant) uniform Push {
  uint planes, height, width;
  uint kernel_h, kernel_w, stride_h, stride_w;  // as the constants above
  int pad_h, pad_w;
  uint dilation_h, dilation_w, out_h, out_w;
  uint x_offset;      // elements before the chunk's first image
  float beta;         // conv2d_col2im only
  float inv_out_w;    // 1 / out_w
  float inv_stride_h, inv_stride_w, inv_width;  // conv2d_col2im only
  uint channels, row_length;                    // row_length: of the columns' rows
  float inv_channels;
} p;

void main() {
  const ColumnLanes lanes = column_lanes();
  const uint position = lanes.position;  // oh * out_w + ow
  const uint positions = p.out_h * p.out_w;
  if (position >= positions) return;
  // position / out_w from a float quotient (exact enough for any image size here), corrected by one step.
  uint oh = uint(float(position) * p.inv_out_w);
  if (oh * p.out_w > position) oh -= 1u;
  if ((oh + 1u) * p.out_w <= position) oh += 1u;
  const uint ow = position - oh * p.out_w;
  const int ih0 = int(oh * STRIDE_H) - p.pad_h, iw0 = int(ow * STRIDE_W) - p.pad_w;
  const uint taps = KERNEL_H * KERNEL_W;

  for (uint plane = lanes.first_plane; plane < p.planes; plane += lanes.plane_step) {
    const uint source = p.x_offset + plane * p.height * p.width;
#ifdef ROWS_OF_POSITIONS
    // plane = image * channels + channel, split like the position above.
    uint image = uint(float(plane) * p.inv_channels);
    if (image * p.channels > plane) image -= 1u;
    if ((image + 1u) * p.channels <= plane) image += 1u;
    const uint channel = plane - image * p.channels;
    uint target = (image * positions + position) * p.row_length + channel * taps;
    const uint step = 1u;
#else
    uint target = plane * taps * p.row_length + position;
    const uint step = p.row_length;
#endif
    for (uint kh = 0; kh < KERNEL_H; ++kh) {
      const int ih = ih0 + int(kh * DILATION_H);
      const bool row_inside = ih >= 0 && ih < int(p.height);
      const uint row = source + uint(clamp(ih, 0, int(p.height) - 1)) * p.width;
      for (uint kw = 0; kw < KERNEL_W; ++kw, target += step) {
        const int iw = iw0 + int(kw * DILATION_W);
        // Padding reads a clamped, in-bounds pixel and discards it: no branch around the read.
        const float value = READ_X(row + uint(clamp(iw, 0, int(p.width) - 1)));
        columns[target] = row_inside && iw >= 0 && iw < int(p.width) ? value : 0.0;
      }
    }
  }
}
