#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Unfolds a chunk of volumes into GEMM columns. A chunk is `images` whole images,
// or, for one image, the output depths [first_depth, first_depth + depths). For
// image n of the chunk and local output depth l (od = first_depth + l):
//   columns[n][row][(l * OH + oh) * OW + ow] = x[n][c][id][ih][iw],
//   row = ((c * KD + kd) * KH + kh) * KW + kw, id = od * stride_d - pad_d + kd * dilation_d
// (likewise ih, iw), and 0 where (id, ih, iw) lies in the padding.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Columns { float columns[]; };
layout(push_constant) uniform Push {
  uint images, channels, in_d, in_h, in_w;
  uint kernel_d, kernel_h, kernel_w;
  uint stride_d, stride_h, stride_w;
  int pad_d, pad_h, pad_w;
  uint dilation_d, dilation_h, dilation_w;
  uint out_d, out_h, out_w;
  uint first_depth, depths;  // the chunk's output depths
  uint x_offset;             // elements before the chunk's first image
  float beta;                // unused here; the block is shared with conv3d_col2vol
  uint has_bias;             // unused here
} p;

// One invocation per (image, row, local output depth, output row oh) fills the
// out_w consecutive columns of that output row, so the index arithmetic (integer
// division is slow on CPU drivers) is paid once per row, not per element.
void main() {
  const uint kernel_area = p.kernel_h * p.kernel_w;
  const uint rows = p.channels * p.kernel_d * kernel_area;
  const uint index = linear_index();
  if (index >= p.images * rows * p.depths * p.out_h) return;
  const uint oh = index % p.out_h;
  const uint local_depth = (index / p.out_h) % p.depths;
  const uint row = (index / (p.out_h * p.depths)) % rows;
  const uint image = index / (p.out_h * p.depths * rows);
  const uint kw = row % p.kernel_w, kh = (row / p.kernel_w) % p.kernel_h;
  const uint kd = (row / kernel_area) % p.kernel_d, channel = row / (kernel_area * p.kernel_d);

  const int id = int((p.first_depth + local_depth) * p.stride_d + kd * p.dilation_d) - p.pad_d;
  const int ih = int(oh * p.stride_h + kh * p.dilation_h) - p.pad_h;
  const bool row_inside = id >= 0 && id < int(p.in_d) && ih >= 0 && ih < int(p.in_h);
  // Padding reads a clamped, in-bounds voxel and discards it: no branch around the load.
  const uint clamped_id = uint(clamp(id, 0, int(p.in_d) - 1));
  const uint clamped_ih = uint(clamp(ih, 0, int(p.in_h) - 1));
  const uint source =
      p.x_offset + (((image * p.channels + channel) * p.in_d + clamped_id) * p.in_h + clamped_ih) * p.in_w;
  uint target = index * p.out_w;
  int iw = int(kw * p.dilation_w) - p.pad_w;
  for (uint ow = 0; ow < p.out_w; ++ow, iw += int(p.stride_w), ++target) {
    const float value = x[source + uint(clamp(iw, 0, int(p.in_w) - 1))];
    columns[target] = row_inside && iw >= 0 && iw < int(p.in_w) ? value : 0.0;
  }
}
