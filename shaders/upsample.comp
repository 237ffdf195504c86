#version 450
// variant: upsample_nearest_vec4 -DNEAREST_VEC4=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Upsampling by integer factors per axis, one invocation per output element; a
// 2-D input is a volume of depth 1 with depth factor 1.
//   nearest (linear == 0): out[o] = in[o / factor] per axis;
//   linear: PyTorch's align_corners = false sampling, trilinear over (d, h, w).
// The _nearest_vec4 variant (nearest, output rows a multiple of 4 long) writes
// four consecutive outputs of a row per invocation as one vec4 (CPU drivers
// store per lane); `count` is then in fours.
layout(std430, binding = 0) readonly buffer X { float x[]; };
#ifdef NEAREST_VEC4
layout(std430, binding = 1) writeonly buffer Y { vec4 y[]; };
#else
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
#endif
layout(push_constant) uniform Push {
  // core fast_divisor of the sizes and factors: no integer divide per element
  uvec2 in_w_divisor, in_h_divisor, in_d_divisor, out_w_divisor, out_h_divisor, out_d_divisor;
  uvec2 factor_w_divisor, factor_h_divisor, factor_d_divisor;
  uint planes, in_d, in_h, in_w;
  uint factor_d, factor_h, factor_w;
  uint linear;  // 0: nearest, 1: (bi/tri)linear
  uint count;   // invocations that do work
  float beta;   // backward only: 0 overwrites dx, 1 adds to it
} p;

// The two input indices output o interpolates between, and the weight of the second.
void sample_at(uint o, uint factor, uint size, out uint i0, out uint i1, out float lambda) {
  const float src = max((float(o) + 0.5) / float(factor) - 0.5, 0.0);
  i0 = min(uint(src), size - 1u);
  i1 = min(i0 + 1u, size - 1u);
  lambda = src - float(i0);
}

#ifdef NEAREST_VEC4
void main() {
  const uint quad = linear_index();
  if (quad >= p.count) return;
  const uint out_w = p.in_w * p.factor_w, out_h = p.in_h * p.factor_h, out_d = p.in_d * p.factor_d;
  const uint i = quad * 4u;  // the quad's first output; all four lie in one row
  const uint rows = fast_divide(i, p.out_w_divisor.x, p.out_w_divisor.y);  // (plane, od, oh)
  const uint ow = i - rows * out_w;
  const uint slices = fast_divide(rows, p.out_h_divisor.x, p.out_h_divisor.y);  // (plane, od)
  const uint oh = rows - slices * out_h;
  const uint plane = fast_divide(slices, p.out_d_divisor.x, p.out_d_divisor.y);
  const uint od = slices - plane * out_d;
  const uint id = fast_divide(od, p.factor_d_divisor.x, p.factor_d_divisor.y);
  const uint ih = fast_divide(oh, p.factor_h_divisor.x, p.factor_h_divisor.y);
  const uint row = ((plane * p.in_d + id) * p.in_h + ih) * p.in_w;
  vec4 value;
  for (uint j = 0; j < 4u; ++j) value[j] = x[row + fast_divide(ow + j, p.factor_w_divisor.x, p.factor_w_divisor.y)];
  y[quad] = value;
}
#else
void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const uint out_w = p.in_w * p.factor_w, out_h = p.in_h * p.factor_h, out_d = p.in_d * p.factor_d;
  const uint rows = fast_divide(i, p.out_w_divisor.x, p.out_w_divisor.y);  // (plane, od, oh)
  const uint ow = i - rows * out_w;
  const uint slices = fast_divide(rows, p.out_h_divisor.x, p.out_h_divisor.y);  // (plane, od)
  const uint oh = rows - slices * out_h;
  const uint plane = fast_divide(slices, p.out_d_divisor.x, p.out_d_divisor.y);
  const uint od = slices - plane * out_d;
  const uint base = plane * p.in_d * p.in_h * p.in_w;
  if (p.linear == 0u) {
    const uint id = fast_divide(od, p.factor_d_divisor.x, p.factor_d_divisor.y);
    const uint ih = fast_divide(oh, p.factor_h_divisor.x, p.factor_h_divisor.y);
    const uint iw = fast_divide(ow, p.factor_w_divisor.x, p.factor_w_divisor.y);
    y[i] = x[base + (id * p.in_h + ih) * p.in_w + iw];
    return;
  }
  uint d[2], h[2], w[2];
  float ld, lh, lw;
  sample_at(od, p.factor_d, p.in_d, d[0], d[1], ld);
  sample_at(oh, p.factor_h, p.in_h, h[0], h[1], lh);
  sample_at(ow, p.factor_w, p.in_w, w[0], w[1], lw);
  const float wd[2] = float[2](1.0 - ld, ld), wh[2] = float[2](1.0 - lh, lh), ww[2] = float[2](1.0 - lw, lw);
  float sum = 0.0;
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 2; ++b) {
      const uint row = base + (d[a] * p.in_h + h[b]) * p.in_w;
      sum += wd[a] * wh[b] * (ww[0] * x[row + w[0]] + ww[1] * x[row + w[1]]);
    }
  }
  y[i] = sum;
}
#endif
