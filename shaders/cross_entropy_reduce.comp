#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Batch part of cross_entropy, one workgroup in all: loss = sum(row_loss) / sum(row_weight),
// and the denominator is kept for the backward. Each invocation sums a strided slice
// of the rows, then a fixed-shape tree combines them: the same bits on every run.
// More rows than one workgroup's loops may walk (core/loop_budget.h) are cut into
// chunks of `chunk` rows, one workgroup each, which write their sums instead,
// loss[g] = sum(row_loss) and denominator[g] = sum(row_weight) over chunk g, for a
// second launch over those as its rows.
layout(std430, binding = 0) readonly buffer RowLoss { float row_loss[]; };
layout(std430, binding = 1) readonly buffer RowWeight { float row_weight[]; };
layout(std430, binding = 2) writeonly buffer Loss { float loss[]; };
layout(std430, binding = 3) writeonly buffer Denominator { float denominator[]; };
layout(push_constant) uniform Push { uint rows; uint chunk; } p;

shared float partial[gl_WorkGroupSize.x];

float workgroup_sum(float value) {
  uint lane = gl_LocalInvocationID.x;
  partial[lane] = value;
  barrier();
  for (uint width = gl_WorkGroupSize.x; width > 1;) {
    uint upper = (width + 1) / 2;
    if (lane < width - upper) partial[lane] += partial[lane + upper];
    barrier();
    width = upper;
  }
  float result = partial[0];
  barrier();
  return result;
}

void main() {
  uint lane = gl_LocalInvocationID.x;
  float loss_sum = 0.0;
  float weight_sum = 0.0;
  const uint chunk_start = gl_WorkGroupID.x * p.chunk;
  const uint chunk_end = min(p.rows - chunk_start, p.chunk) + chunk_start;
  for (uint i = chunk_start + lane; i < chunk_end; i += gl_WorkGroupSize.x) {
    loss_sum += row_loss[i];
    weight_sum += row_weight[i];
  }
  loss_sum = workgroup_sum(loss_sum);
  weight_sum = workgroup_sum(weight_sum);
  if (lane != 0) return;
  if (gl_NumWorkGroups.x > 1) {
    loss[gl_WorkGroupID.x] = loss_sum;
    denominator[gl_WorkGroupID.x] = weight_sum;
  } else {
    loss[0] = loss_sum / weight_sum;
    denominator[0] = weight_sum;
  }
}
