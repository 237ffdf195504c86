#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Mean binary cross-entropy on logits over all `count` elements, in one workgroup:
//   loss = (1 - t) x + c (softplus(-|x|) + max(-x, 0)),  c = 1 + (p - 1) t,  p = pos_weight[i % labels]
// (p = 1 without pos_weight: max(x, 0) - x t + softplus(-|x|)), evaluated per sign of x as
//   x >= 0: (1 - t) x + c softplus(-|x|);   x < 0: -p t x + c softplus(-|x|)
// so that no large terms cancel (a confident correct logit keeps its tiny loss).
// softplus(-|x|) = log(1 + exp(-|x|)) never overflows; for tiny exp(-|x|) the series
// e - e^2 / 2 keeps the relative accuracy that log(1 + e) would round away.
// Each lane sums a fixed strided subset, then a fixed-shape tree: the same bits on every run.
// More elements than one workgroup's loops may walk (core/loop_budget.h) are cut into
// chunks of `chunk`, one workgroup each, which writes its chunk's sum (not divided
// by count) to loss[g] for the host to sum again in chunk order.
layout(std430, binding = 0) readonly buffer Logits { float x[]; };
layout(std430, binding = 1) readonly buffer Targets { float t[]; };
layout(std430, binding = 2) readonly buffer PosWeight { float pos_weight[]; };
layout(std430, binding = 3) writeonly buffer Loss { float loss[]; };
layout(push_constant) uniform Push { uint count; uint labels; uint has_pos_weight; uint chunk; } p;

shared float partial[gl_WorkGroupSize.x];

float softplus_of_minus_abs(float v) {
  float e = exp(-abs(v));
  return e < 1e-4 ? e * (1.0 - 0.5 * e) : log(1.0 + e);
}

void main() {
  const uint lane = gl_LocalInvocationID.x, lanes = gl_WorkGroupSize.x;
  float sum = 0.0;
  const uint chunk_start = gl_WorkGroupID.x * p.chunk;
  const uint chunk_end = min(p.count - chunk_start, p.chunk) + chunk_start;
  for (uint i = chunk_start + lane; i < chunk_end; i += lanes) {
    float v = x[i], target = t[i];
    float weight = p.has_pos_weight != 0u ? pos_weight[i % p.labels] : 1.0;
    float c = 1.0 + (weight - 1.0) * target;
    float linear = v >= 0.0 ? (1.0 - target) * v : -weight * target * v;
    sum += linear + c * softplus_of_minus_abs(v);
  }
  partial[lane] = sum;
  barrier();
  for (uint width = lanes; width > 1u;) {
    uint upper = (width + 1u) / 2u;
    if (lane < width - upper) partial[lane] += partial[lane + upper];
    barrier();
    width = upper;
  }
  if (lane == 0u) {
    if (gl_NumWorkGroups.x > 1u) {
      loss[gl_WorkGroupID.x] = partial[0];
    } else {
      loss[0] = partial[0] / float(p.count);
    }
  }
}
