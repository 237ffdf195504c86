#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Batch part of cross_entropy, one workgroup in all: loss = sum(row_loss) / sum(row_weight),
// and the denominator is kept for the backward. Each invocation sums a strided slice
// of the rows, then a fixed-shape tree combines them: the same bits on every run.
layout(std430, binding = 0) readonly buffer RowLoss { float row_loss[]; };
layout(std430, binding = 1) readonly buffer RowWeight { float row_weight[]; };
layout(std430, binding = 2) writeonly buffer Loss { float loss[]; };
layout(std430, binding = 3) writeonly buffer Denominator { float denominator[]; };
layout(push_constant) uniform Push { uint rows; } p;

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
  for (uint i = lane; i < p.rows; i += gl_WorkGroupSize.x) {
    loss_sum += row_loss[i];
    weight_sum += row_weight[i];
  }
  loss_sum = workgroup_sum(loss_sum);
  weight_sum = workgroup_sum(weight_sum);
  if (lane == 0) {
    loss[0] = loss_sum / weight_sum;
    denominator[0] = weight_sum;
  }
}
