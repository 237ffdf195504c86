#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Output sequence of a recurrent layer (LSTM and GRU): y[b, t, j] = hidden state at time t,
// read from the time-major state slots [(T + 1), B, H], where time t sits in slot t + first_slot.
layout(std430, binding = 0) readonly buffer Slots { float slots[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint batch, steps, hidden_size, first_slot; } p;

void main() {
  const uint index = linear_index();  // (b * T + t) * H + j
  const uint H = p.hidden_size;
  if (index >= p.batch * p.steps * H) return;
  const uint row = index / H, j = index - row * H;
  const uint b = row / p.steps, t = row - b * p.steps;
  y[index] = slots[((t + p.first_slot) * p.batch + b) * H + j];
}
