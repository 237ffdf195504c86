#include "core/ops/activations.h"

#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/ops/checks.h"
#include "core/ops/gemm.h"

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

// Matches shaders/prelu.comp and the head of prelu_backward.comp.
struct PreluPush {
  FastDivisor inner_divisor, channels_divisor;
  uint32_t count, channels;
};

// Matches shaders/prelu_backward.comp.
struct PreluBackwardPush {
  PreluPush shape;
  uint32_t write_dx, write_terms;
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

Tensor prelu(const Tensor& x, const Tensor& slope) {
  const std::string shapes = "input " + to_string(x.shape()) + " and slope " + to_string(slope.shape());
  if (x.rank() < 2 || x.numel() == 0) fail("prelu: " + shapes + ": the input must be a non-empty [N, C, ...]");
  const int64_t channels = x.dim(1);
  const bool shared = slope.shape() == Shape{1};
  if (!shared && slope.shape() != Shape{channels}) {
    fail("prelu: " + shapes + ": the slope must be [C] (one per channel) or [1] (shared)");
  }
  const uint32_t count = count32(x, "prelu");
  const uint32_t slopes = shared ? 1u : uint32_t(channels);
  const uint32_t inner = shared ? count : uint32_t(int64_t(count) / (x.dim(0) * channels));
  const PreluPush push{fast_divisor(inner), fast_divisor(slopes), count, slopes};
  Tensor out = Tensor::empty(x.shape());
  launch_linear("prelu", {x.read(), slope.read(), out.write()}, push, count);
  record(out, "prelu", {x, slope},
         [x = x.detach(), slope = slope.detach(), push, inner, slopes](const Tensor& grad, GradientSink& sink) {
           PreluBackwardPush backward{push, sink.needs(0) ? 1u : 0u, sink.needs(1) ? 1u : 0u, 0.0f};
           // Bindings a launch does not write still need buffers of their own.
           Tensor dx = Tensor::empty({1}), terms = Tensor::empty({1});
           if (backward.write_dx) {
             GradTarget t = sink.target(0);
             dx = t.grad;
             backward.beta = t.beta;
           }
           if (backward.write_terms) terms = Tensor::empty(x.shape());
           launch_linear("prelu_backward", {x.read(), slope.read(), grad.read(), dx.write(), terms.write()}, backward,
                         push.count, {accumulates(backward.beta)});
           if (backward.write_terms) {
             GradTarget t = sink.target(1);
             channel_sum(t.grad, terms, int64_t(push.count) / (int64_t(inner) * slopes), slopes, inner, t.beta);
           }
         });
  return out;
}

}  // namespace medrepro
