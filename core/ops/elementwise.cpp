#include "core/ops/elementwise.h"

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

struct CountBeta {
  uint32_t count;
  float beta;  // 0: overwrite the output, 1: add to it (gradient accumulation)
};

// out = a * b (+ beta * out)
void multiply_into(const Tensor& out, const Tensor& a, const Tensor& b, float beta) {
  launch_linear("multiply", {a.read(), b.read(), out.write()}, CountBeta{count32(out, "mul"), beta}, out.numel());
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  expect_same_shape(a, b, "add");
  Tensor out = Tensor::empty(a.shape());
  launch_linear("add", {a.read(), b.read(), out.write()}, CountBeta{count32(out, "add"), 0.0f}, out.numel());
  record(out, "add", {a, b}, [](const Tensor& grad, GradientSink& sink) {
    sink.accumulate(0, grad);
    sink.accumulate(1, grad);
  });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  expect_same_shape(a, b, "mul");
  Tensor out = Tensor::empty(a.shape());
  multiply_into(out, a, b, 0.0f);
  record(out, "mul", {a, b}, [a = a.detach(), b = b.detach()](const Tensor& grad, GradientSink& sink) {
    if (sink.needs(0)) {
      GradTarget t = sink.target(0);
      multiply_into(t.grad, grad, b, t.beta);
    }
    if (sink.needs(1)) {
      GradTarget t = sink.target(1);
      multiply_into(t.grad, grad, a, t.beta);
    }
  });
  return out;
}

Tensor scale(const Tensor& x, float factor) {
  Tensor out = Tensor::empty(x.shape());
  axpby(out, x, factor, 0.0f);
  record(out, "scale", {x}, [factor](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    axpby(t.grad, grad, factor, t.beta);
  });
  return out;
}

Tensor relu(const Tensor& x) {
  Tensor out = Tensor::empty(x.shape());
  const uint32_t count = count32(x, "relu");
  if (fits_vec4_texels(x.range(), x.numel())) {
    launch_linear("relu_vec4", {texels(x.range(), BindingKind::TexelRGBA32F), out.write()},
                  CountBeta{count / 4, 0.0f}, count / 4);
  } else {
    launch_linear("relu", {x.read(), out.write()}, CountBeta{count, 0.0f}, count);
  }
  record(out, "relu", {x}, [y = out.detach(), count](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    if (fits_vec4_texels(y.range(), y.numel()) && fits_vec4_texels(grad.range(), grad.numel())) {
      launch_linear("relu_backward_vec4",
                    {texels(y.range(), BindingKind::TexelRGBA32F), texels(grad.range(), BindingKind::TexelRGBA32F),
                     t.grad.write()},
                    CountBeta{count / 4, t.beta}, count / 4, {accumulates(t.beta)});
    } else {
      launch_linear("relu_backward", {y.read(), grad.read(), t.grad.write()}, CountBeta{count, t.beta}, count,
                    {accumulates(t.beta)});
    }
  });
  return out;
}

}  // namespace medrepro
