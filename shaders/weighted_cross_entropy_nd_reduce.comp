#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Batch part of weighted_cross_entropy_nd, one workgroup in all:
//   normalise: loss = sum(voxel_loss) / sum(voxel_weight), denominator = sum(voxel_weight)
//   otherwise: loss = sum(voxel_loss),                     denominator = 1
// The denominator is kept for the backward. Each lane sums a fixed strided subset, then a
// fixed-shape tree combines the lanes: the same bits on every run.
layout(std430, binding = 0) readonly buffer VoxelLoss { float voxel_loss[]; };
layout(std430, binding = 1) readonly buffer VoxelWeight { float voxel_weight[]; };
layout(std430, binding = 2) writeonly buffer Loss { float loss[]; };
layout(std430, binding = 3) writeonly buffer Denominator { float denominator[]; };
layout(push_constant) uniform Push { uint voxels; uint normalise; } p;

shared vec2 partial[gl_WorkGroupSize.x];  // (loss, weight)

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  vec2 sum = vec2(0.0);
  for (uint v = lane; v < p.voxels; v += lanes) sum += vec2(voxel_loss[v], voxel_weight[v]);
  partial[lane] = sum;
  barrier();
  for (uint width = lanes; width > 1u;) {
    uint upper = (width + 1u) / 2u;
    if (lane < width - upper) partial[lane] += partial[lane + upper];
    barrier();
    width = upper;
  }
  if (lane == 0u) {
    vec2 total = partial[0];
    float d = p.normalise != 0u ? total.y : 1.0;
    loss[0] = total.x / d;
    denominator[0] = d;
  }
}
