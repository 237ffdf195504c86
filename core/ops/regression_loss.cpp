#include "core/ops/regression_loss.h"

#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/ops/checks.h"
#include "core/ops/elementwise.h"
#include "core/ops/shape.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/smooth_l1*.comp.
struct SmoothL1Push {
  uint32_t count;
  float beta;
  float grad_beta;  // backward: 0 overwrites dd, 1 adds to it
};

}  // namespace

Tensor smooth_l1(const Tensor& d, float beta) {
  if (!(beta > 0.0f)) fail("smooth_l1: beta must be positive, got " + std::to_string(beta));
  const uint32_t count = count32(d, "smooth_l1");
  Tensor out = Tensor::empty(d.shape());
  if (count == 0) return out;
  launch_linear("smooth_l1", {d.read(), out.write()}, SmoothL1Push{count, beta, 0.0f}, count);
  record(out, "smooth_l1", {d}, [d = d.detach(), count, beta](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    launch_linear("smooth_l1_backward", {d.read(), grad.read(), t.grad.write()}, SmoothL1Push{count, beta, t.beta},
                  count, {accumulates(t.beta)});
  });
  return out;
}

Tensor smooth_l1_loss(const Tensor& prediction, const Tensor& target, float beta) {
  if (prediction.shape() != target.shape() || prediction.numel() == 0) {
    fail("smooth_l1_loss: prediction " + to_string(prediction.shape()) + " and target " + to_string(target.shape()) +
         " must have the same, non-empty shape");
  }
  const Tensor difference = add(prediction, scale(target.detach(), -1.0f));
  return mean(smooth_l1(difference, beta).reshape({1, prediction.numel()}), 1);
}

}  // namespace medrepro
