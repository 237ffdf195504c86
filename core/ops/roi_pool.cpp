#include "core/ops/roi_pool.h"

#include <string>

#include "core/autograd.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Matches the push-constant block of shaders/roi_bins.glsl.
struct RoiPush {
  uint32_t count;
  uint32_t rois, batch, channels, height, width;
  uint32_t pooled_h, pooled_w;
  float spatial_scale;
  float beta;
};

}  // namespace

Tensor roi_max_pool(const Tensor& x, const Tensor& rois, int64_t pooled_h, int64_t pooled_w, float spatial_scale) {
  const std::string shapes = "input " + to_string(x.shape()) + ", rois " + to_string(rois.shape()) + ", bins " +
                             std::to_string(pooled_h) + "x" + std::to_string(pooled_w);
  if (x.rank() != 4 || x.numel() == 0) fail("roi_max_pool: " + shapes + ": the input must be a non-empty [N, C, H, W]");
  if (rois.rank() != 2 || rois.dim(1) != 5 || rois.dim(0) == 0) {
    fail("roi_max_pool: " + shapes + ": rois must be [R, 5] rows (batch index, x1, y1, x2, y2), R >= 1");
  }
  if (pooled_h < 1 || pooled_w < 1 || !(spatial_scale > 0.0f)) {
    fail("roi_max_pool: " + shapes + ": the bins and spatial_scale must be positive");
  }
  const int64_t height = x.dim(2), width = x.dim(3);
  // argmax holds h * W + w as a float: exact below 2^24.
  if (height * width >= (int64_t(1) << 24)) fail("roi_max_pool: " + shapes + ": feature maps of 2^24 cells or more");
  auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  RoiPush push{0, u(rois.dim(0)), u(x.dim(0)), u(x.dim(1)), u(height), u(width), u(pooled_h), u(pooled_w),
               spatial_scale, 0.0f};
  // A bin may span the whole map (a RoI larger than the map, one bin).
  bound_loop_iterations("roi_max_pool", nested_loop_iterations({uint64_t(height), uint64_t(width)}), shapes);
  bound_loop_iterations("roi_max_pool_backward",
                        nested_loop_iterations({push.rois, uint64_t(pooled_h), uint64_t(pooled_w)}), shapes);
  Tensor out = Tensor::empty({rois.dim(0), x.dim(1), pooled_h, pooled_w});
  Tensor argmax = Tensor::empty(out.shape());
  push.count = count32(out, "roi_max_pool");
  launch_linear("roi_max_pool", {x.read(), rois.read(), out.write(), argmax.write()}, push, push.count);
  record(out, "roi_max_pool", {x}, [argmax, rois = rois.detach(), push, x_count = count32(x, "roi_max_pool")](
                                       const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    RoiPush backward = push;
    backward.count = x_count;
    backward.beta = t.beta;
    launch_linear("roi_max_pool_backward", {argmax.read(), rois.read(), grad.read(), t.grad.write()}, backward,
                  x_count, {accumulates(t.beta)});
  });
  return out;
}

}  // namespace medrepro
