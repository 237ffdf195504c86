#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Batch part of weighted_cross_entropy_nd, one workgroup in all:
//   normalise: loss = sum(voxel_loss) / sum(voxel_weight), denominator = sum(voxel_weight)
//   otherwise: loss = sum(voxel_loss),                     denominator = 1
// The denominator is kept for the backward. Each lane sums a fixed strided subset, then a
// fixed-shape tree combines the lanes: the same bits on every run.
// More voxels than one workgroup's loops may walk (core/loop_budget.h) are cut into
// chunks of `chunk` voxels, one workgroup each, which write their sums instead,
// loss[g] = sum(voxel_loss) and denominator[g] = sum(voxel_weight) over chunk g, for
// a second launch over those as its voxels.
layout(std430, binding = 0) readonly buffer VoxelLoss { float voxel_loss[]; };
layout(std430, binding = 1) readonly buffer VoxelWeight { float voxel_weight[]; };
layout(std430, binding = 2) writeonly buffer Loss { float loss[]; };
layout(std430, binding = 3) writeonly buffer Denominator { float denominator[]; };
layout(push_constant) uniform Push { uint voxels; uint normalise; uint chunk; } p;

shared vec2 partial[gl_WorkGroupSize.x];  // (loss, weight)

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  vec2 sum = vec2(0.0);
  const uint chunk_start = gl_WorkGroupID.x * p.chunk;
  const uint chunk_end = min(p.voxels - chunk_start, p.chunk) + chunk_start;
  for (uint v = chunk_start + lane; v < chunk_end; v += lanes) sum += vec2(voxel_loss[v], voxel_weight[v]);
  partial[lane] = sum;
  barrier();
  for (uint width = lanes; width > 1u;) {
    uint upper = (width + 1u) / 2u;
    if (lane < width - upper) partial[lane] += partial[lane + upper];
    barrier();
    width = upper;
  }
  if (lane != 0u) return;
  if (gl_NumWorkGroups.x > 1u) {
    loss[gl_WorkGroupID.x] = partial[0].x;
    denominator[gl_WorkGroupID.x] = partial[0].y;
  } else {
    vec2 total = partial[0];
    float d = p.normalise != 0u ? total.y : 1.0;
    loss[0] = total.x / d;
    denominator[0] = d;
  }
}
