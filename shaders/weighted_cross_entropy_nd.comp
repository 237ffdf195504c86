#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Per-voxel part of weighted_cross_entropy_nd over logits viewed as [N, C, inner]: for voxel
// v = n * inner + s with label y, over the C logits x[(n * C + c) * inner + s],
//   stats[v] = (max, log(sum exp(x - max))),  loss[v] = w[y] * (max + log_sum - x[y]),  weight[v] = w[y].
// The max and the log-sum stay apart so the backward rebuilds the softmax to full precision.
// A label that is not an integer in [0, C) is never used as an index: its voxel gets NaN
// loss and weight, which turns the batch loss (and its gradient) into NaN.
// Adjacent invocations are adjacent voxels, so every channel read is contiguous across lanes.
layout(std430, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, binding = 1) readonly buffer Labels { float labels[]; };
layout(std430, binding = 2) readonly buffer Weights { float class_weights[]; };
layout(std430, binding = 3) writeonly buffer VoxelStats { vec2 voxel_stats[]; };  // (max, log_sum)
layout(std430, binding = 4) writeonly buffer VoxelLoss { float voxel_loss[]; };
layout(std430, binding = 5) writeonly buffer VoxelWeight { float voxel_weight[]; };
layout(push_constant) uniform Push { uint voxels; uint channels; uint inner; } p;

void main() {
  uint v = linear_index();
  if (v >= p.voxels) return;
  uint n = v / p.inner;
  uint base = n * p.channels * p.inner + (v - n * p.inner);

  float voxel_max = -uintBitsToFloat(0x7f800000u);
  for (uint c = 0u; c < p.channels; ++c) voxel_max = max(voxel_max, x[base + c * p.inner]);
  float sum = 0.0;
  for (uint c = 0u; c < p.channels; ++c) sum += exp(x[base + c * p.inner] - voxel_max);
  float log_sum = log(sum);
  voxel_stats[v] = vec2(voxel_max, log_sum);

  float label = labels[v];
  if (label >= 0.0 && label < float(p.channels) && label == floor(label)) {
    uint y = uint(label);
    float w = class_weights[y];
    // (max - x[y]) + log_sum loses less to cancellation than lse - x[y].
    voxel_loss[v] = w * ((voxel_max - x[base + y * p.inner]) + log_sum);
    voxel_weight[v] = w;
  } else {
    voxel_loss[v] = uintBitsToFloat(0x7fc00000u);
    voxel_weight[v] = uintBitsToFloat(0x7fc00000u);
  }
}
