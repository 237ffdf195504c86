#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// One LSTM time step, everything after the matrix products (Pereira et al. Eq. 4-5):
//   i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
//   c_t = f * c_prev + i * g,  h_t = o * tanh(c_t)
// where gates[b, t, 0:4H] holds the pre-activations a (x_t W_ih^T + h_prev W_hh^T + bias,
// blocks i, f, g, o). The activations overwrite them: backward reads them from there.
// cells/hidden are the time-major state slots [(T + 1), B, H] of core/ops/recurrent_detail.h.
layout(std430, binding = 0) buffer Gates { float gates[]; };
layout(std430, binding = 1) buffer Cells { float cells[]; };
layout(std430, binding = 2) writeonly buffer Hidden { float hidden[]; };
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
  const uint g0 = (b * p.steps + p.time) * 4u * H + j;
  const float i = sigmoid(gates[g0]);
  const float f = sigmoid(gates[g0 + H]);
  const float g = tanh_safe(gates[g0 + 2u * H]);
  const float o = sigmoid(gates[g0 + 3u * H]);
  gates[g0] = i;
  gates[g0 + H] = f;
  gates[g0 + 2u * H] = g;
  gates[g0 + 3u * H] = o;
  const uint slot = p.batch * H;
  const float c = f * cells[p.prev_slot * slot + index] + i * g;
  cells[p.out_slot * slot + index] = c;
  hidden[p.out_slot * slot + index] = o * tanh_safe(c);
}
