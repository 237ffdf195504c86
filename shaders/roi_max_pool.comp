#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// RoI max pooling (Girshick 2015, Fast R-CNN; torchvision's roi_pool): for RoI r,
// channel c and bin (ph, pw), y = the maximum of x[batch(r), c] over the bin
// (0 for an empty bin), and argmax = the maximum's position h * W + w in its plane
// (-1 for an empty bin; the first in row order on ties), which backward reads.
// One invocation per output element.
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Rois { float rois[]; };  // [R, 5]: batch, x1, y1, x2, y2
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(std430, binding = 3) writeonly buffer Argmax { float argmax[]; };
#include "roi_bins.glsl"  // after Rois, which it reads

void main() {
  const uint i = linear_index();  // ((r * C + c) * PH + ph) * PW + pw
  if (i >= p.count) return;
  const uint pw = i % p.pooled_w, ph = (i / p.pooled_w) % p.pooled_h;
  const uint c = (i / (p.pooled_w * p.pooled_h)) % p.channels, r = i / (p.pooled_w * p.pooled_h * p.channels);
  const RoiBox box = roi_box(r);
  ivec2 hs = bin_range(ph, box.start_h, box.bin_h, p.height), ws = bin_range(pw, box.start_w, box.bin_w, p.width);
  if (!box.valid) hs = ivec2(0);
  const uint plane = (box.batch * p.channels + c) * p.height * p.width;
  float best = hs.y <= hs.x || ws.y <= ws.x ? 0.0 : -3.402823466e38;
  int where = -1;
  for (int h = hs.x; h < hs.y; ++h) {
    for (int w = ws.x; w < ws.y; ++w) {
      const int at = h * int(p.width) + w;
      const float v = x[plane + uint(at)];
      if (v > best) {
        best = v;
        where = at;
      }
    }
  }
  y[i] = best;
  argmax[i] = float(where);
}
