#include "core/ops/pool2d.h"

#include <climits>
#include <memory>
#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/memory.h"
#include "core/ops/checks.h"
#include "core/ops/shape.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/{max,avg}_pool2d*.comp.
struct PoolPush {
  int32_t planes, height, width, out_height, out_width;
  int32_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  uint32_t count;
  float beta;
  FastDivisor by_width, by_height;  // max pooling: the invocation's row length and rows per plane
};

// Matches shaders/global_avg_pool2d*.comp.
struct GlobalPoolPush {
  uint32_t planes, plane_size;
  float beta;
};

std::string describe(const Pool2dOptions& o) {
  return "kernel " + std::to_string(o.kernel_h) + "x" + std::to_string(o.kernel_w) + ", stride " +
         std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w) + ", pad " + std::to_string(o.pad_h) + "x" +
         std::to_string(o.pad_w);
}

int64_t output_size(int64_t input, int kernel, int stride, int pad, bool ceil_mode, const std::string& op,
                    const std::string& context) {
  if (kernel < 1 || stride < 1 || pad < 0 || pad >= kernel) {
    fail(op + ": invalid options (" + context + "); need kernel >= 1, stride >= 1, 0 <= pad < kernel");
  }
  const int64_t span = input + 2 * int64_t(pad) - kernel;
  if (span < 0) fail(op + ": window larger than the padded input (" + context + ")");
  int64_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  // The last window must start inside the image or its leading padding.
  if ((out - 1) * stride >= input + pad) --out;
  return out;
}

// Validates x and the options, returns the push constants for the forward pass.
PoolPush pool_shape(const Tensor& x, const Pool2dOptions& o, const char* op) {
  expect_rank(x, 4, op, "input");
  const std::string context = "input " + to_string(x.shape()) + ", " + describe(o);
  const int64_t out_h = output_size(x.dim(2), o.kernel_h, o.stride_h, o.pad_h, o.ceil_mode, op, context);
  const int64_t out_w = output_size(x.dim(3), o.kernel_w, o.stride_w, o.pad_w, o.ceil_mode, op, context);
  // Shaders index with 32-bit signed arithmetic.
  const int64_t planes = x.dim(0) * x.dim(1);
  if (x.numel() > INT_MAX || planes * out_h * out_w > INT_MAX) fail(std::string(op) + ": " + context + " too large");
  return PoolPush{.planes = static_cast<int32_t>(planes),
                  .height = static_cast<int32_t>(x.dim(2)),
                  .width = static_cast<int32_t>(x.dim(3)),
                  .out_height = static_cast<int32_t>(out_h),
                  .out_width = static_cast<int32_t>(out_w),
                  .kernel_h = o.kernel_h,
                  .kernel_w = o.kernel_w,
                  .stride_h = o.stride_h,
                  .stride_w = o.stride_w,
                  .pad_h = o.pad_h,
                  .pad_w = o.pad_w,
                  .count = 0,
                  .beta = 0.0f};
}

// Loops over a window (forward) and over the windows that cover an input (backward).
void bound_window_loops(const char* op, const PoolPush& push) {
  const std::string what = "a window of " + std::to_string(push.kernel_h) + "x" + std::to_string(push.kernel_w) +
                           " with stride " + std::to_string(push.stride_h) + "x" + std::to_string(push.stride_w);
  bound_loop_iterations(op, nested_loop_iterations({uint64_t(push.kernel_h), uint64_t(push.kernel_w)}), what);
  bound_loop_iterations(std::string(op) + "_backward",
                        nested_loop_iterations({ceil_div(uint64_t(push.kernel_h), uint64_t(push.stride_h)),
                                                ceil_div(uint64_t(push.kernel_w), uint64_t(push.stride_w))}),
                        what);
}

Shape pooled_shape(const Tensor& x, const PoolPush& push) {
  return {x.dim(0), x.dim(1), push.out_height, push.out_width};
}

}  // namespace

Pool2dOptions pool2d(int kernel, int stride, int pad, bool ceil_mode) {
  return Pool2dOptions{kernel, kernel, stride, stride, pad, pad, ceil_mode};
}

int64_t pool2d_output_size(int64_t input, int kernel, int stride, int pad, bool ceil_mode) {
  return output_size(input, kernel, stride, pad, ceil_mode, "pool2d",
                     "input " + std::to_string(input) + ", kernel " + std::to_string(kernel) + ", stride " +
                         std::to_string(stride) + ", pad " + std::to_string(pad));
}

