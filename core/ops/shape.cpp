#include "core/ops/shape.h"

#include <algorithm>
#include <string>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

constexpr int kMaxPermuteRank = 8;

// Matches shaders/slice.comp: copies a [outer, extent, inner] block between two tensors
// viewed as [outer, src_dim, inner] and [outer, dst_dim, inner], at the given axis offsets.
struct BlockPush {
  uint32_t count;  // outer * extent * inner
  uint32_t extent, inner;
  uint32_t src_dim, src_start;
  uint32_t dst_dim, dst_start;
  float beta;
};

// Matches shaders/slice_backward.comp.
struct SliceBackwardPush {
  uint32_t count;  // elements of dx
  uint32_t dim, inner, start, extent;
  float beta;
};

// Matches shaders/permute.comp.
struct PermutePush {
  uint32_t count, rank;
  float beta;
  uint32_t out_dims[kMaxPermuteRank];
  uint32_t in_strides[kMaxPermuteRank];  // stride in x of output axis d (x's axis order[d])
};

// Matches shaders/sum_axis.comp and sum_axis_wide.comp.
struct SumPush {
  uint32_t outer, extent, inner;
  float scale;
  uint32_t chunk, chunks;  // elements of the axis per partial sum, partial sums per output
};

// Matches shaders/sum_axis_backward.comp.
struct SumBackwardPush {
  uint32_t count, extent, inner;
  float scale, beta;
};

// x viewed as [outer, dim, inner] around one axis.
struct AxisView {
  uint32_t outer = 1, dim = 1, inner = 1;
};

int normalise_axis(int axis, int rank, const char* op, const Shape& shape) {
  const int a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) {
    fail(std::string(op) + ": axis " + std::to_string(axis) + " out of range for shape " + to_string(shape));
  }
  return a;
}

void expect_non_empty(const Tensor& x, const char* op) {
  if (x.numel() == 0) fail(std::string(op) + ": empty tensor of shape " + to_string(x.shape()));
  count32(x, op);
}

AxisView view_around(const Shape& shape, int axis) {
  AxisView v;
  for (int d = 0; d < axis; ++d) v.outer *= static_cast<uint32_t>(shape[size_t(d)]);
  v.dim = static_cast<uint32_t>(shape[size_t(axis)]);
  for (size_t d = size_t(axis) + 1; d < shape.size(); ++d) v.inner *= static_cast<uint32_t>(shape[d]);
  return v;
}

void copy_block(const Tensor& source, const Tensor& destination, const BlockPush& push) {
  launch_linear("slice", {source.read(), destination.write()}, push, push.count);
}

}  // namespace

void sum_middle_axis(const Tensor& x, const Tensor& out, uint32_t outer, uint32_t extent, uint32_t inner,
                     float scale) {
  const uint64_t outputs = uint64_t(outer) * inner;
  const DeviceLimits& limits = Context::get().limits();
  const uint32_t lanes = std::min({256u, limits.max_workgroup_invocations, limits.max_workgroup_size[0],
                                   limits.max_shared_memory_bytes / uint32_t(sizeof(float))});
  // One invocation per output walks the axis when there are enough outputs to fill the
  // device or the axis is short; a few long reductions get a workgroup each instead.
  const bool wide = !(outputs >= 1024 || extent < 64);
  // An axis longer than one invocation's loops may run is summed in chunks, whose
  // partial sums (in a fixed order) are summed again: the same bits on every run.
  const uint64_t budget = kMaxLoopIterationsPerInvocation;
  const uint64_t chunk = std::min<uint64_t>(extent, wide ? (budget / 2) * lanes : budget);
  const uint32_t chunks = ceil_div(extent, chunk);
  const uint64_t passes_outputs = outputs * chunks;
  const bool split = chunks > 1;
  Tensor partials = split ? Tensor::empty({int64_t(passes_outputs)}) : out;
  const SumPush push{outer, extent, inner, split ? 1.0f : scale, static_cast<uint32_t>(chunk), chunks};
  const std::string what = "a sum over " + std::to_string(extent) + " elements";
  if (!wide) {
    bound_loop_iterations("sum_axis", chunk, what);
    launch_linear("sum_axis", {x.read(), partials.write()}, push, passes_outputs);
  } else {
    const uint32_t groups = static_cast<uint32_t>(std::min<uint64_t>(passes_outputs, limits.max_workgroup_count[0]));
    bound_loop_iterations("sum_axis_wide",
                          grid_repeats(passes_outputs, groups) * ((chunk + lanes - 1) / lanes + tree_steps(lanes) + 1),
                          what);
    launch_grid("sum_axis_wide", {x.read(), partials.write()}, push, {lanes, 1, 1}, {groups, 1, 1});
  }
  if (split) sum_middle_axis(partials, out, outer, chunks, inner, scale);
}

