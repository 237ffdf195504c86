#include "core/ops/lstm.h"

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

// Matches the push-constant block of shaders/lstm_cell_backward.comp.
struct CellBackwardPush {
  CellPush cell;
  uint32_t dy_mode;  // 0: dy [B, T, H]; 1: dy [B, H] for this step; 2: none
  uint32_t has_carry;
  uint32_t write_dc;
  float dc_beta;
};

void check_weights(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& bias) {
  expect_rank(x, 3, "lstm", "input");
  expect_rank(w_ih, 2, "lstm", "w_ih");
  expect_rank(w_hh, 2, "lstm", "w_hh");
  const int64_t hidden = w_hh.dim(1);
  const bool ok = w_ih.dim(0) == 4 * hidden && w_hh.dim(0) == 4 * hidden && x.rank() == 3 && w_ih.dim(1) == x.dim(2) &&
                  (!bias.defined() || bias.shape() == Shape{4 * hidden});
  if (!ok) {
    fail("lstm: input " + to_string(x.shape()) + ", w_ih " + to_string(w_ih.shape()) + ", w_hh " +
         to_string(w_hh.shape()) + (bias.defined() ? ", bias " + to_string(bias.shape()) : std::string()) +
         " do not fit (need [B, T, F], [4H, F], [4H, H], [4H])");
  }
}

void check_host_size(std::span<const float> values, int64_t expected, const char* what) {
  if (static_cast<int64_t>(values.size()) != expected) {
    fail(std::string("lstm weight conversion: ") + what + " has " + std::to_string(values.size()) +
         " values, expected " + std::to_string(expected));
  }
}

// What backward needs from the forward pass.
struct LstmSaved {
  Tensor x, w_ih, w_hh;
  Tensor gates;         // [B, T, 4H]: activations i, f, g, o
  Tensor hidden_slots;  // [T + 1, B, H]: h_prev of every step (StepLayout)
  Tensor cell_slots;    // [T + 1, B, H]: c_prev and c_t of every step
  StepLayout layout;
  bool return_sequence;
  size_t bias_input, h0_input, c0_input;  // positions among the recorded inputs; SIZE_MAX when absent
};

// Backward through time: per step (last to first) the fused cell gradient kernel, then
// the GEMM carrying dA_t W_hh to h_prev; the weight gradients after the loop, over all steps.
void backward_through_time(const LstmSaved& s, const Tensor& grad, GradientSink& sink) {
  Tensor dgates = Tensor::empty(s.gates.shape());
  Tensor dh_carry = Tensor::empty({s.layout.batch, s.layout.hidden});
  Tensor dc[2] = {Tensor::empty({s.layout.batch, s.layout.hidden}), Tensor::empty({s.layout.batch, s.layout.hidden})};
  for (int64_t step = s.layout.steps - 1; step >= 0; --step) {
    const int64_t t = s.layout.time(step);
    const bool first = step == s.layout.steps - 1;
    CellBackwardPush push{cell_push(s.layout, t), s.return_sequence ? 0u : (first ? 1u : 2u), first ? 0u : 1u, 1u,
                          0.0f};
    Tensor dc_out = dc[step % 2];
    if (step == 0) {  // the cell gradient leaves the loop: to c0, or nowhere
      push.write_dc = sink.needs(s.c0_input) ? 1u : 0u;
      if (push.write_dc) {
        GradTarget target = sink.target(s.c0_input);
        dc_out = target.grad;
        push.dc_beta = target.beta;
      }
    }
    launch_linear("lstm_cell_backward",
                  {s.gates.read(), s.cell_slots.read(), grad.read(), dh_carry.read(), dc[(step + 1) % 2].read(),
                   dgates.write(), dc_out.write()},
                  push, s.layout.slot_elements());
    if (step > 0) {
      carry_product(dgates, s.layout, t, s.w_hh, dh_carry, 0.0f);
    } else if (sink.needs(s.h0_input)) {
      GradTarget target = sink.target(s.h0_input);
      carry_product(dgates, s.layout, t, s.w_hh, target.grad, target.beta);
    }
  }
  if (sink.needs(0)) {
    GradTarget target = sink.target(0);
    input_gradient(dgates, s.w_ih, target.grad, target.beta);
  }
  if (sink.needs(1)) {
    GradTarget target = sink.target(1);
    input_weight_gradient(dgates, s.x, target.grad, target.beta);
  }
  if (sink.needs(2)) {
    GradTarget target = sink.target(2);
    recurrent_weight_gradient(dgates, s.hidden_slots, s.layout, target.grad, target.beta);
  }
  if (sink.needs(s.bias_input)) {
    GradTarget target = sink.target(s.bias_input);
    bias_gradient(dgates, target.grad, target.beta);
  }
}

}  // namespace

