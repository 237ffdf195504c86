#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// y = exp(x - max(x)) / sum(exp(x - max(x))) along each row of [rows, columns].
// One workgroup per row; each invocation walks a strided slice of the row and a
// fixed-shape tree in shared memory combines the slices, so the result does not
// depend on timing (no atomics).
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint rows; uint columns; } p;

shared float partial[gl_WorkGroupSize.x];

// The tree halves the active width each step, so any workgroup size works.
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
  barrier();  // partial is reused by the next reduction
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
  // The whole workgroup shares one row, so this return is uniform and the barriers stay legal.
  uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.rows) return;
  uint base = row * p.columns;
  uint lane = gl_LocalInvocationID.x;

  float row_max = -uintBitsToFloat(0x7f800000u);
  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) row_max = max(row_max, x[base + j]);
  row_max = workgroup_max(row_max);

  float sum = 0.0;
  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) sum += exp(x[base + j] - row_max);
  sum = workgroup_sum(sum);

  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) y[base + j] = exp(x[base + j] - row_max) / sum;
}
