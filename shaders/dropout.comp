#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Inverted dropout: element i survives when uniform01(seed, i) >= p and is scaled
// by 1/(1-p); the backward recomputes the same mask from (seed, i) instead of storing it.
// Also the backward: with x = dy and beta accumulating into y (= dx).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer Y { float y[]; };
layout(push_constant) uniform Push {
  uint count;
  uint seed;
  float p;           // drop probability, in [0, 1)
  float keep_scale;  // 1 / (1 - p), computed once on the host so forward and backward agree bit for bit
  float beta;        // 0: overwrite y, 1: add to it
} push;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= push.count) return;
  float value = uniform01(push.seed, i) >= push.p ? x[i] * push.keep_scale : 0.0;
  y[i] = ACCUMULATES ? value + push.beta * y[i] : value;
}
