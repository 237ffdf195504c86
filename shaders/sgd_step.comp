#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One SGD-with-momentum update of a parameter tensor (conventions in core/optim.h).
layout(std430, binding = 0) readonly buffer G { float g[]; };
layout(std430, binding = 1) buffer W { float w[]; };
layout(std430, binding = 2) buffer V { float v[]; };
layout(push_constant) uniform Push {
  uint count;
  float learning_rate;
  float momentum;
  float weight_decay;
  uint caffe_convention;
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  float direction = g[i] + p.weight_decay * w[i];
  if (p.caffe_convention != 0u) {
    v[i] = p.momentum * v[i] + p.learning_rate * direction;
    w[i] -= v[i];
  } else {
    v[i] = p.momentum * v[i] + direction;
    w[i] -= p.learning_rate * v[i];
  }
}
