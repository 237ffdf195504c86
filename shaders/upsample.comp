#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Upsampling by integer factors per axis, one invocation per output element; a
// 2-D input is a volume of depth 1 with depth factor 1.
//   nearest (linear == 0): out[o] = in[o / factor] per axis;
//   linear: PyTorch's align_corners = false sampling, trilinear over (d, h, w).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
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

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const uint out_w = p.in_w * p.factor_w, out_h = p.in_h * p.factor_h, out_d = p.in_d * p.factor_d;
  const uint ow = i % out_w;
  const uint oh = (i / out_w) % out_h;
  const uint od = (i / (out_w * out_h)) % out_d;
  const uint plane = i / (out_w * out_h * out_d);
  const uint base = plane * p.in_d * p.in_h * p.in_w;
  if (p.linear == 0u) {
    y[i] = x[base + ((od / p.factor_d) * p.in_h + oh / p.factor_h) * p.in_w + ow / p.factor_w];
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
