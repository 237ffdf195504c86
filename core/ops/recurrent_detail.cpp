#include "core/ops/recurrent_detail.h"

#include <string>

#include "core/autograd.h"
#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/ops/checks.h"
#include "core/ops/shape.h"

namespace medrepro::recurrent_detail {
namespace {

uint32_t u32(int64_t value) { return static_cast<uint32_t>(value); }

BufferRange slot_range(const Tensor& slots, const StepLayout& layout, int64_t slot) {
  const BufferRange whole = slots.range();
  const auto bytes = static_cast<VkDeviceSize>(layout.slot_elements()) * sizeof(float);
  return {whole.buffer, whole.offset + static_cast<VkDeviceSize>(slot) * bytes, bytes};
}

// Time step t of a batch-major [B, T, G] tensor as a B x G matrix.
MatrixView step_rows(const Tensor& t_gates, const StepLayout& layout, int64_t t) {
  const int64_t g = t_gates.dim(2);
  return {t_gates, t * g, layout.steps * g, 1, 0};
}

}  // namespace

CellPush cell_push(const StepLayout& layout, int64_t t) {
  return {fast_divisor(u32(layout.hidden)), u32(layout.batch),        u32(layout.steps), u32(layout.hidden),
          u32(t),                           u32(layout.prev_slot(t)), u32(layout.out_slot(t))};
}

StepLayout check_sequence(const Tensor& x, int64_t hidden, int64_t gates_per_unit, bool reverse, const char* op) {
  expect_rank(x, 3, op, "input");
  if (x.numel() == 0 || hidden < 1) {
    fail(std::string(op) + ": input " + to_string(x.shape()) + " with hidden size " + std::to_string(hidden) +
         " is empty (need [B, T, F] with B, T, F > 0 and a positive hidden size)");
  }
  StepLayout layout{x.dim(0), x.dim(1), hidden, reverse};
  // Kernels index with 32-bit integers: the largest tensors are the gates and the slots.
  const int64_t largest = layout.batch * layout.steps * gates_per_unit * hidden;
  if (largest > int64_t(0xffffffffu) || (layout.steps + 1) * layout.slot_elements() > int64_t(0xffffffffu)) {
    fail(std::string(op) + ": input " + to_string(x.shape()) + " with hidden size " + std::to_string(hidden) +
         " is too large");
  }
  return layout;
}

void check_state(const Tensor& state, const StepLayout& layout, const char* op, const char* what) {
  if (state.defined() && state.shape() != Shape{layout.batch, layout.hidden}) {
    fail(std::string(op) + ": " + what + " must have shape " + to_string({layout.batch, layout.hidden}) + ", got " +
         to_string(state.shape()));
  }
}

void load_initial_slot(const Tensor& slots, const StepLayout& layout, const Tensor& initial) {
  Stream& stream = Context::get().stream();
  const BufferRange slot = slot_range(slots, layout, layout.initial_slot());
  if (initial.defined())
    stream.copy(initial.range(), slot);
  else
    stream.fill(slot, 0u);
}

Tensor output_from_slots(const Tensor& slots, const StepLayout& layout, bool return_sequence) {
  if (!return_sequence) {
    Tensor last = Tensor::empty({layout.batch, layout.hidden});
    Context::get().stream().copy(slot_range(slots, layout, layout.final_slot()), last.range());
    return last;
  }
  Tensor y = Tensor::empty({layout.batch, layout.steps, layout.hidden});
  struct {
    uint32_t batch, steps, hidden, first_slot;
  } push{u32(layout.batch), u32(layout.steps), u32(layout.hidden), u32(layout.out_slot(0))};
  launch_linear("lstm_sequence", {slots.read(), y.write()}, push, y.numel());
  return y;
}

void input_projection(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& gates) {
  Gemm g;
  g.m = x.dim(0) * x.dim(1);
  g.n = weight.dim(0);
  g.k = x.dim(2);
  g.a = MatrixView::row_major(x, g.k);
  g.b = MatrixView::row_major(weight, g.k).transposed();
  g.c = MatrixView::row_major(gates, g.n);
  if (bias.defined()) {
    g.bias_mode = GemmBias::PerColumn;
    g.bias = bias;
  }
  gemm(g);
}

Tensor transposed_recurrent_weight(const Tensor& w_hh) {
  NoGradGuard no_grad;
  return transpose(w_hh, 0, 1);
}

void recurrent_product(const Tensor& slots, const StepLayout& layout, int64_t t, const Tensor& w_hh_t,
                       const Tensor& gates, float beta, const Tensor& bias) {
  Gemm g;
  g.m = layout.batch;
  g.n = w_hh_t.dim(1);
  g.k = layout.hidden;
  g.a = MatrixView::row_major(slots, layout.hidden, layout.prev_slot(t) * layout.slot_elements());
  g.b = MatrixView::row_major(w_hh_t, g.n);
  g.c = step_rows(gates, layout, t);
  g.beta = beta;
  if (bias.defined()) {
    g.bias_mode = GemmBias::PerColumn;
    g.bias = bias;
  }
  gemm(g);
}

void carry_product(const Tensor& dgates, const StepLayout& layout, int64_t t, const Tensor& w_hh, const Tensor& out,
                   float beta) {
  Gemm g;
  g.m = layout.batch;
  g.n = layout.hidden;
  g.k = w_hh.dim(0);
  g.a = step_rows(dgates, layout, t);
  g.b = MatrixView::row_major(w_hh, layout.hidden);
  g.c = MatrixView::row_major(out, layout.hidden);
  g.beta = beta;
  gemm(g);
}

void input_weight_gradient(const Tensor& dgates, const Tensor& x, const Tensor& out, float beta) {
  Gemm g;
  g.m = dgates.dim(2);
  g.n = x.dim(2);
  g.k = x.dim(0) * x.dim(1);
  g.a = MatrixView::row_major(dgates, g.m).transposed();
  g.b = MatrixView::row_major(x, g.n);
  g.c = MatrixView::row_major(out, g.n);
  g.beta = beta;
  gemm(g);
}

void input_gradient(const Tensor& dgates, const Tensor& w_ih, const Tensor& out, float beta) {
  Gemm g;
  g.m = out.dim(0) * out.dim(1);
  g.n = out.dim(2);
  g.k = w_ih.dim(0);
  g.a = MatrixView::row_major(dgates, g.k);
  g.b = MatrixView::row_major(w_ih, g.n);
  g.c = MatrixView::row_major(out, g.n);
  g.beta = beta;
  gemm(g);
}

void recurrent_weight_gradient(const Tensor& dgates, const Tensor& slots, const StepLayout& layout, const Tensor& out,
                               float beta) {
  // Per batch entry b: dgates[b]^T [G, T] times h_prev(t) for t = 0..T-1 [T, H], summed over b.
  const int64_t gates = dgates.dim(2);
  Gemm g;
  g.m = gates;
  g.n = layout.hidden;
  g.k = layout.steps;
  g.batch = layout.batch;
  g.sum_over_batch = true;
  g.a = {dgates, 0, 1, gates, layout.steps * gates};
  g.b = {slots, layout.prev_slot(0) * layout.slot_elements(), layout.slot_elements(), 1, layout.hidden};
  g.c = MatrixView::row_major(out, layout.hidden);
  g.beta = beta;
  gemm(g);
}

void bias_gradient(const Tensor& dgates, const Tensor& out, float beta) {
  channel_sum(out, dgates, dgates.dim(0) * dgates.dim(1), dgates.dim(2), 1, beta);
}

}  // namespace medrepro::recurrent_detail
