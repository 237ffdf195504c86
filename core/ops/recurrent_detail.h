#pragma once
// Machinery shared by the recurrent ops (lstm.cpp, gru.cpp); not a public API.
//
// Both ops keep their hidden (and LSTM cell) states in time-major "state slots"
// [T + 1, B, H]: one slot holds the initial state, the others the state after
// each time step, arranged so that for every time t
//   the state before t (h_prev) is in slot t + prev_offset and
//   the state after  t (h_t)    is in slot t + out_offset,
// forward direction: initial state in slot 0, h_t in slot t + 1;
// reverse direction: initial state in slot T, h_t in slot t (time runs T-1 .. 0).
// Slots of consecutive times are one stride apart in either direction, so a
// single GEMM can pair every time step's gate gradients with its h_prev, and a
// slot is one contiguous [B, H] block (a GEMM operand, a one-command copy).
#include <cstdint>

#include "core/kernels.h"
#include "core/ops/gemm.h"
#include "core/tensor.h"

namespace medrepro::recurrent_detail {

struct StepLayout {
  int64_t batch = 0, steps = 0, hidden = 0;
  bool reverse = false;

  int64_t time(int64_t step) const { return reverse ? steps - 1 - step : step; }  // step: processing order
  int64_t prev_slot(int64_t t) const { return reverse ? t + 1 : t; }
  int64_t out_slot(int64_t t) const { return reverse ? t : t + 1; }
  int64_t initial_slot() const { return reverse ? steps : 0; }
  int64_t final_slot() const { return reverse ? 0 : steps; }
  int64_t slot_elements() const { return batch * hidden; }
  Shape slots_shape() const { return {steps + 1, batch, hidden}; }
};

// Push constants of the per-step cell kernels (lstm_cell*.comp, gru_cell*.comp).
struct CellPush {
  FastDivisor hidden_divisor;  // b = index / hidden without an integer divide
  uint32_t batch, steps, hidden, time, prev_slot, out_slot;
};
CellPush cell_push(const StepLayout& layout, int64_t t);

// Checks x [B, T, F] and returns the layout, refusing empty or oversized shapes.
StepLayout check_sequence(const Tensor& x, int64_t hidden, int64_t gates_per_unit, bool reverse, const char* op);
// An optional initial state must be [B, H].
void check_state(const Tensor& state, const StepLayout& layout, const char* op, const char* what);

// Copies `initial` [B, H] into the initial slot, or zeroes it when undefined.
void load_initial_slot(const Tensor& slots, const StepLayout& layout, const Tensor& initial);

// The layer's output: the whole sequence [B, T, H] gathered from the slots, or
// the final state [B, H] (forward: h at time T-1; reverse: h at time 0).
Tensor output_from_slots(const Tensor& slots, const StepLayout& layout, bool return_sequence);

// C = x [B*T, F] W^T [F, G] + bias: every time step's input projection in one GEMM.
void input_projection(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& gates);

// W_hh^T [H, G] of w_hh [G, H], made once per sequence: the GEMM then reads it along
// its rows every step, instead of copying W_hh into that layout every step.
Tensor transposed_recurrent_weight(const Tensor& w_hh);

// gates[:, t, :] = h_prev(t) W_hh^T + (bias or beta * gates[:, t, :]); one step's recurrent product,
// given w_hh_t = transposed_recurrent_weight(w_hh).
void recurrent_product(const Tensor& slots, const StepLayout& layout, int64_t t, const Tensor& w_hh_t,
                       const Tensor& gates, float beta, const Tensor& bias = Tensor());

// out [B, H] = dgates[:, t, :] W_hh (+ beta * out): the gradient carried to h_prev(t).
void carry_product(const Tensor& dgates, const StepLayout& layout, int64_t t, const Tensor& w_hh, const Tensor& out,
                   float beta);

// Gradients of the weights, after the loop over time (dgates: [B, T, G]):
//   dW_ih = dgates^T x,  dx = dgates W_ih,  dW_hh = sum_t dgates_t^T h_prev(t),  dbias = column sums.
void input_weight_gradient(const Tensor& dgates, const Tensor& x, const Tensor& out, float beta);
void input_gradient(const Tensor& dgates, const Tensor& w_ih, const Tensor& out, float beta);
void recurrent_weight_gradient(const Tensor& dgates, const Tensor& slots, const StepLayout& layout, const Tensor& out,
                               float beta);
void bias_gradient(const Tensor& dgates, const Tensor& out, float beta);

}  // namespace medrepro::recurrent_detail
