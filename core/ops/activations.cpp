#include "core/ops/activations.h"

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/{sigmoid,tanh}*.comp.
struct CountBeta {
  uint32_t count;
  float beta;  // backward: 0 overwrites dx, 1 adds to it
};

// Matches shaders/leaky_relu*.comp.
struct LeakyPush {
  uint32_t count;
  float slope;
  float beta;
};

// An activation whose gradient is a function of its output alone (sigmoid, tanh).
Tensor output_gated(const Tensor& x, const char* op, const char* forward_shader, const char* backward_shader) {
  const uint32_t count = count32(x, op);
  Tensor out = Tensor::empty(x.shape());
  if (count == 0) return out;
  launch_linear(forward_shader, {x.read(), out.write()}, CountBeta{count, 0.0f}, count);
  record(out, op, {x}, [y = out.detach(), count, backward_shader](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    launch_linear(backward_shader, {y.read(), grad.read(), t.grad.write()}, CountBeta{count, t.beta}, count,
                  {accumulates(t.beta)});
  });
  return out;
}

}  // namespace

Tensor sigmoid(const Tensor& x) { return output_gated(x, "sigmoid", "sigmoid", "sigmoid_backward"); }

Tensor tanh(const Tensor& x) { return output_gated(x, "tanh", "tanh", "tanh_backward"); }

Tensor leaky_relu(const Tensor& x, float slope) {
  const uint32_t count = count32(x, "leaky_relu");
  Tensor out = Tensor::empty(x.shape());
  if (count == 0) return out;
  launch_linear("leaky_relu", {x.read(), out.write()}, LeakyPush{count, slope, 0.0f}, count);
  // The input, not the output, decides the branch: with slope <= 0 the output's sign says nothing.
  record(out, "leaky_relu", {x}, [input = x.detach(), count, slope](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    launch_linear("leaky_relu_backward", {input.read(), grad.read(), t.grad.write()}, LeakyPush{count, slope, t.beta},
                  count, {accumulates(t.beta)});
  });
  return out;
}

}  // namespace medrepro
