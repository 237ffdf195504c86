#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One update of DeepMedic's RMSProp with normalised Nesterov momentum (formulas in
// core/rmsprop.h): the mean square v, the momentum m and the weight w in place.
layout(std430, binding = 0) readonly buffer G { float g[]; };
layout(std430, binding = 1) buffer W { float w[]; };
layout(std430, binding = 2) buffer V { float v[]; };
layout(std430, binding = 3) buffer M { float m[]; };
layout(push_constant) uniform Push {
  uint count;
  float rho;
  float eps;
  float learning_rate;
  float weight_decay;
  float momentum;
} p;

void main() {
  const uint i = linear_index();
  if (i >= p.count) return;
  const float weight = w[i];
  const float grad = g[i] + p.weight_decay * weight;
  const float mean_square = p.rho * v[i] + (1.0 - p.rho) * (grad * grad);
  v[i] = mean_square;
  const float step = (1.0 - p.momentum) * p.learning_rate * grad / sqrt(mean_square + p.eps);
  const float velocity = p.momentum * m[i] - step;
  m[i] = velocity;
  w[i] = weight + p.momentum * velocity - step;
}