Tensor max_pool2d(const Tensor& x, const Pool2dOptions& options) {
  PoolPush push = pool_shape(x, options, "max_pool2d");
  // The winner's index within its plane is kept as a float, exact below 2^24.
  if (int64_t(push.height) * push.width >= (int64_t(1) << 24)) {
    fail("max_pool2d: planes of " + std::to_string(push.height) + "x" + std::to_string(push.width) +
         " are too large (at most 2^24 elements)");
  }
  bound_window_loops("max_pool2d", push);
  Tensor out = Tensor::empty(pooled_shape(x, push));
  auto argmax = std::make_shared<Buffer>(static_cast<size_t>(out.numel()) * sizeof(float));
  push.count = count32(out, "max_pool2d");
  push.by_width = fast_divisor(static_cast<uint32_t>(push.out_width));
  push.by_height = fast_divisor(static_cast<uint32_t>(push.out_height));
  const std::initializer_list<uint32_t> window = {uint32_t(push.kernel_h), uint32_t(push.kernel_w)};
  if (fits_texel_buffer(x.range(), BindingKind::TexelR32F)) {
    launch_linear("max_pool2d", {texels(x.range()), out.write(), writes(argmax->range())}, push, out.numel(), window);
  } else {
    launch_linear("max_pool2d_storage", {x.read(), out.write(), writes(argmax->range())}, push, out.numel(), window);
  }
  record(out, "max_pool2d", {x}, [push, argmax, input_shape = x.shape()](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    PoolPush backward = push;
    backward.count = static_cast<uint32_t>(element_count(input_shape));
    backward.beta = t.beta;
    backward.by_width = fast_divisor(static_cast<uint32_t>(push.width));
    backward.by_height = fast_divisor(static_cast<uint32_t>(push.height));
    const std::initializer_list<uint32_t> constants = {uint32_t(push.kernel_h), uint32_t(push.kernel_w),
                                                       uint32_t(push.stride_h), uint32_t(push.stride_w),
                                                       accumulates(t.beta)};
    if (fits_texel_buffer(grad.range(), BindingKind::TexelR32F) &&
        fits_texel_buffer(argmax->range(), BindingKind::TexelR32F)) {
      launch_linear("max_pool2d_backward", {texels(grad.range()), texels(argmax->range()), t.grad.write()},
                    backward, backward.count, constants);
    } else {
      launch_linear("max_pool2d_backward_storage", {grad.read(), reads(argmax->range()), t.grad.write()},
                    backward, backward.count, constants);
    }
  });
  return out;
}

Tensor avg_pool2d(const Tensor& x, const Pool2dOptions& options) {
  PoolPush push = pool_shape(x, options, "avg_pool2d");
  bound_window_loops("avg_pool2d", push);
  Tensor out = Tensor::empty(pooled_shape(x, push));
  push.count = count32(out, "avg_pool2d");
  launch_linear("avg_pool2d", {x.read(), out.write()}, push, out.numel());
  record(out, "avg_pool2d", {x}, [push, input_shape = x.shape()](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    PoolPush backward = push;
    backward.count = static_cast<uint32_t>(element_count(input_shape));
    backward.beta = t.beta;
    launch_linear("avg_pool2d_backward", {grad.read(), t.grad.write()}, backward, backward.count,
                  {accumulates(t.beta)});
  });
  return out;
}

Tensor l2_pool2d(const Tensor& x, const Pool2dOptions& options) {
  PoolPush push = pool_shape(x, options, "l2_pool2d");
  bound_window_loops("l2_pool2d", push);
  Tensor out = Tensor::empty(pooled_shape(x, push));
  push.count = count32(out, "l2_pool2d");
  launch_linear("l2_pool2d", {x.read(), out.write()}, push, out.numel());
  record(out, "l2_pool2d", {x}, [push, x = x.detach(), y = out.detach()](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    PoolPush backward = push;
    backward.count = static_cast<uint32_t>(x.numel());
    backward.beta = t.beta;
    launch_linear("l2_pool2d_backward", {x.read(), y.read(), grad.read(), t.grad.write()}, backward, backward.count,
                  {accumulates(t.beta)});
  });
  return out;
}

Tensor global_avg_pool2d(const Tensor& x) {
  expect_rank(x, 4, "global_avg_pool2d", "input");
  if (x.dim(2) * x.dim(3) == 0) fail("global_avg_pool2d: empty planes in input " + to_string(x.shape()));
  count32(x, "global_avg_pool2d");
  Tensor out = Tensor::empty({x.dim(0), x.dim(1)});
  const GlobalPoolPush push{static_cast<uint32_t>(out.numel()), static_cast<uint32_t>(x.dim(2) * x.dim(3)), 0.0f};
  // One invocation per plane, within the loop budget; larger planes are summed in chunks.
  if (push.plane_size <= kMaxLoopIterationsPerInvocation) {
    launch_linear("global_avg_pool2d", {x.read(), out.write()}, push, out.numel());
  } else {
    sum_middle_axis(x, out, push.planes, push.plane_size, 1, static_cast<float>(1.0 / double(push.plane_size)));
  }
  record(out, "global_avg_pool2d", {x}, [push](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    const GlobalPoolPush backward{push.planes, push.plane_size, t.beta};
    launch_linear("global_avg_pool2d_backward", {grad.read(), t.grad.write()}, backward,
                  uint64_t(push.planes) * push.plane_size, {accumulates(t.beta)});
  });
  return out;
}

}  // namespace medrepro
