#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One RMSProp update of a parameter tensor (formulas and conventions in core/rmsprop.h).
layout(std430, binding = 0) readonly buffer G { float g[]; };
layout(std430, binding = 1) buffer W { float w[]; };
layout(std430, binding = 2) buffer V { float v[]; };
layout(push_constant) uniform Push {
  uint count;
  float rho;
  float eps;
  float learning_rate;
  float weight_decay;
  float momentum;  // rmsprop_nesterov_step only
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float weight = w[i];
  float grad = g[i] + p.weight_decay * weight;
  float mean_square = p.rho * v[i] + (1.0 - p.rho) * (grad * grad);
  v[i] = mean_square;
  w[i] = weight - p.learning_rate * grad / (sqrt(mean_square) + p.eps);
}
