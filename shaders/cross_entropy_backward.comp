#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dlogits[i, j] = (softmax(x_i)[j] - [j == t_i]) * w[t_i] / denominator * dloss, with the
// softmax rebuilt from the saved row max and log-sum, and dloss read here, on the device.
// A row whose target is out of range gets NaN, like its loss (see cross_entropy.comp).
layout(std430, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, binding = 1) readonly buffer Targets { float targets[]; };
layout(std430, binding = 2) readonly buffer Weights { float class_weights[]; };
layout(std430, binding = 3) readonly buffer RowStats { vec2 row_stats[]; };  // (max, log_sum)
layout(std430, binding = 4) readonly buffer Denominator { float denominator[]; };
layout(std430, binding = 5) readonly buffer DLoss { float dloss[]; };
layout(std430, binding = 6) buffer DLogits { float dx[]; };
layout(push_constant) uniform Push { uint count; uint columns; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint row = i / p.columns;
  uint column = i - row * p.columns;
  float t = targets[row];
  float value;
  if (t >= 0.0 && t < float(p.columns) && t == floor(t)) {
    uint target = uint(t);
    vec2 stats = row_stats[row];
    float probability = exp((x[i] - stats.x) - stats.y);  // x - max is exact for nearby values
    float one_hot = column == target ? 1.0 : 0.0;
    value = (probability - one_hot) * (class_weights[target] / denominator[0] * dloss[0]);
  } else {
    value = uintBitsToFloat(0x7fc00000u);
  }
  dx[i] = p.beta == 0.0 ? value : value + p.beta * dx[i];
}
