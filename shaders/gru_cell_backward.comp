#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Gradients of one GRU time step (see gru_cell.comp), run from the last step to the first.
//   dh = dy_t + dh_in       (dh_in: the complete gradient of h_t handed down by the step after)
//   dn = dh (1 - z), dz = dh (h_prev - n), da_n = dn (1 - n^2), da_r = da_n h_n r(1-r), da_z = dz z(1-z)
//   dx_gates[b, t] = (da_r, da_z, da_n)       gradient of x W_ih^T + b_ih
//   dh_gates[b, t] = (da_r, da_z, da_n * r)   gradient of h_prev W_hh^T + b_hh
//   dh_out = dh * z (+ beta * dh_out); the caller then adds dh_gates[b, t] W_hh to it.
layout(std430, binding = 0) readonly buffer XGates { float x_gates[]; };  // activations r, z, n
layout(std430, binding = 1) readonly buffer HGates { float h_gates[]; };  // h_prev W_hh^T + b_hh
layout(std430, binding = 2) readonly buffer Hidden { float hidden[]; };   // state slots [(T + 1), B, H]
layout(std430, binding = 3) readonly buffer DY { float dy[]; };
layout(std430, binding = 4) readonly buffer DHIn { float dh_in[]; };
layout(std430, binding = 5) writeonly buffer DXGates { float dx_gates[]; };
layout(std430, binding = 6) writeonly buffer DHGates { float dh_gates[]; };
layout(std430, binding = 7) buffer DHOut { float dh_out[]; };
layout(push_constant) uniform Push {
  uvec2 hidden_divisor;  // core fast_divisor of hidden_size
  uint batch, steps, hidden_size, time, prev_slot, out_slot;
  uint dy_mode;    // 0: dy is [B, T, H]; 1: dy is [B, H], the gradient of this (last) step; 2: no dy
  uint has_carry;  // 0 at the first backward step: dh_in is not read
  uint write_dh;   // 0: nobody needs the hidden gradient before this step
  float dh_beta;   // 0 overwrites dh_out, 1 adds to it
} p;

void main() {
  const uint index = linear_index();  // b * H + j
  const uint H = p.hidden_size;
  if (index >= p.batch * H) return;
  const uint b = fast_divide(index, p.hidden_divisor.x, p.hidden_divisor.y), j = index - b * H;
  const uint g0 = (b * p.steps + p.time) * 3u * H + j;
  const float r = x_gates[g0], z = x_gates[g0 + H], n = x_gates[g0 + 2u * H];
  const float h_n = h_gates[g0 + 2u * H];
  const float h_prev = hidden[p.prev_slot * p.batch * H + index];

  float dh = 0.0;
  if (p.dy_mode == 0u) dh = dy[(b * p.steps + p.time) * H + j];
  else if (p.dy_mode == 1u) dh = dy[index];
  if (p.has_carry != 0u) dh += dh_in[index];
  const float da_n = dh * (1.0 - z) * (1.0 - n * n);
  const float da_z = dh * (h_prev - n) * z * (1.0 - z);
  const float da_r = da_n * h_n * r * (1.0 - r);
  dx_gates[g0] = da_r;
  dx_gates[g0 + H] = da_z;
  dx_gates[g0 + 2u * H] = da_n;
  dh_gates[g0] = da_r;
  dh_gates[g0 + H] = da_z;
  dh_gates[g0 + 2u * H] = da_n * r;
  if (p.write_dh != 0u) {
    const float value = dh * z;
    dh_out[index] = p.dh_beta == 0.0 ? value : value + p.dh_beta * dh_out[index];
  }
}
