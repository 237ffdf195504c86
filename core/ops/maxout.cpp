#include "core/ops/maxout.h"

#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/maxout*.comp.
struct MaxoutPush {
  FastDivisor inner_divisor, pieces_divisor;
  uint32_t count, pieces, inner;
  float beta;
};

}  // namespace

Tensor maxout(const Tensor& x, int64_t pieces) {
  const std::string what = "maxout of " + std::to_string(pieces) + " pieces over input " + to_string(x.shape());
  if (x.rank() < 2 || x.numel() == 0) fail(what + ": the input must be a non-empty [N, C, ...]");
  if (pieces < 1 || x.dim(1) % pieces != 0) fail(what + ": the channels must be a positive multiple of the pieces");
  Shape out_shape = x.shape();
  out_shape[1] /= pieces;
  const uint32_t count = count32(x, "maxout");
  const uint32_t inner = uint32_t(int64_t(count) / (x.dim(0) * x.dim(1)));
  bound_loop_iterations("maxout", uint64_t(pieces), what);
  MaxoutPush push{fast_divisor(inner), fast_divisor(uint32_t(pieces)), count / uint32_t(pieces), uint32_t(pieces),
                  inner, 0.0f};
  Tensor out = Tensor::empty(out_shape);
  launch_linear("maxout", {x.read(), out.write()}, push, push.count);
  record(out, "maxout", {x}, [x = x.detach(), push, count](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    MaxoutPush backward = push;
    backward.count = count;
    backward.beta = t.beta;
    launch_linear("maxout_backward", {x.read(), grad.read(), t.grad.write()}, backward, count,
                  {accumulates(t.beta)});
  });
  return out;
}

}  // namespace medrepro
