#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dlogits[n, c, s] = (softmax_v[c] - [c == y_v]) * w[y_v] / denominator * dloss for voxel
// v = n * inner + s, with the softmax rebuilt from the saved (max, log_sum) and dloss read
// here, on the device. A voxel whose label is out of range gets NaN, like its loss.
layout(std430, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, binding = 1) readonly buffer Labels { float labels[]; };
layout(std430, binding = 2) readonly buffer Weights { float class_weights[]; };
layout(std430, binding = 3) readonly buffer VoxelStats { vec2 voxel_stats[]; };  // (max, log_sum)
layout(std430, binding = 4) readonly buffer Denominator { float denominator[]; };
layout(std430, binding = 5) readonly buffer DLoss { float dloss[]; };
layout(std430, binding = 6) buffer DLogits { float dx[]; };
layout(push_constant) uniform Push { uint count; uint channels; uint inner; float beta; } p;

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint slab = p.channels * p.inner;
  uint n = i / slab;
  uint within = i - n * slab;
  uint c = within / p.inner;
  uint v = n * p.inner + (within - c * p.inner);
  float label = labels[v];
  float value;
  if (label >= 0.0 && label < float(p.channels) && label == floor(label)) {
    uint y = uint(label);
    vec2 stats = voxel_stats[v];
    float probability = exp((x[i] - stats.x) - stats.y);
    float one_hot = c == y ? 1.0 : 0.0;
    value = (probability - one_hot) * (class_weights[y] / denominator[0] * dloss[0]);
  } else {
    value = uintBitsToFloat(0x7fc00000u);
  }
  dx[i] = p.beta == 0.0 ? value : value + p.beta * dx[i];
}
