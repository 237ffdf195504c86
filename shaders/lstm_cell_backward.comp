#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradients of one LSTM time step (see lstm_cell.comp), run from the last step to the first.
//   dh = dy_t + dh_carry                  (dh_carry = dA_{t+1} W_hh from the step after)
//   dc = dc_in + dh * o * (1 - tanh(c)^2)
//   pre-activation gradients written to dgates[b, t]:
//     da_i = dc * g * i(1-i), da_f = dc * c_prev * f(1-f), da_g = dc * i * (1-g^2), da_o = dh * tanh(c) * o(1-o)
//   dc_out = dc * f (+ beta * dc_out): the cell gradient handed to the step before (or to c0).
layout(std430, binding = 0) readonly buffer Gates { float gates[]; };  // activations i, f, g, o
layout(std430, binding = 1) readonly buffer Cells { float cells[]; };  // state slots [(T + 1), B, H]
layout(std430, binding = 2) readonly buffer DY { float dy[]; };
layout(std430, binding = 3) readonly buffer DHCarry { float dh_carry[]; };
layout(std430, binding = 4) readonly buffer DCIn { float dc_in[]; };
layout(std430, binding = 5) writeonly buffer DGates { float dgates[]; };
layout(std430, binding = 6) buffer DCOut { float dc_out[]; };
layout(push_constant) uniform Push {
  uvec2 hidden_divisor;  // core fast_divisor of hidden_size
  uint batch, steps, hidden_size, time, prev_slot, out_slot;
  uint dy_mode;    // 0: dy is [B, T, H]; 1: dy is [B, H], the gradient of this (last) step; 2: no dy
  uint has_carry;  // 0 at the first backward step: dh_carry and dc_in are not read
  uint write_dc;   // 0: nobody needs the cell gradient before this step
  float dc_beta;   // 0 overwrites dc_out, 1 adds to it
} p;

float tanh_safe(float x) { return tanh(clamp(x, -15.0, 15.0)); }

void main() {
  const uint index = linear_index();  // b * H + j
  const uint H = p.hidden_size;
  if (index >= p.batch * H) return;
  const uint b = fast_divide(index, p.hidden_divisor.x, p.hidden_divisor.y), j = index - b * H;
  const uint g0 = (b * p.steps + p.time) * 4u * H + j;
  const float i = gates[g0], f = gates[g0 + H], g = gates[g0 + 2u * H], o = gates[g0 + 3u * H];
  const uint slot = p.batch * H;
  const float c = cells[p.out_slot * slot + index];
  const float c_prev = cells[p.prev_slot * slot + index];

  float dh = 0.0, dc = 0.0;
  if (p.dy_mode == 0u) dh = dy[(b * p.steps + p.time) * H + j];
  else if (p.dy_mode == 1u) dh = dy[index];
  if (p.has_carry != 0u) {
    dh += dh_carry[index];
    dc = dc_in[index];
  }
  const float tc = tanh_safe(c);
  dc += dh * o * (1.0 - tc * tc);
  dgates[g0] = dc * g * i * (1.0 - i);
  dgates[g0 + H] = dc * c_prev * f * (1.0 - f);
  dgates[g0 + 2u * H] = dc * i * (1.0 - g * g);
  dgates[g0 + 3u * H] = dh * tc * o * (1.0 - o);
  if (p.write_dc != 0u) {
    const float value = dc * f;
    dc_out[index] = p.dc_beta == 0.0 ? value : value + p.dc_beta * dc_out[index];
  }
}
