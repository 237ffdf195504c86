#include "core/ops/upsample.h"

#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/upsample*.comp.
struct UpsamplePush {
  FastDivisor in_w_divisor, in_h_divisor, in_d_divisor, out_w_divisor, out_h_divisor, out_d_divisor;
  FastDivisor factor_w_divisor, factor_h_divisor, factor_d_divisor;
  uint32_t planes, in_d, in_h, in_w;
  uint32_t factor_d, factor_h, factor_w;
  uint32_t linear;
  uint32_t count;
  float beta;
};

std::string describe(const std::vector<int>& factors) {
  std::string text;
  for (size_t i = 0; i < factors.size(); ++i) {
    if (i) text += 'x';
    text += std::to_string(factors[i]);
  }
  return text;
}

}  // namespace

Tensor upsample(const Tensor& x, const std::vector<int>& factors, UpsampleMode mode) {
  const char* op = mode == UpsampleMode::Nearest ? "upsample (nearest)" : "upsample (linear)";
  if (x.rank() != 4 && x.rank() != 5) {
    fail(std::string(op) + ": input must be [N, C, H, W] or [N, C, D, H, W], got shape " + to_string(x.shape()));
  }
  const int spatial = x.rank() - 2;
  if (factors.size() != size_t(spatial)) {
    fail(std::string(op) + ": input " + to_string(x.shape()) + " needs " + std::to_string(spatial) +
         " factors, got " + std::to_string(factors.size()) + " (" + describe(factors) + ")");
  }
  for (int f : factors) {
    if (f < 1) {
      fail(std::string(op) + ": factors " + describe(factors) + " must be >= 1 (input " + to_string(x.shape()) + ")");
    }
  }
  if (x.numel() == 0) fail(std::string(op) + ": empty input " + to_string(x.shape()));
  // A 2-D input is a volume of depth 1, upsampled by 1 in depth.
  const int64_t in_d = spatial == 3 ? x.dim(2) : 1;
  const int64_t factor_d = spatial == 3 ? factors[0] : 1;
  Shape out_shape = x.shape();
  for (int axis = 0; axis < spatial; ++axis) out_shape[size_t(2 + axis)] *= factors[size_t(axis)];
  if (element_count(out_shape) > int64_t(0xffffffffu)) {
    fail(std::string(op) + ": output " + to_string(out_shape) + " of input " + to_string(x.shape()) + " too large");
  }
  auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  Tensor out = Tensor::empty(out_shape);
  UpsamplePush push{.planes = u(x.dim(0) * x.dim(1)),
                    .in_d = u(in_d),
                    .in_h = u(x.dim(-2)),
                    .in_w = u(x.dim(-1)),
                    .factor_d = u(factor_d),
                    .factor_h = u(factors[size_t(spatial - 2)]),
                    .factor_w = u(factors[size_t(spatial - 1)]),
                    .linear = mode == UpsampleMode::Linear ? 1u : 0u,
                    .count = count32(out, op),
                    .beta = 0.0f};
  push.in_w_divisor = fast_divisor(push.in_w);
  push.in_h_divisor = fast_divisor(push.in_h);
  push.in_d_divisor = fast_divisor(push.in_d);
  push.out_w_divisor = fast_divisor(push.in_w * push.factor_w);
  push.out_h_divisor = fast_divisor(push.in_h * push.factor_h);
  push.out_d_divisor = fast_divisor(push.in_d * push.factor_d);
  push.factor_w_divisor = fast_divisor(push.factor_w);
  push.factor_h_divisor = fast_divisor(push.factor_h);
  push.factor_d_divisor = fast_divisor(push.factor_d);
  // upsample_backward gathers, per input element, the outputs of its own block
  // (nearest) or of the three blocks around it (linear) along each axis.
  const uint64_t reach = push.linear ? 3 : 1;
  bound_loop_iterations("upsample_backward",
                        nested_loop_iterations({reach * push.factor_d, reach * push.factor_h, reach * push.factor_w}),
                        "upsampling by " + std::to_string(push.factor_d) + "x" + std::to_string(push.factor_h) + "x" +
                            std::to_string(push.factor_w));
  const bool quads = !push.linear && (push.in_w * push.factor_w) % 4 == 0;
  if (quads) {
    UpsamplePush quad_push = push;
    quad_push.count = push.count / 4;
    launch_linear("upsample_nearest_vec4", {x.read(), out.write()}, quad_push, quad_push.count);
  } else {
    launch_linear("upsample", {x.read(), out.write()}, push, out.numel());
  }
  record(out, op, {x}, [push](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    UpsamplePush backward = push;
    backward.count = static_cast<uint32_t>(t.grad.numel());
    backward.beta = t.beta;
    launch_linear("upsample_backward", {grad.read(), t.grad.write()}, backward, backward.count,
                  {accumulates(t.beta)});
  });
  return out;
}

}  // namespace medrepro