namespace {

Tensor reduce_axis(const Tensor& x, int axis, bool keepdim, bool average, const char* op) {
  expect_non_empty(x, op);
  const int a = normalise_axis(axis, x.rank(), op, x.shape());
  const AxisView v = view_around(x.shape(), a);
  Shape out_shape = x.shape();
  if (keepdim) out_shape[size_t(a)] = 1;
  else out_shape.erase(out_shape.begin() + a);
  Tensor out = Tensor::empty(out_shape);

  const float scale = average ? static_cast<float>(1.0 / double(v.dim)) : 1.0f;
  sum_middle_axis(x, out, v.outer, v.dim, v.inner, scale);

  const uint32_t count = static_cast<uint32_t>(x.numel());
  record(out, op, {x}, [v, scale, count](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    launch_linear("sum_axis_backward", {grad.read(), t.grad.write()},
                  SumBackwardPush{count, v.dim, v.inner, scale, t.beta}, count);
  });
  return out;
}

void permute_into(const Tensor& destination, const Tensor& source, const std::vector<int>& order, float beta) {
  const Shape& in_shape = source.shape();
  const int rank = source.rank();
  PermutePush push{};
  push.count = static_cast<uint32_t>(source.numel());
  push.rank = static_cast<uint32_t>(rank);
  push.beta = beta;
  std::vector<uint32_t> strides(size_t(rank), 1);
  for (int d = rank - 2; d >= 0; --d) {
    strides[size_t(d)] = strides[size_t(d) + 1] * static_cast<uint32_t>(in_shape[size_t(d) + 1]);
  }
  for (int d = 0; d < rank; ++d) {
    push.out_dims[d] = static_cast<uint32_t>(in_shape[size_t(order[size_t(d)])]);
    push.in_strides[d] = strides[size_t(order[size_t(d)])];
  }
  launch_linear("permute", {source.read(), destination.write()}, push, push.count);
}

}  // namespace

