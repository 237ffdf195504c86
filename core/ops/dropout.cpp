#include "core/ops/dropout.h"

#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

struct DropoutPush {
  uint32_t count;
  uint32_t seed;
  float p;
  float keep_scale;
  float beta;
};

// out = mask(seed) * in / (1 - p) (+ beta * out). The backward is the same map applied to dy.
void apply_mask(const Tensor& in, const Tensor& out, float p, float keep_scale, uint32_t seed, float beta) {
  launch_linear("dropout", {in.read(), out.write()}, DropoutPush{count32(in, "dropout"), seed, p, keep_scale, beta},
                in.numel(), {accumulates(beta)});
}

}  // namespace

Tensor dropout(const Tensor& x, float p, uint32_t seed) {
  if (!(p >= 0.0f && p < 1.0f)) fail("dropout: p must lie in [0, 1), got " + std::to_string(p));
  if (p == 0.0f) return x;
  const float keep_scale = 1.0f / (1.0f - p);
  Tensor out = Tensor::empty(x.shape());
  if (x.numel() == 0) return out;
  apply_mask(x, out, p, keep_scale, seed, 0.0f);
  record(out, "dropout", {x}, [p, keep_scale, seed](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    apply_mask(grad, t.grad, p, keep_scale, seed, t.beta);
  });
  return out;
}

}  // namespace medrepro
