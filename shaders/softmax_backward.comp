#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// dx = y * (dy - sum(dy * y)) along each row; beta accumulates into dx.
// One workgroup per row with a fixed-shape shared-memory tree (see softmax.comp).
layout(std430, binding = 0) readonly buffer Y { float y[]; };
layout(std430, binding = 1) readonly buffer DY { float dy[]; };
layout(std430, binding = 2) buffer DX { float dx[]; };
layout(push_constant) uniform Push { uint rows; uint columns; float beta; } p;

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
  uint row = gl_WorkGroupID.x + gl_WorkGroupID.y * gl_NumWorkGroups.x;
  if (row >= p.rows) return;  // uniform across the workgroup
  uint base = row * p.columns;
  uint lane = gl_LocalInvocationID.x;

  float dot_dy_y = 0.0;
  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) dot_dy_y += dy[base + j] * y[base + j];
  dot_dy_y = workgroup_sum(dot_dy_y);

  for (uint j = lane; j < p.columns; j += gl_WorkGroupSize.x) {
    uint i = base + j;
    float value = y[i] * (dy[i] - dot_dy_y);
    dx[i] = p.beta == 0.0 ? value : value + p.beta * dx[i];
  }
}
