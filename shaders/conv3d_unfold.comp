#version 450
// variant: conv3d_unfold_storage -DSTORAGE_READS=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "column_lanes.glsl"
// Unfolds volumes into depth slabs of 2-D columns, so that one GEMM per image
// covers every kernel tap along depth (core/ops/conv3d.cpp, "slab" path). Slab s
// of an image holds input depth id = first_depth + s (zeros outside the volume):
//   slabs[image][s][(channel * KH + kh) * KW + kw][oh * OW + ow] = x[image][channel][id][ih][iw]
// with ih = oh * stride_h - pad_h + kh * dilation_h (likewise iw), 0 in the
// padding, rows padded to row_length (a multiple of 4, the padding left
// unwritten). Output depth od then reads KD consecutive slabs, from
// od * stride_d - pad_d on: as rows (kd, channel, kh, kw) they are one matrix
// with a row stride of row_length, so the GEMM's k runs over all taps at once.
//
// Grid as in conv2d_im2col (shaders/column_lanes.glsl): x = a quad of four
// consecutive output positions of a slice, y = plane (image, channel, slab). A
// quad is stored as one vec4 per tap (CPU drivers store per lane, so four values
// per store instead of one; the last quad's surplus lanes repeat the last
// position into the row's padding). Reads go through a texel buffer where
// possible; the _storage variant is the fallback.
#ifdef STORAGE_READS
layout(std430, binding = 0) readonly buffer X { float x[]; };
#define READ_X(i) x[i]
#else
layout(binding = 0) uniform samplerBuffer x_texels;
#define READ_X(i) texelFetch(x_texels, int(i)).r
#endif
layout(std430, binding = 1) writeonly buffer Slabs { vec4 slabs[]; };
layout(constant_id = 3) const uint KERNEL_H = 1;
layout(constant_id = 4) const uint KERNEL_W = 1;
layout(constant_id = 5) const uint STRIDE_H = 1;
layout(constant_id = 6) const uint STRIDE_W = 1;
layout(constant_id = 7) const uint DILATION_H = 1;
layout(constant_id = 8) const uint DILATION_W = 1;
layout(push_constant) uniform Push {
  uvec2 slabs_divisor, channels_divisor, out_w_divisor;  // core fast_divisor of slabs, channels, out_w
  uint planes;  // images * channels * slabs
  uint slabs, channels, in_d, in_h, in_w;
  int first_depth;  // input depth of slab 0 (negative inside the front padding)
  int pad_h, pad_w;
  uint out_h, out_w, row_length;  // row_length: a multiple of 4
  uint x_offset;  // elements before the first image
} p;

void main() {
  const ColumnLanes lanes = column_lanes();
  const uint quad = lanes.position;
  const uint positions = p.out_h * p.out_w;
  if (quad * 4u >= positions) return;
  ivec4 ih0, iw0;
  for (uint j = 0; j < 4u; ++j) {
    const uint position = min(quad * 4u + j, positions - 1u);  // oh * out_w + ow
    const uint oh = fast_divide(position, p.out_w_divisor.x, p.out_w_divisor.y);
    ih0[j] = int(oh * STRIDE_H) - p.pad_h;
    iw0[j] = int((position - oh * p.out_w) * STRIDE_W) - p.pad_w;
  }
  const uint taps = KERNEL_H * KERNEL_W, row_quads = p.row_length / 4u;
  const ivec4 last_h = ivec4(int(p.in_h) - 1), last_w = ivec4(int(p.in_w) - 1);

  for (uint plane = lanes.first_plane; plane < p.planes; plane += lanes.plane_step) {
    // plane = (image * channels + channel) * slabs + slab
    const uint image_channel = fast_divide(plane, p.slabs_divisor.x, p.slabs_divisor.y);
    const uint slab = plane - image_channel * p.slabs;
    const uint image = fast_divide(image_channel, p.channels_divisor.x, p.channels_divisor.y);
    const uint channel = image_channel - image * p.channels;
    const int id = p.first_depth + int(slab);
    const bool slab_inside = id >= 0 && id < int(p.in_d);
    const int source =
        int(p.x_offset + (image_channel * p.in_d + uint(clamp(id, 0, int(p.in_d) - 1))) * p.in_h * p.in_w);
    uint target = ((image * p.slabs + slab) * p.channels + channel) * taps * row_quads + quad;
    for (uint kh = 0; kh < KERNEL_H; ++kh) {
      const ivec4 ih = ih0 + int(kh * DILATION_H);
      const uvec4 row_inside =
          uvec4(greaterThanEqual(ih, ivec4(0))) * uvec4(lessThanEqual(ih, last_h)) * uint(slab_inside);
      const ivec4 row = source + clamp(ih, ivec4(0), last_h) * int(p.in_w);
      for (uint kw = 0; kw < KERNEL_W; ++kw, target += row_quads) {
        const ivec4 iw = iw0 + int(kw * DILATION_W);
        // Padding reads a clamped, in-bounds voxel and discards it: no branch around the reads.
        const ivec4 at = row + clamp(iw, ivec4(0), last_w);
        const vec4 value = vec4(READ_X(at.x), READ_X(at.y), READ_X(at.z), READ_X(at.w));
        const uvec4 inside = row_inside * uvec4(greaterThanEqual(iw, ivec4(0))) * uvec4(lessThanEqual(iw, last_w));
        slabs[target] = mix(vec4(0.0), value, bvec4(inside));
      }
    }
  }
}
