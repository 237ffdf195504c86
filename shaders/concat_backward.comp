#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradient of channel concatenation for one input: its slab of dy, strided per
// batch item, one invocation per input element.
layout(std430, binding = 0) readonly buffer DY { float dy[]; };
layout(std430, binding = 1) buffer DX { float dx[]; };
layout(push_constant) uniform Push {
  uint count;        // elements of this input
  uint input_slab;   // C_input * inner: one batch item of this input
  uint output_slab;  // C_total * inner: one batch item of the output
  uint offset;       // channel_offset * inner: where this input starts in a batch item
  float beta;        // backward: 0 overwrites dx, 1 adds to it
} p;
DECLARE_ACCUMULATES(3);

void main() {
  uint i = linear_index();
  if (i >= p.count) return;
  uint item = i / p.input_slab;
  float value = dy[item * p.output_slab + p.offset + (i - item * p.input_slab)];
  dx[i] = ACCUMULATES ? value + p.beta * dx[i] : value;
}