Tensor slice(const Tensor& x, int axis, int64_t start, int64_t length) {
  expect_non_empty(x, "slice");
  const int a = normalise_axis(axis, x.rank(), "slice", x.shape());
  const int64_t dim = x.dim(a);
  if (start < 0 || length < 1 || start + length > dim) {
    fail("slice: [" + std::to_string(start) + ", " + std::to_string(start + length) + ") along axis " +
         std::to_string(axis) + " is not a non-empty range within shape " + to_string(x.shape()));
  }
  const AxisView v = view_around(x.shape(), a);
  Shape out_shape = x.shape();
  out_shape[size_t(a)] = length;
  Tensor out = Tensor::empty(out_shape);
  const auto first = static_cast<uint32_t>(start), size = static_cast<uint32_t>(length);
  copy_block(x, out, BlockPush{static_cast<uint32_t>(out.numel()), size, v.inner, v.dim, first, size, 0, 0.0f});

  record(out, "slice", {x}, [v, first, size, count = static_cast<uint32_t>(x.numel())](const Tensor& grad,
                                                                                        GradientSink& sink) {
    GradTarget t = sink.target(0);
    launch_linear("slice_backward", {grad.read(), t.grad.write()},
                  SliceBackwardPush{count, v.dim, v.inner, first, size, t.beta}, count, {accumulates(t.beta)});
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int axis) {
  if (tensors.empty()) fail("stack: no tensors");
  const Shape& shape = tensors[0].shape();
  for (const Tensor& t : tensors) {
    if (t.shape() != shape) {
      fail("stack: shapes " + to_string(shape) + " and " + to_string(t.shape()) + " differ");
    }
  }
  expect_non_empty(tensors[0], "stack");
  const int rank = tensors[0].rank();
  const int a = axis < 0 ? axis + rank + 1 : axis;
  if (a < 0 || a > rank) {
    fail("stack: axis " + std::to_string(axis) + " out of range for stacking tensors of shape " + to_string(shape));
  }
  Shape out_shape = shape;
  out_shape.insert(out_shape.begin() + a, static_cast<int64_t>(tensors.size()));
  Tensor out = Tensor::empty(out_shape);
  count32(out, "stack");
  const AxisView v = view_around(out_shape, a);  // v.dim is the number of tensors

  for (uint32_t k = 0; k < v.dim; ++k) {
    copy_block(tensors[k], out, BlockPush{v.outer * v.inner, 1, v.inner, 1, 0, v.dim, k, 0.0f});
  }
  record(out, "stack", tensors, [v](const Tensor& grad, GradientSink& sink) {
    for (uint32_t k = 0; k < v.dim; ++k) {
      if (!sink.needs(k)) continue;
      GradTarget t = sink.target(k);
      copy_block(grad, t.grad, BlockPush{v.outer * v.inner, 1, v.inner, v.dim, k, 1, 0, t.beta});
    }
  });
  return out;
}

Tensor permute(const Tensor& x, const std::vector<int>& order) {
  expect_non_empty(x, "permute");
  const int rank = x.rank();
  std::string order_text = "(";
  for (size_t d = 0; d < order.size(); ++d) order_text += (d ? ", " : "") + std::to_string(order[d]);
  order_text += ")";
  if (rank > kMaxPermuteRank) {
    fail("permute: rank " + std::to_string(rank) + " of shape " + to_string(x.shape()) + " exceeds " +
         std::to_string(kMaxPermuteRank));
  }
  std::vector<bool> seen(size_t(rank), false);
  bool valid = static_cast<int>(order.size()) == rank;
  for (int d : order) {
    valid = valid && d >= 0 && d < rank && !seen[size_t(d)];
    if (valid) seen[size_t(d)] = true;
  }
  if (!valid) fail("permute: order " + order_text + " is not a permutation of the axes of " + to_string(x.shape()));

  Shape out_shape(static_cast<size_t>(rank));
  std::vector<int> inverse(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) {
    out_shape[size_t(d)] = x.dim(order[size_t(d)]);
    inverse[size_t(order[size_t(d)])] = d;
  }
  Tensor out = Tensor::empty(out_shape);
  permute_into(out, x, order, 0.0f);
  record(out, "permute", {x}, [inverse](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    permute_into(t.grad, grad, inverse, t.beta);
  });
  return out;
}

Tensor transpose(const Tensor& x, int a, int b) {
  const int rank = x.rank();
  const int first = normalise_axis(a, rank, "transpose", x.shape());
  const int second = normalise_axis(b, rank, "transpose", x.shape());
  std::vector<int> order(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) order[size_t(d)] = d;
  std::swap(order[size_t(first)], order[size_t(second)]);
  return permute(x, order);
}

Tensor sum(const Tensor& x, int axis, bool keepdim) { return reduce_axis(x, axis, keepdim, false, "sum"); }

Tensor mean(const Tensor& x, int axis, bool keepdim) { return reduce_axis(x, axis, keepdim, true, "mean"); }

}  // namespace medrepro
