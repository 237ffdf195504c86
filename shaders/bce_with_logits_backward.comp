#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx of the mean BCE on logits, with dloss read on the device:
//   dx = (sigmoid(x) - t) / count * dloss                          (no pos_weight)
//   dx = ((1 - t) - (1 + (p - 1) t) sigmoid(-x)) / count * dloss     (pos_weight p)
// Each case is rearranged per sign of x so that only sigmoid(-|x|) = e / (1 + e), e = exp(-|x|),
// appears and nothing cancels for hard targets: with p = 1, x >= 0 gives (1 - t) - sigmoid(-x),
// whose tiny value at x = 20, t = 1 (-2e-9) would round to 0 as sigmoid(x) - 1.
//   x <  0: c sigmoid(x) - p t;   x >= 0: (1 - t) - c sigmoid(-x);   c = 1 + (p - 1) t.
// beta accumulates into dx.
layout(std430, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, binding = 1) readonly buffer Targets { float t[]; };
layout(std430, binding = 2) readonly buffer PosWeight { float pos_weight[]; };
layout(std430, binding = 3) readonly buffer DLoss { float dloss[]; };
layout(std430, binding = 4) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint count;
  uint labels;
  uint has_pos_weight;
  float inv_count;
  float beta;
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float v = x[i], target = t[i];
  float weight = p.has_pos_weight != 0u ? pos_weight[i % p.labels] : 1.0;
  float c = 1.0 + (weight - 1.0) * target;
  float e = exp(-abs(v));
  float small_sigmoid = e / (1.0 + e);  // sigmoid(-|x|)
  float derivative = v < 0.0 ? c * small_sigmoid - weight * target : (1.0 - target) - c * small_sigmoid;
  float value = derivative * (p.inv_count * dloss[0]);
  dx[i] = p.beta == 0.0 ? value : value + p.beta * dx[i];
}
