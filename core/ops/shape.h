#pragma once
// Shape ops with gradients: slicing, stacking, permuting axes, and sums/means along an
// axis. Every result is a new contiguous tensor (tensors have no strided views here).
// Axes may be negative, counting from the end. Empty tensors are refused (an Error naming
// the shape): a kernel cannot bind a zero-byte buffer.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace medrepro {

// x[..., start : start + length, ...] along `axis`; the axis keeps its place with size length.
// Backward: dy lands in the slice's place of dx, zeros elsewhere.
Tensor slice(const Tensor& x, int axis, int64_t start, int64_t length);

// Joins same-shape tensors along a new axis at position `axis` (0..rank, or negative from
// rank + 1): K tensors of shape S give S with K inserted at `axis`. The same tensor may
// appear more than once (its gradients add up). Backward: each input gets its slice of dy.
Tensor stack(const std::vector<Tensor>& tensors, int axis = 0);

// y.shape[d] = x.shape[order[d]], y[i_0, ..., i_{r-1}] = x at index i_d on axis order[d];
// order is a permutation of 0..rank-1 (rank <= 8). Backward: dy permuted by the inverse order.
Tensor permute(const Tensor& x, const std::vector<int>& order);
// permute that swaps axes a and b.
Tensor transpose(const Tensor& x, int a, int b);

// Sum (or mean) over `axis`; keepdim leaves the axis in place with size 1.
// Each output element is summed in a fixed order (one invocation walking the axis, or for
// few long reductions one workgroup with a fixed-shape tree): bit-reproducible on a device.
// Backward: dy (divided by the axis length for mean) broadcast along the axis.
Tensor sum(const Tensor& x, int axis, bool keepdim = false);
Tensor mean(const Tensor& x, int axis, bool keepdim = false);

// out[o, k] = scale * sum over l of x[(o * extent + l) * inner + k], no gradient: the
// kernels behind sum and mean, for ops that reduce a view of their own. Axes longer than
// one shader invocation may loop over (core/loop_budget.h) are summed in chunks.
void sum_middle_axis(const Tensor& x, const Tensor& out, uint32_t outer, uint32_t extent, uint32_t inner,
                     float scale);

}  // namespace medrepro
