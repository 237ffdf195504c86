#include "core/ops/gru.h"

#include <cstdint>
#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/ops/checks.h"
#include "core/ops/recurrent_detail.h"

namespace medrepro {
namespace {

using namespace recurrent_detail;

// Matches the push-constant block of shaders/gru_cell_backward.comp.
struct CellBackwardPush {
  CellPush cell;
  uint32_t dy_mode;  // 0: dy [B, T, H]; 1: dy [B, H] for this step; 2: none
  uint32_t has_carry;
  uint32_t write_dh;
  float dh_beta;
};

void check_weights(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  expect_rank(x, 3, "gru", "input");
  expect_rank(w_ih, 2, "gru", "w_ih");
  expect_rank(w_hh, 2, "gru", "w_hh");
  const int64_t hidden = w_hh.dim(1);
  const Shape bias_shape{3 * hidden};
  const bool ok = w_ih.dim(0) == 3 * hidden && w_hh.dim(0) == 3 * hidden && x.rank() == 3 && w_ih.dim(1) == x.dim(2) &&
                  (!b_ih.defined() || b_ih.shape() == bias_shape) && (!b_hh.defined() || b_hh.shape() == bias_shape);
  if (!ok) {
    fail("gru: input " + to_string(x.shape()) + ", w_ih " + to_string(w_ih.shape()) + ", w_hh " +
         to_string(w_hh.shape()) + (b_ih.defined() ? ", b_ih " + to_string(b_ih.shape()) : std::string()) +
         (b_hh.defined() ? ", b_hh " + to_string(b_hh.shape()) : std::string()) +
         " do not fit (need [B, T, F], [3H, F], [3H, H], [3H], [3H])");
  }
}

void check_host_size(std::span<const float> values, int64_t expected, const char* what) {
  if (static_cast<int64_t>(values.size()) != expected) {
    fail(std::string("gru weight conversion: ") + what + " has " + std::to_string(values.size()) +
         " values, expected " + std::to_string(expected));
  }
}

// Keras orders the gate blocks z, r, h; PyTorch (and this op) r, z, n.
constexpr int64_t kKerasBlockOf[3] = {1, 0, 2};

// What backward needs from the forward pass.
struct GruSaved {
  Tensor x, w_ih, w_hh;
  Tensor x_gates;       // [B, T, 3H]: activations r, z, n
  Tensor h_gates;       // [B, T, 3H]: h_prev W_hh^T + b_hh (its n block feeds the reset gate's gradient)
  Tensor hidden_slots;  // [T + 1, B, H]: h_prev of every step (StepLayout)
  StepLayout layout;
  bool return_sequence;
  size_t b_ih_input, b_hh_input, h0_input;  // positions among the recorded inputs; SIZE_MAX when absent
};

// Backward through time: per step (last to first) the fused cell gradient kernel, which
// also starts h_prev's gradient with the direct path dh * z, then the GEMM adding the
// path through the gates; the weight gradients after the loop, over all steps.
void backward_through_time(const GruSaved& s, const Tensor& grad, GradientSink& sink) {
  Tensor dx_gates = Tensor::empty(s.x_gates.shape());
  Tensor dh_gates = Tensor::empty(s.h_gates.shape());
  Tensor dh[2] = {Tensor::empty({s.layout.batch, s.layout.hidden}), Tensor::empty({s.layout.batch, s.layout.hidden})};
  for (int64_t step = s.layout.steps - 1; step >= 0; --step) {
    const int64_t t = s.layout.time(step);
    const bool first = step == s.layout.steps - 1;
    CellBackwardPush push{cell_push(s.layout, t), s.return_sequence ? 0u : (first ? 1u : 2u), first ? 0u : 1u, 1u,
                          0.0f};
    Tensor dh_out = dh[step % 2];
    if (step == 0) {  // the hidden gradient leaves the loop: to h0, or nowhere
      push.write_dh = sink.needs(s.h0_input) ? 1u : 0u;
      if (push.write_dh) {
        GradTarget target = sink.target(s.h0_input);
        dh_out = target.grad;
        push.dh_beta = target.beta;
      }
    }
    launch_linear("gru_cell_backward",
                  {s.x_gates.read(), s.h_gates.read(), s.hidden_slots.read(), grad.read(), dh[(step + 1) % 2].read(),
                   dx_gates.write(), dh_gates.write(), dh_out.write()},
                  push, s.layout.slot_elements());
    // The direct path dh * z is in dh_out; add the path through the gates.
    if (push.write_dh) carry_product(dh_gates, s.layout, t, s.w_hh, dh_out, 1.0f);
  }
  if (sink.needs(0)) {
    GradTarget target = sink.target(0);
    input_gradient(dx_gates, s.w_ih, target.grad, target.beta);
  }
  if (sink.needs(1)) {
    GradTarget target = sink.target(1);
    input_weight_gradient(dx_gates, s.x, target.grad, target.beta);
  }
  if (sink.needs(2)) {
    GradTarget target = sink.target(2);
    recurrent_weight_gradient(dh_gates, s.hidden_slots, s.layout, target.grad, target.beta);
  }
  if (sink.needs(s.b_ih_input)) {
    GradTarget target = sink.target(s.b_ih_input);
    bias_gradient(dx_gates, target.grad, target.beta);
  }
  if (sink.needs(s.b_hh_input)) {
    GradTarget target = sink.target(s.b_hh_input);
    bias_gradient(dh_gates, target.grad, target.beta);
  }
}

}  // namespace

Tensor gru(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh,
           const GruOptions& options, const Tensor& h0) {
  check_weights(x, w_ih, w_hh, b_ih, b_hh);
  const StepLayout layout = check_sequence(x, w_hh.dim(1), 3, options.reverse, "gru");
  check_state(h0, layout, "gru", "h0");

  Tensor x_gates = Tensor::empty({layout.batch, layout.steps, 3 * layout.hidden});
  Tensor h_gates = Tensor::empty(x_gates.shape());
  Tensor hidden_slots = Tensor::empty(layout.slots_shape());
  input_projection(x, w_ih, b_ih, x_gates);
  load_initial_slot(hidden_slots, layout, h0);
  const Tensor w_hh_t = transposed_recurrent_weight(w_hh);
  for (int64_t step = 0; step < layout.steps; ++step) {
    const int64_t t = layout.time(step);
    recurrent_product(hidden_slots, layout, t, w_hh_t, h_gates, 0.0f, b_hh);
    launch_linear("gru_cell", {x_gates.write(), h_gates.read(), hidden_slots.write()}, cell_push(layout, t),
                  layout.slot_elements());
  }
  Tensor out = output_from_slots(hidden_slots, layout, options.return_sequence);

  // Inputs: x, w_ih, w_hh, then whichever of b_ih, b_hh, h0 are given.
  std::vector<Tensor> inputs{x, w_ih, w_hh};
  const size_t b_ih_input = b_ih.defined() ? inputs.size() : SIZE_MAX;
  if (b_ih.defined()) inputs.push_back(b_ih);
  const size_t b_hh_input = b_hh.defined() ? inputs.size() : SIZE_MAX;
  if (b_hh.defined()) inputs.push_back(b_hh);
  const size_t h0_input = h0.defined() ? inputs.size() : SIZE_MAX;
  if (h0.defined()) inputs.push_back(h0);

  record(out, "gru", std::move(inputs),
         [saved = GruSaved{x.detach(), w_ih.detach(), w_hh.detach(), x_gates, h_gates, hidden_slots, layout,
                           options.return_sequence, b_ih_input, b_hh_input, h0_input}](
             const Tensor& grad, GradientSink& sink) { backward_through_time(saved, grad, sink); });
  return out;
}

GruHostWeights gru_from_keras(int64_t input_size, int64_t hidden_size, std::span<const float> kernel,
                              std::span<const float> recurrent_kernel, std::span<const float> bias) {
  const int64_t gates = 3 * hidden_size;
  check_host_size(kernel, input_size * gates, "kernel");
  check_host_size(recurrent_kernel, hidden_size * gates, "recurrent_kernel");
  if (!bias.empty()) check_host_size(bias, 2 * gates, "bias");
  // Our row (block q, unit j) is Keras' column (block kKerasBlockOf[q], unit j).
  auto rows_from_columns = [&](std::span<const float> matrix, int64_t rows_in) {
    std::vector<float> out(size_t(gates * rows_in));
    for (int64_t q = 0; q < 3; ++q) {
      for (int64_t j = 0; j < hidden_size; ++j) {
        for (int64_t r = 0; r < rows_in; ++r) {
          out[size_t((q * hidden_size + j) * rows_in + r)] =
              matrix[size_t(r * gates + kKerasBlockOf[q] * hidden_size + j)];
        }
      }
    }
    return out;
  };
  auto reorder_bias = [&](int64_t row) {
    std::vector<float> out(size_t(gates), 0.0f);
    if (bias.empty()) return out;
    for (int64_t q = 0; q < 3; ++q) {
      for (int64_t j = 0; j < hidden_size; ++j) {
        out[size_t(q * hidden_size + j)] = bias[size_t(row * gates + kKerasBlockOf[q] * hidden_size + j)];
      }
    }
    return out;
  };
  return {input_size,
          hidden_size,
          rows_from_columns(kernel, input_size),
          rows_from_columns(recurrent_kernel, hidden_size),
          reorder_bias(0),
          reorder_bias(1)};
}

KerasGruWeights gru_to_keras(const GruHostWeights& w) {
  const int64_t H = w.hidden_size, gates = 3 * H;
  auto columns_from_rows = [&](const std::vector<float>& matrix, int64_t rows_out) {
    std::vector<float> out(size_t(gates * rows_out));
    for (int64_t q = 0; q < 3; ++q) {
      for (int64_t j = 0; j < H; ++j) {
        for (int64_t r = 0; r < rows_out; ++r) {
          out[size_t(r * gates + kKerasBlockOf[q] * H + j)] = matrix[size_t((q * H + j) * rows_out + r)];
        }
      }
    }
    return out;
  };
  std::vector<float> bias(size_t(2 * gates));
  for (int64_t q = 0; q < 3; ++q) {
    for (int64_t j = 0; j < H; ++j) {
      bias[size_t(kKerasBlockOf[q] * H + j)] = w.b_ih[size_t(q * H + j)];
      bias[size_t(gates + kKerasBlockOf[q] * H + j)] = w.b_hh[size_t(q * H + j)];
    }
  }
  return {columns_from_rows(w.w_ih, w.input_size), columns_from_rows(w.w_hh, H), bias};
}

}  // namespace medrepro
