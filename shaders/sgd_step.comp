#version 450
// variant: sgd_step_vec4 -DVEC4=1
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One SGD-with-momentum update of a parameter tensor (conventions in core/optim.h).
// Memory-bound: the _vec4 variant moves four floats per invocation and reads the
// gradient through a texel buffer (vector loads on CPU drivers); the plain
// variant serves tensors whose size is not a multiple of four.
#ifdef VEC4
#define VALUE vec4
layout(binding = 0) uniform samplerBuffer g_texels;
#define READ_G(i) texelFetch(g_texels, int(i))
#else
#define VALUE float
layout(std430, binding = 0) readonly buffer G { float g[]; };
#define READ_G(i) g[i]
#endif
layout(std430, binding = 1) buffer W { VALUE w[]; };
layout(std430, binding = 2) buffer V { VALUE v[]; };
layout(push_constant) uniform Push {
  uint count;  // floats, or vec4s in the _vec4 variant
  float learning_rate;
  float momentum;
  float weight_decay;
  uint caffe_convention;
  float l1;  // g += l1 * sign(w)
} p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  VALUE weight = w[i];
  VALUE direction = READ_G(i) + p.weight_decay * weight + p.l1 * sign(weight);
  VALUE velocity = v[i];
  if (p.caffe_convention != 0u) {
    velocity = p.momentum * velocity + p.learning_rate * direction;
    weight -= velocity;
  } else {
    velocity = p.momentum * velocity + direction;
    weight -= p.learning_rate * velocity;
  }
  v[i] = velocity;
  w[i] = weight;
}
