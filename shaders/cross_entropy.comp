#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Per-row part of the fused log-softmax + NLL: for row i with target t,
//   stats[i] = (max, log(sum(exp(x - max)))),  loss[i] = w[t] * (max + log_sum - x[t]),  weight[i] = w[t].
// The max and the log-sum stay apart: their float sum would lose the low bits of log_sum
// when the logits are large, and with them the precision of the backward's softmax.
// A target that is not an integer in [0, columns) is never used as an index: its row
// gets NaN loss and weight, which turns the batch loss (and its gradient) into NaN.
// One workgroup per row with a fixed-shape shared-memory tree (deterministic).
layout(std430, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, binding = 1) readonly buffer Targets { float targets[]; };
layout(std430, binding = 2) readonly buffer Weights { float class_weights[]; };
layout(std430, binding = 3) writeonly buffer RowStats { vec2 row_stats[]; };  // (max, log_sum)
layout(std430, binding = 4) writeonly buffer RowLoss { float row_loss[]; };
layout(std430, binding = 5) writeonly buffer RowWeight { float row_weight[]; };
layout(push_constant) uniform Push { uint rows; uint columns; } p;

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

float workgroup_max(float value) {
  uint lane = gl_LocalInvocationID.x;
  partial[lane] = value;
  barrier();
  for (uint width = gl_WorkGroupSize.x; width > 1;) {
    uint upper = (width + 1) / 2;
    if (lane < width - upper) partial[lane] = max(partial[lane], partial[lane + upper]);
    barrier();
    width = upper;
  }
  float result = partial[0];
  barrier();
  return result;
}

void main() {
  uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.rows) return;  // uniform across the workgroup
  uint base = row * p.columns;
  uint lane = gl_LocalInvocationID.x;

  float row_max = -uintBitsToFloat(0x7f800000u);
  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) row_max = max(row_max, x[base + j]);
  row_max = workgroup_max(row_max);

  float sum = 0.0;
  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) sum += exp(x[base + j] - row_max);
  sum = workgroup_sum(sum);

  if (lane != 0) return;
  float log_sum = log(sum);
  row_stats[row] = vec2(row_max, log_sum);
  float t = targets[row];
  if (t >= 0.0 && t < float(p.columns) && t == floor(t)) {
    uint target = uint(t);
    float w = class_weights[target];
    // (max - x[t]) + log_sum loses less to cancellation than lse - x[t].
    row_loss[row] = w * ((row_max - x[base + target]) + log_sum);
    row_weight[row] = w;
  } else {
    row_loss[row] = uintBitsToFloat(0x7fc00000u);
    row_weight[row] = uintBitsToFloat(0x7fc00000u);
  }
}
