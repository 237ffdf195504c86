#include "core/ops/batch_norm.h"

#include <algorithm>
#include <string>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"
#include "core/ops/gemm.h"

namespace medrepro {
namespace {

// Matches shaders/batch_norm_stats.comp.
struct StatsPush {
  uint32_t outer, channels, inner;
  float eps, momentum, unbias;
  uint32_t update_running;
};

// Matches shaders/batch_norm_span_sums.comp.
struct SpanSumsPush {
  uint32_t outer, channels, inner, span, centred;
};

// Matches shaders/batch_norm_stats_combine.comp.
struct CombinePush {
  uint32_t channels, spans, count;
  float eps, momentum, unbias;
  uint32_t update_running, variance;
};

// Matches shaders/batch_norm_running_stats.comp.
struct RunningStatsPush {
  uint32_t channels;
  float eps;
};

// Matches shaders/batch_norm_apply.comp.
struct ApplyPush {
  FastDivisor inner_divisor, channels_divisor;
  uint32_t count, channels, affine;
};

// Matches shaders/batch_norm_backward_reduce.comp.
struct ReducePush {
  uint32_t outer, channels, inner, span;
};

// Matches shaders/batch_norm_backward_input.comp.
struct InputGradPush {
  FastDivisor inner_divisor, channels_divisor;
  uint32_t count, channels, affine, training;
  float inv_m, beta;
};

// Matches shaders/batch_norm_backward_param.comp.
struct ParamGradPush {
  uint32_t channels, column;
  float beta;
};

// x viewed as [outer, channels, inner].
struct Layout {
  uint32_t count = 0, outer = 0, channels = 0, inner = 0;
  uint32_t per_channel() const { return outer * inner; }
};

// The per-element kernels (apply, backward_input) take four elements per
// invocation where the count allows it and every operand can be read as RGBA
// texels; `per` is then 4 and the count is in fours.
struct ElementPass {
  std::string kernel;
  uint32_t per = 1;
};
ElementPass element_pass(const std::string& kernel, const Layout& layout,
                         std::initializer_list<const Tensor*> texel_reads) {
  bool vec4 = true;
  for (const Tensor* t : texel_reads) vec4 = vec4 && fits_vec4_texels(t->range(), layout.count);
  return vec4 ? ElementPass{kernel + "_vec4", 4} : ElementPass{kernel, 1};
}

// Texel reads for the reductions where x (and dy) fit, else their _storage variants.
std::string reduction_kernel(const char* kernel, std::initializer_list<const Tensor*> reads) {
  bool texel = true;
  for (const Tensor* t : reads) texel = texel && fits_texel_buffer(t->range(), BindingKind::TexelR32F);
  return texel ? kernel : std::string(kernel) + "_storage";
}

Access reduction_read(const Tensor& t, const std::string& kernel) {
  return kernel.ends_with("_storage") ? t.read() : texels(t.range());
}

// Per-channel reductions: one workgroup per channel, wide enough to keep a GPU busy on
// large volumes, within the device's limits (two floats of shared memory per lane).
uint32_t reduction_workgroup_size() {
  const DeviceLimits& limits = Context::get().limits();
  return std::min({256u, limits.max_workgroup_invocations, limits.max_workgroup_size[0],
                   limits.max_shared_memory_bytes / uint32_t(2 * sizeof(float))});
}

std::array<uint32_t, 3> channel_groups(uint32_t channels) {
  return {std::min(channels, Context::get().limits().max_workgroup_count[0]), 1, 1};
}

// Loop back-edges of a per-channel reduction's invocation: `passes` strided walks
// over `span` values of a channel, each followed by a shared-memory tree, for
// every channel its workgroup takes.
uint64_t channel_reduction_iterations(uint32_t channels, uint64_t span, uint64_t passes) {
  const uint32_t lanes = reduction_workgroup_size();
  return grid_repeats(channels, channel_groups(channels)[0]) *
         passes * ((span + lanes - 1) / lanes + tree_steps(lanes) + 1);
}

std::string describe_channels(const Layout& layout) {
  return "batch_norm statistics over " + std::to_string(layout.per_channel()) + " values per channel";
}

// A channel's values cut into spans of `span`, one per workgroup row, so that a
// reduction walking each span `passes` times stays within the loop budget; one
// span covers the channel whenever it fits, which keeps those results as they were.
struct ChannelSpans {
  uint32_t span = 0, count = 1;
};

ChannelSpans channel_spans(const char* kernel, const Layout& layout, uint64_t passes) {
  const uint64_t values = layout.per_channel();
  if (channel_reduction_iterations(layout.channels, values, passes) <= kMaxLoopIterationsPerInvocation) {
    return {layout.per_channel(), 1};
  }
  const uint64_t repeats = grid_repeats(layout.channels, channel_groups(layout.channels)[0]);
  const uint32_t lanes = reduction_workgroup_size();
  const uint64_t per_lane = kMaxLoopIterationsPerInvocation / (repeats * passes);
  if (per_lane <= tree_steps(lanes) + 1) {
    bound_loop_iterations(kernel, channel_reduction_iterations(layout.channels, 1, passes), describe_channels(layout));
  }
  const uint64_t span = (per_lane - tree_steps(lanes) - 1) * lanes;
  const uint32_t spans = ceil_div(values, span);
  if (spans > Context::get().limits().max_workgroup_count[1]) {
    bound_loop_iterations(kernel, channel_reduction_iterations(layout.channels, values, passes),
                          describe_channels(layout));
  }
  bound_loop_iterations(kernel, channel_reduction_iterations(layout.channels, span, passes), describe_channels(layout));
  return {static_cast<uint32_t>(span), spans};
}

// batch_norm_stats for channels past one workgroup's loop budget: sums per span,
// the mean from them, sums of squares about that mean per span, the variance.
void split_batch_norm_stats(const Tensor& x, const Layout& layout, const ChannelSpans& spans, const StatsPush& stats_push,
                            const Tensor& stats, Access running_mean, Access running_var) {
  const Tensor partials = Tensor::empty({int64_t(spans.count), int64_t(layout.channels)});
  bound_loop_iterations("batch_norm_stats_combine", spans.count, describe_channels(layout));
  const std::string span_sums = reduction_kernel("batch_norm_span_sums", {&x});
  for (uint32_t variance = 0; variance <= 1; ++variance) {
    launch_grid(span_sums, {reduction_read(x, span_sums), stats.read(), partials.write()},
                SpanSumsPush{layout.outer, layout.channels, layout.inner, spans.span, variance},
                {reduction_workgroup_size(), 1, 1}, {channel_groups(layout.channels)[0], spans.count, 1});
    launch_linear("batch_norm_stats_combine", {partials.read(), stats.write(), running_mean, running_var},
                  CombinePush{layout.channels, spans.count, layout.per_channel(), stats_push.eps, stats_push.momentum,
                              stats_push.unbias, stats_push.update_running, variance},
                  layout.channels);
  }
}

void expect_channel_vector(const Tensor& t, int64_t channels, const char* what, const Tensor& x) {
  if (t.shape() != Shape{channels}) {
    fail(std::string("batch_norm: ") + what + " of shape " + to_string(t.shape()) + " does not match input " +
         to_string(x.shape()) + " (expected [" + std::to_string(channels) + "])");
  }
}

Layout check_shapes(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                    const Tensor& running_var, bool training) {
  if (x.rank() < 2) fail("batch_norm: input must have rank >= 2 ([N, C, ...]), got shape " + to_string(x.shape()));
  const int64_t channels = x.dim(1);
  if (gamma.defined() != beta.defined()) fail("batch_norm: gamma and beta must both be given or both be undefined");
  if (running_mean.defined() != running_var.defined()) {
    fail("batch_norm: running_mean and running_var must both be given or both be undefined");
  }
  if (gamma.defined()) {
    expect_channel_vector(gamma, channels, "gamma", x);
    expect_channel_vector(beta, channels, "beta", x);
  }
  if (running_mean.defined()) {
    expect_channel_vector(running_mean, channels, "running_mean", x);
    expect_channel_vector(running_var, channels, "running_var", x);
  } else if (!training) {
    fail("batch_norm: evaluation mode needs running_mean and running_var (input " + to_string(x.shape()) + ")");
  }
  Layout layout;
  layout.count = count32(x, "batch_norm");
  layout.outer = static_cast<uint32_t>(x.dim(0));
  layout.channels = static_cast<uint32_t>(channels);
  layout.inner = layout.channels == 0 || layout.outer == 0 ? 0 : layout.count / (layout.outer * layout.channels);
  if (training && layout.per_channel() < 2) {
    fail("batch_norm: training needs more than one value per channel, got input " + to_string(x.shape()));
  }
  if (layout.count == 0) fail("batch_norm: empty input " + to_string(x.shape()));
  return layout;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                  const Tensor& running_var, bool training, float momentum, float eps) {
  const Layout layout = check_shapes(x, gamma, beta, running_mean, running_var, training);
  const bool affine = gamma.defined();
  const int64_t channels = layout.channels;
  // Bindings a disabled feature never touches still need a buffer behind them (one each,
  // so no buffer is bound twice for writing).
  const Tensor unused = Tensor::empty({1});

  const Tensor stats = Tensor::empty({channels, 2});  // (mean, invstd) per channel
  if (training) {
    const bool update = running_mean.defined();
    const Tensor unused_var = update ? Tensor() : Tensor::empty({1});
    const uint32_t m = layout.per_channel();
    const StatsPush push{layout.outer, layout.channels, layout.inner, eps, momentum,
                         static_cast<float>(double(m) / double(m - 1)), update ? 1u : 0u};
    const Access running_mean_access = update ? running_mean.write() : unused.write();
    const Access running_var_access = update ? running_var.write() : unused_var.write();
    // batch_norm_stats walks each channel twice (sum, then squares about the mean);
    // past the loop budget the two passes run in spans instead.
    if (channel_reduction_iterations(layout.channels, m, 2) > kMaxLoopIterationsPerInvocation) {
      split_batch_norm_stats(x, layout, channel_spans("batch_norm_span_sums", layout, 1), push, stats,
                             running_mean_access, running_var_access);
    } else {
      const std::string kernel = reduction_kernel("batch_norm_stats", {&x});
      launch_grid(kernel, {reduction_read(x, kernel), stats.write(), running_mean_access, running_var_access}, push,
                  {reduction_workgroup_size(), 1, 1}, channel_groups(layout.channels));
    }
  } else {
    launch_linear("batch_norm_running_stats", {running_mean.read(), running_var.read(), stats.write()},
                  RunningStatsPush{layout.channels, eps}, layout.channels);
  }

  Tensor out = Tensor::empty(x.shape());
  const ElementPass apply = element_pass("batch_norm_apply", layout, {&x});
  launch_linear(apply.kernel,
                {apply.per == 4 ? texels(x.range(), BindingKind::TexelRGBA32F) : x.read(), stats.read(),
                 affine ? gamma.read() : unused.read(), affine ? beta.read() : unused.read(), out.write()},
                ApplyPush{fast_divisor(layout.inner), fast_divisor(layout.channels),
                          layout.count / apply.per, layout.channels, affine ? 1u : 0u},
                layout.count / apply.per);

  std::vector<Tensor> inputs{x};
  if (affine) {
    inputs.push_back(gamma);
    inputs.push_back(beta);
  }
  record(out, "batch_norm", std::move(inputs),
         [x = x.detach(), gamma = affine ? gamma.detach() : unused, stats, layout, affine, training](
             const Tensor& grad, GradientSink& sink) {
           const bool need_x = sink.needs(0);
           const bool need_params = affine && (sink.needs(1) || sink.needs(2));
           Tensor sums = Tensor::empty({int64_t(layout.channels), 2});  // (sum dy, sum dy * xhat)
           if ((need_x && training) || need_params) {
             const ChannelSpans spans = channel_spans("batch_norm_backward_reduce", layout, 1);
             const Tensor span_sums =
                 spans.count > 1 ? Tensor::empty({int64_t(spans.count), int64_t(layout.channels), 2}) : sums;
             const std::string kernel = reduction_kernel("batch_norm_backward_reduce", {&x, &grad});
             launch_grid(kernel,
                         {reduction_read(x, kernel), stats.read(), reduction_read(grad, kernel), span_sums.write()},
                         ReducePush{layout.outer, layout.channels, layout.inner, spans.span},
                         {reduction_workgroup_size(), 1, 1}, {channel_groups(layout.channels)[0], spans.count, 1});
             // Each channel's two sums are columns of [spans, 2 * channels], added in span order.
             if (spans.count > 1) channel_sum(sums, span_sums, spans.count, 2 * int64_t(layout.channels), 1, 0.0f);
           }
           if (need_x) {
             GradTarget t = sink.target(0);
             const ElementPass pass = element_pass("batch_norm_backward_input", layout, {&x, &grad});
             const InputGradPush push{fast_divisor(layout.inner),
                                      fast_divisor(layout.channels),
                                      layout.count / pass.per,
                                      layout.channels,
                                      affine ? 1u : 0u,
                                      training ? 1u : 0u,
                                      static_cast<float>(1.0 / double(layout.per_channel())),
                                      t.beta};
             const BindingKind quads = BindingKind::TexelRGBA32F;
             launch_linear(pass.kernel,
                           {pass.per == 4 ? texels(x.range(), quads) : x.read(), stats.read(), gamma.read(),
                            pass.per == 4 ? texels(grad.range(), quads) : grad.read(), sums.read(), t.grad.write()},
                           push, layout.count / pass.per, {accumulates(t.beta)});
           }
           // Input 1 is gamma (its gradient is column 1 of the sums), input 2 is beta (column 0).
           for (uint32_t input = 1; affine && input <= 2; ++input) {
             if (!sink.needs(input)) continue;
             GradTarget t = sink.target(input);
             launch_linear("batch_norm_backward_param", {sums.read(), t.grad.write()},
                           ParamGradPush{layout.channels, input == 1 ? 1u : 0u, t.beta}, layout.channels);
           }
         });
  return out;
}

}  // namespace medrepro
