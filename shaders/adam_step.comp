#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One Adam/AdamW update of a parameter tensor (formulas and conventions in core/adam.h),
// in PyTorch's order: decay, moments, then w -= step_size * m / (sqrt(v) / sqrt(bc2) + eps).
layout(std430, binding = 0) readonly buffer G { float g[]; };
layout(std430, binding = 1) buffer W { float w[]; };
layout(std430, binding = 2) buffer M { float m[]; };
layout(std430, binding = 3) buffer V { float v[]; };
layout(push_constant) uniform Push {
  uint count;
  float beta1;
  float beta2;
  float eps;
  float step_size;              // lr / (1 - beta1^t)
  float bias_correction2_sqrt;  // sqrt(1 - beta2^t)
  float l2_decay;               // coupled: added to the gradient
  float decoupled_shrink;       // lr * weight_decay: AdamW's direct shrink
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float weight = w[i];
  float grad = g[i] + p.l2_decay * weight;
  weight *= 1.0 - p.decoupled_shrink;
  float first = p.beta1 * m[i] + (1.0 - p.beta1) * grad;
  float second = p.beta2 * v[i] + (1.0 - p.beta2) * (grad * grad);
  m[i] = first;
  v[i] = second;
  w[i] = weight - p.step_size * (first / (sqrt(second) / p.bias_correction2_sqrt + p.eps));
}
