#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of upsample as a gather: one invocation per input element sums dy over
// the outputs that read it, weighted as in the forward. Fixed order, no atomics.
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  // core fast_divisor of the sizes and factors: no integer divide per element
  uvec2 in_w_divisor, in_h_divisor, in_d_divisor, out_w_divisor, out_h_divisor, out_d_divisor;
  uvec2 factor_w_divisor, factor_h_divisor, factor_d_divisor;
  uint planes, in_d, in_h, in_w;
  uint factor_d, factor_h, factor_w;
  uint linear;  // 0: nearest, 1: (bi/tri)linear
  uint count;   // invocations that do work
  float beta;   // 0 overwrites dx, 1 adds to it
} p;
DECLARE_ACCUMULATES(3);

// Same sampling as the forward (shaders/upsample.comp).
void sample_at(uint o, uint factor, uint size, out uint i0, out uint i1, out float lambda) {
  const float src = max((float(o) + 0.5) / float(factor) - 0.5, 0.0);
  i0 = min(uint(src), size - 1u);
  i1 = min(i0 + 1u, size - 1u);
  lambda = src - float(i0);
}

// The weight output o gives input i along one axis (both taps may be i at the border).
float weight_of(uint o, uint i, uint factor, uint size) {
  uint i0, i1;
  float lambda;
  sample_at(o, factor, size, i0, i1, lambda);
  return (i0 == i ? 1.0 - lambda : 0.0) + (i1 == i ? lambda : 0.0);
}

// Outputs that may read input i along one axis: those sampling within (i - 1, i + 1),
// widened by one on each side against rounding, and clipped to the output.
uvec2 linear_range(uint i, uint factor, uint size) {
  const uint begin = i == 0u ? 0u : (i - 1u) * factor;
  return uvec2(begin, min((i + 2u) * factor, size * factor));
}

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const uint rows = fast_divide(i, p.in_w_divisor.x, p.in_w_divisor.y);  // (plane, d, h)
  const uint w = i - rows * p.in_w;
  const uint slices = fast_divide(rows, p.in_h_divisor.x, p.in_h_divisor.y);  // (plane, d)
  const uint h = rows - slices * p.in_h;
  const uint plane = fast_divide(slices, p.in_d_divisor.x, p.in_d_divisor.y);
  const uint d = slices - plane * p.in_d;
  const uint out_w = p.in_w * p.factor_w, out_h = p.in_h * p.factor_h, out_d = p.in_d * p.factor_d;
  const uint base = plane * out_d * out_h * out_w;
  float sum = 0.0;
  if (p.linear == 0u) {
    for (uint od = d * p.factor_d; od < (d + 1u) * p.factor_d; ++od) {
      for (uint oh = h * p.factor_h; oh < (h + 1u) * p.factor_h; ++oh) {
        const uint row = base + (od * out_h + oh) * out_w;
        for (uint ow = w * p.factor_w; ow < (w + 1u) * p.factor_w; ++ow) sum += dy[row + ow];
      }
    }
  } else {
    const uvec2 ds = linear_range(d, p.factor_d, p.in_d);
    const uvec2 hs = linear_range(h, p.factor_h, p.in_h);
    const uvec2 ws = linear_range(w, p.factor_w, p.in_w);
    for (uint od = ds.x; od < ds.y; ++od) {
      const float weight_d = weight_of(od, d, p.factor_d, p.in_d);
      if (weight_d == 0.0) continue;
      for (uint oh = hs.x; oh < hs.y; ++oh) {
        const float weight_dh = weight_d * weight_of(oh, h, p.factor_h, p.in_h);
        if (weight_dh == 0.0) continue;
        const uint row = base + (od * out_h + oh) * out_w;
        for (uint ow = ws.x; ow < ws.y; ++ow) {
          const float weight_w = weight_of(ow, w, p.factor_w, p.in_w);
          if (weight_w != 0.0) sum += weight_dh * weight_w * dy[row + ow];
        }
      }
    }
  }
  dx[i] = ACCUMULATES ? sum + p.beta * dx[i] : sum;
}
