#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One GRU time step in PyTorch's formulation (nn.GRU), after the matrix products:
//   r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r * h_n)
//   h_t = (1 - z) * n + z * h_prev
// where x_gates[b, t, 0:3H] = x_t W_ih^T + b_ih and h_gates[b, t, 0:3H] = h_prev W_hh^T + b_hh
// (blocks r, z, n). The activations r, z, n overwrite x_gates; backward reads them and h_n.
// hidden holds the time-major state slots [(T + 1), B, H] of core/ops/recurrent_detail.h.
layout(std430, binding = 0) buffer XGates { float x_gates[]; };
layout(std430, binding = 1) readonly buffer HGates { float h_gates[]; };
layout(std430, binding = 2) buffer Hidden { float hidden[]; };
layout(push_constant) uniform Push {
  uvec2 hidden_divisor;  // core fast_divisor of hidden_size
  uint batch, steps, hidden_size, time, prev_slot, out_slot;
} p;

// Clamped so that no exp overflows; beyond these bounds the float results are already 0/1.
float sigmoid(float x) { return 1.0 / (1.0 + exp(-clamp(x, -30.0, 30.0))); }
float tanh_safe(float x) { return tanh(clamp(x, -15.0, 15.0)); }

void main() {
  const uint index = linear_index();  // b * H + j
  const uint H = p.hidden_size;
  if (index >= p.batch * H) return;
  const uint b = fast_divide(index, p.hidden_divisor.x, p.hidden_divisor.y), j = index - b * H;
  const uint g0 = (b * p.steps + p.time) * 3u * H + j;
  const float r = sigmoid(x_gates[g0] + h_gates[g0]);
  const float z = sigmoid(x_gates[g0 + H] + h_gates[g0 + H]);
  const float n = tanh_safe(x_gates[g0 + 2u * H] + r * h_gates[g0 + 2u * H]);
  x_gates[g0] = r;
  x_gates[g0 + H] = z;
  x_gates[g0 + 2u * H] = n;
  const uint slot = p.batch * H;
  hidden[p.out_slot * slot + index] = (1.0 - z) * n + z * hidden[p.prev_slot * slot + index];
}
