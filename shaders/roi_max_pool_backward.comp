#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx of RoI max pooling without atomics: one invocation per element of x gathers
// dy of every (RoI, bin) whose argmax it was, RoIs and bins in increasing order,
// so the sum has one writer and a fixed order (bit-reproducible). Bins that do not
// contain the element are skipped by their bounds before argmax is read.
layout(std430, binding = 0) readonly buffer Argmax { float argmax[]; };
layout(std430, binding = 1) readonly buffer Rois { float rois[]; };
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) buffer DX { float dx[]; };
DECLARE_ACCUMULATES(3);
#include "roi_bins.glsl"  // after Rois, which it reads

void main() {
  const uint i = linear_index();  // ((n * C + c) * H + h) * W + w
  if (i >= p.count) return;
  const uint w = i % p.width, h = (i / p.width) % p.height;
  const uint c = (i / (p.width * p.height)) % p.channels, n = i / (p.width * p.height * p.channels);
  const float here = float(h * p.width + w);
  float sum = 0.0;
  for (uint r = 0; r < p.rois; ++r) {
    const RoiBox box = roi_box(r);
    if (!box.valid || box.batch != n) continue;
    for (uint ph = 0; ph < p.pooled_h; ++ph) {
      const ivec2 hs = bin_range(ph, box.start_h, box.bin_h, p.height);
      if (int(h) < hs.x || int(h) >= hs.y) continue;
      for (uint pw = 0; pw < p.pooled_w; ++pw) {
        const ivec2 ws = bin_range(pw, box.start_w, box.bin_w, p.width);
        if (int(w) < ws.x || int(w) >= ws.y) continue;
        const uint o = ((r * p.channels + c) * p.pooled_h + ph) * p.pooled_w + pw;
        if (argmax[o] == here) sum += dy[o];
      }
    }
  }
  dx[i] = ACCUMULATES ? sum + p.beta * dx[i] : sum;
}
