#include "core/ops/lrn.h"

#include <cmath>
#include <string>

#include "core/autograd.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Shared by lrn.comp and lrn_backward.comp; `last` is k forward, beta (accumulate) backward.
struct LrnPush {
  uint32_t positions;  // N * H * W: one invocation each, walking the channels
  uint32_t channels;
  uint32_t plane;
  float alpha_over_size;
  float beta;
  float last;
  FastDivisor by_plane;
};

void check_options(const LrnOptions& options) {
  const bool finite = std::isfinite(options.alpha) && std::isfinite(options.beta) && std::isfinite(options.k);
  if (!finite || options.size < 1 || options.alpha < 0.0f || options.k <= 0.0f) {
    fail("local_response_norm: needs size >= 1, alpha >= 0, k > 0, all finite; got size " +
         std::to_string(options.size) + ", alpha " + std::to_string(options.alpha) + ", beta " +
         std::to_string(options.beta) + ", k " + std::to_string(options.k));
  }
}

}  // namespace

Tensor local_response_norm(const Tensor& x, const LrnOptions& options) {
  expect_rank(x, 4, "local_response_norm", "x [N, C, H, W]");
  check_options(options);
  const uint32_t count = count32(x, "local_response_norm");
  Tensor out = Tensor::empty(x.shape());
  if (count == 0) return out;
  LrnPush push{static_cast<uint32_t>(x.dim(0) * x.dim(2) * x.dim(3)),
               static_cast<uint32_t>(x.dim(1)),
               static_cast<uint32_t>(x.dim(2) * x.dim(3)),
               options.alpha / static_cast<float>(options.size),
               options.beta,
               options.k};
  push.by_plane = fast_divisor(push.plane);
  const uint32_t size = static_cast<uint32_t>(options.size);  // the window, compiled in
  // Forward and backward walk the channels of a position, sliding the window.
  bound_loop_iterations("lrn", push.channels, "a window sliding over " + std::to_string(push.channels) + " channels");
  const Tensor scale = Tensor::empty(x.shape()), powered = Tensor::empty(x.shape());  // powered = scale^-beta
  if (fits_texel_buffer(x.range(), BindingKind::TexelR32F)) {
    launch_linear("lrn", {texels(x.range()), out.write(), scale.write(), powered.write()}, push, push.positions,
                  {size});
  } else {
    launch_linear("lrn_storage", {x.read(), out.write(), scale.write(), powered.write()}, push, push.positions,
                  {size});
  }
  record(out, "local_response_norm", {x},
         [input = x.detach(), scale, powered, push, size](const Tensor& grad, GradientSink& sink) {
           GradTarget t = sink.target(0);
           LrnPush backward = push;
           backward.last = t.beta;
           bool texel_reads = true;
           for (const Tensor* operand : {&input, &scale, &powered, &grad}) {
             texel_reads = texel_reads && fits_texel_buffer(operand->range(), BindingKind::TexelR32F);
           }
           if (texel_reads) {
             launch_linear("lrn_backward",
                           {texels(input.range()), texels(scale.range()), texels(powered.range()),
                            texels(grad.range()), t.grad.write()},
                           backward, backward.positions, {size, accumulates(t.beta)});
           } else {
             launch_linear("lrn_backward_storage",
                           {input.read(), scale.read(), powered.read(), grad.read(), t.grad.write()}, backward,
                           backward.positions, {size, accumulates(t.beta)});
           }
         });
  return out;
}

}  // namespace medrepro