Tensor lstm(const Tensor& x, const Tensor& w_ih, const Tensor& w_hh, const Tensor& bias, const LstmOptions& options,
            const Tensor& h0, const Tensor& c0) {
  check_weights(x, w_ih, w_hh, bias);
  const StepLayout layout = check_sequence(x, w_hh.dim(1), 4, options.reverse, "lstm");
  check_state(h0, layout, "lstm", "h0");
  check_state(c0, layout, "lstm", "c0");

  Tensor gates = Tensor::empty({layout.batch, layout.steps, 4 * layout.hidden});
  Tensor hidden_slots = Tensor::empty(layout.slots_shape());
  Tensor cell_slots = Tensor::empty(layout.slots_shape());
  input_projection(x, w_ih, bias, gates);
  load_initial_slot(hidden_slots, layout, h0);
  load_initial_slot(cell_slots, layout, c0);
  const Tensor w_hh_t = transposed_recurrent_weight(w_hh);
  for (int64_t step = 0; step < layout.steps; ++step) {
    const int64_t t = layout.time(step);
    if (step > 0 || h0.defined()) recurrent_product(hidden_slots, layout, t, w_hh_t, gates, 1.0f);
    launch_linear("lstm_cell", {gates.write(), cell_slots.write(), hidden_slots.write()}, cell_push(layout, t),
                  layout.slot_elements());
  }
  Tensor out = output_from_slots(hidden_slots, layout, options.return_sequence);

  // Inputs: x, w_ih, w_hh, then whichever of bias, h0, c0 are given.
  std::vector<Tensor> inputs{x, w_ih, w_hh};
  const size_t bias_input = bias.defined() ? inputs.size() : SIZE_MAX;
  if (bias.defined()) inputs.push_back(bias);
  const size_t h0_input = h0.defined() ? inputs.size() : SIZE_MAX;
  if (h0.defined()) inputs.push_back(h0);
  const size_t c0_input = c0.defined() ? inputs.size() : SIZE_MAX;
  if (c0.defined()) inputs.push_back(c0);

  record(out, "lstm", std::move(inputs),
         [saved = LstmSaved{x.detach(), w_ih.detach(), w_hh.detach(), gates, hidden_slots, cell_slots, layout,
                            options.return_sequence, bias_input, h0_input, c0_input}](
             const Tensor& grad, GradientSink& sink) { backward_through_time(saved, grad, sink); });
  return out;
}

std::vector<float> transpose_host(std::span<const float> matrix, int64_t rows, int64_t cols) {
  std::vector<float> out(matrix.size());
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) out[size_t(c * rows + r)] = matrix[size_t(r * cols + c)];
  }
  return out;
}

LstmHostWeights lstm_from_pytorch(int64_t input_size, int64_t hidden_size, std::span<const float> weight_ih,
                                  std::span<const float> weight_hh, std::span<const float> bias_ih,
                                  std::span<const float> bias_hh) {
  const int64_t gates = 4 * hidden_size;
  check_host_size(weight_ih, gates * input_size, "weight_ih_l0");
  check_host_size(weight_hh, gates * hidden_size, "weight_hh_l0");
  if (!bias_ih.empty()) check_host_size(bias_ih, gates, "bias_ih_l0");
  if (!bias_hh.empty()) check_host_size(bias_hh, gates, "bias_hh_l0");
  LstmHostWeights w{input_size,
                    hidden_size,
                    {weight_ih.begin(), weight_ih.end()},
                    {weight_hh.begin(), weight_hh.end()},
                    std::vector<float>(size_t(gates), 0.0f)};
  for (size_t i = 0; i < w.bias.size(); ++i) {
    w.bias[i] = (bias_ih.empty() ? 0.0f : bias_ih[i]) + (bias_hh.empty() ? 0.0f : bias_hh[i]);
  }
  return w;
}

LstmHostWeights lstm_from_keras(int64_t input_size, int64_t hidden_size, std::span<const float> kernel,
                                std::span<const float> recurrent_kernel, std::span<const float> bias) {
  const int64_t gates = 4 * hidden_size;
  check_host_size(kernel, input_size * gates, "kernel");
  check_host_size(recurrent_kernel, hidden_size * gates, "recurrent_kernel");
  if (!bias.empty()) check_host_size(bias, gates, "bias");
  // Keras' column blocks i, f, c, o are PyTorch's row blocks i, f, g, o: a transpose suffices.
  return {input_size, hidden_size, transpose_host(kernel, input_size, gates),
          transpose_host(recurrent_kernel, hidden_size, gates),
          bias.empty() ? std::vector<float>(size_t(gates), 0.0f) : std::vector<float>(bias.begin(), bias.end())};
}

KerasLstmWeights lstm_to_keras(const LstmHostWeights& w) {
  const int64_t gates = 4 * w.hidden_size;
  return {transpose_host(w.w_ih, gates, w.input_size), transpose_host(w.w_hh, gates, w.hidden_size), w.bias};
}

PytorchLstmWeights lstm_to_pytorch(const LstmHostWeights& w) {
  return {w.w_ih, w.w_hh, w.bias, std::vector<float>(w.bias.size(), 0.0f)};
}

}  // namespace medrepro
