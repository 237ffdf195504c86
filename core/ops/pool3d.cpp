#include "core/ops/pool3d.h"

#include <climits>
#include <memory>
#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/memory.h"
#include "core/ops/checks.h"
#include "core/ops/gemm.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/{max,avg}_pool3d*.comp.
struct PoolPush {
  int32_t planes, in_d, in_h, in_w, out_d, out_h, out_w;
  int32_t kernel_d, kernel_h, kernel_w, stride_d, stride_h, stride_w, pad_d, pad_h, pad_w;
  uint32_t count;
  float beta;
  uint32_t count_include_pad;
};

// Matches shaders/global_avg_pool3d_backward.comp.
struct GlobalPoolPush {
  uint32_t planes, volume;
  float beta;
};

std::string describe(const Pool3dOptions& o) {
  auto triple = [](const std::array<int, 3>& v) {
    return std::to_string(v[0]) + "x" + std::to_string(v[1]) + "x" + std::to_string(v[2]);
  };
  return "kernel " + triple(o.kernel) + ", stride " + triple(o.stride) + ", padding " + triple(o.padding);
}

// Validates x and the options; returns the push constants of the forward pass.
PoolPush pool_shape(const Tensor& x, const Pool3dOptions& o, const char* op) {
  expect_rank(x, 5, op, "input");
  const std::string context = "input " + to_string(x.shape()) + ", " + describe(o);
  int64_t out[3];
  for (size_t axis = 0; axis < 3; ++axis) {
    const int kernel = o.kernel[axis], stride = o.stride[axis], pad = o.padding[axis];
    if (kernel < 1 || stride < 1 || pad < 0 || pad > kernel / 2) {
      fail(std::string(op) + ": invalid options (" + context +
           "); need kernel >= 1, stride >= 1, 0 <= padding <= kernel / 2");
    }
    const int64_t span = x.dim(int(2 + axis)) + 2 * int64_t(pad) - kernel;
    if (span < 0) fail(std::string(op) + ": window larger than the padded input (" + context + ")");
    out[axis] = span / stride + 1;
  }
  // Shaders index with 32-bit signed arithmetic.
  const int64_t planes = x.dim(0) * x.dim(1);
  if (x.numel() > INT_MAX || planes * out[0] * out[1] * out[2] > INT_MAX) {
    fail(std::string(op) + ": " + context + " too large");
  }
  auto i = [](int64_t v) { return static_cast<int32_t>(v); };
  return PoolPush{.planes = i(planes),
                  .in_d = i(x.dim(2)),
                  .in_h = i(x.dim(3)),
                  .in_w = i(x.dim(4)),
                  .out_d = i(out[0]),
                  .out_h = i(out[1]),
                  .out_w = i(out[2]),
                  .kernel_d = o.kernel[0],
                  .kernel_h = o.kernel[1],
                  .kernel_w = o.kernel[2],
                  .stride_d = o.stride[0],
                  .stride_h = o.stride[1],
                  .stride_w = o.stride[2],
                  .pad_d = o.padding[0],
                  .pad_h = o.padding[1],
                  .pad_w = o.padding[2],
                  .count = 0,
                  .beta = 0.0f,
                  .count_include_pad = o.count_include_pad ? 1u : 0u};
}

// Loops over a window (forward) and over the windows that cover an input voxel (backward).
void bound_window_loops(const char* op, const PoolPush& push) {
  const std::string what = "a window of " + std::to_string(push.kernel_d) + "x" + std::to_string(push.kernel_h) +
                           "x" + std::to_string(push.kernel_w);
  auto u = [](int v) { return uint64_t(v); };
  bound_loop_iterations(op, nested_loop_iterations({u(push.kernel_d), u(push.kernel_h), u(push.kernel_w)}), what);
  bound_loop_iterations(std::string(op) + "_backward",
                        nested_loop_iterations({ceil_div(u(push.kernel_d), u(push.stride_d)),
                                                ceil_div(u(push.kernel_h), u(push.stride_h)),
                                                ceil_div(u(push.kernel_w), u(push.stride_w))}),
                        what);
}

Shape pooled_shape(const Tensor& x, const PoolPush& push) {
  return {x.dim(0), x.dim(1), push.out_d, push.out_h, push.out_w};
}

// The push constants of a backward gather over the input: one invocation per input voxel.
PoolPush backward_push(const PoolPush& forward, float beta) {
  PoolPush push = forward;
  push.count = static_cast<uint32_t>(int64_t(forward.planes) * forward.in_d * forward.in_h * forward.in_w);
  push.beta = beta;
  return push;
}

}  // namespace

Pool3dOptions pool3d(int kernel, int stride, int padding) {
  return {{kernel, kernel, kernel}, {stride, stride, stride}, {padding, padding, padding}, true};
}

Tensor max_pool3d(const Tensor& x, const Pool3dOptions& options) {
  PoolPush push = pool_shape(x, options, "max_pool3d");
  bound_window_loops("max_pool3d", push);
  Tensor out = Tensor::empty(pooled_shape(x, push));
  // Which input voxel won each window, as its index (d * H + h) * W + w within the volume.
  auto argmax = std::make_shared<Buffer>(static_cast<size_t>(out.numel()) * sizeof(uint32_t));
  push.count = count32(out, "max_pool3d");
  launch_linear("max_pool3d", {x.read(), out.write(), writes(argmax->range())}, push, out.numel());
  record(out, "max_pool3d", {x}, [push, argmax](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    const PoolPush backward = backward_push(push, t.beta);
    launch_linear("max_pool3d_backward", {grad.read(), reads(argmax->range()), t.grad.write()}, backward,
                  backward.count);
  });
  return out;
}

Tensor avg_pool3d(const Tensor& x, const Pool3dOptions& options) {
  PoolPush push = pool_shape(x, options, "avg_pool3d");
  bound_window_loops("avg_pool3d", push);
  Tensor out = Tensor::empty(pooled_shape(x, push));
  push.count = count32(out, "avg_pool3d");
  launch_linear("avg_pool3d", {x.read(), out.write()}, push, out.numel());
  record(out, "avg_pool3d", {x}, [push](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    const PoolPush backward = backward_push(push, t.beta);
    launch_linear("avg_pool3d_backward", {grad.read(), t.grad.write()}, backward, backward.count);
  });
  return out;
}

Tensor global_avg_pool3d(const Tensor& x) {
  expect_rank(x, 5, "global_avg_pool3d", "input");
  const int64_t volume = x.dim(2) * x.dim(3) * x.dim(4);
  const int64_t planes = x.dim(0) * x.dim(1);
  if (volume == 0 || planes == 0) fail("global_avg_pool3d: empty input " + to_string(x.shape()));
  count32(x, "global_avg_pool3d");
  // A workgroup-parallel, fixed-order sum per (n, c) volume, then the mean.
  Tensor sums = Tensor::empty({x.dim(0), x.dim(1)});
  channel_sum(sums, x, 1, planes, volume, 0.0f);
  Tensor out = Tensor::empty({x.dim(0), x.dim(1)});
  axpby(out, sums, static_cast<float>(1.0 / double(volume)), 0.0f);
  const GlobalPoolPush push{static_cast<uint32_t>(planes), static_cast<uint32_t>(volume), 0.0f};
  record(out, "global_avg_pool3d", {x}, [push](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    const GlobalPoolPush backward{push.planes, push.volume, t.beta};
    launch_linear("global_avg_pool3d_backward", {grad.read(), t.grad.write()}, backward,
                  uint64_t(push.planes) * push.volume);
  });
  return out;
}

}  // namespace medrepro
