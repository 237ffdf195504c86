#pragma once
// How many loop iterations one shader invocation may run, and the launches that
// keep every kernel under it.
//
// Mesa's llvmpipe (lavapipe) gives each shader invocation one counter of loop
// back-edges, shared by all its loops, and leaves every loop once it reaches
// 65,535: no error, just a result from fewer iterations (a sum of 20,000,000 ones
// came back as 131,070). Other drivers have no such counter, but the bound is
// applied on every device, so that a result never depends on which one ran it.
// Loops whose trip count is a compile-time or specialisation constant are
// unrolled before the counter exists and are not counted (the GEMM's tile loops,
// 4 x 4 and more per k, would otherwise have stopped products with k of a few
// thousand); the table below still lists them where a user's shape picks the
// constant.
//
// Every loop whose trip count grows with the input, its worst case per invocation
// (all loops of the invocation together), and what the launch does about it.
// lanes = the workgroup's width, tree(lanes) = ceil(log2(lanes)) steps of a
// shared-memory reduction, repeats(n, g) = ceil(n / g) turns of a grid-stride loop
// over n items by g workgroups (1 whenever the grid covers the items).
//
//  kernel                        worst-case back-edges per invocation             bound at launch
//  sum_axis                      chunk (<= extent)                                 axis split into chunks, partial sums summed again
//  sum_axis_wide                 repeats * (ceil(chunk / lanes) + tree + 1)        axis split into chunks, partial sums summed again
//  column_sum                    outer * (inner + 1)                               taken only within the budget, else channel_sum
//  channel_sum                   repeats * (ceil(span / lanes) + tree + 1)         each channel's outer*inner split into spans, summed again
//  gemm, gemm_blocked            repeats * entries * (k + 1)                       k split into sub-products accumulated in C (gemm.cpp)
//  gemm_reduce                   slices                                            slices of a sum over the batch capped at the budget;
//                                                                                  refused (before any product) past it
//  gemm_pack                     cols (= k of the packed operand)                  checked (packing only for short k)
//  global_avg_pool2d             H * W                                             planes past the budget go through sum_axis
//  batch_norm_stats              repeats * (2 * ceil(M / lanes) + 2 * (tree + 1))  taken only within the budget (M = N * spatial),
//                                                                                  else batch_norm_span_sums
//  batch_norm_span_sums          repeats * (ceil(span / lanes) + tree + 1)         each channel's M split into spans, run twice
//                                                                                  (sums, then squares about the mean)
//  batch_norm_stats_combine      spans                                             checked
//  batch_norm_backward_reduce    repeats * (ceil(span / lanes) + tree + 1)         each channel's M split into spans, summed
//                                                                                  again by channel_sum
//  bce_with_logits               ceil(chunk / lanes) + tree + 1                    count split into chunks, one workgroup each,
//                                                                                  chunk sums summed again by sum_axis
//  cross_entropy                 2 * ceil(C / lanes) + 2 * (tree + 1)              checked: refused past the budget
//  cross_entropy_reduce          ceil(chunk / lanes) + 2 * (tree + 1)              rows split into chunks, one workgroup each,
//                                                                                  chunk sums reduced again as rows
//  weighted_cross_entropy_nd     2 * C                                             checked: refused past the budget
//  weighted_cross_entropy_nd_reduce  ceil(chunk / lanes) + 2 * (tree + 1)          voxels split into chunks, one workgroup
//                                                                                  each, chunk sums reduced again as voxels
//  softmax                       3 * ceil(C / lanes) + 2 * (tree + 1)              checked: refused past the budget
//  softmax_backward              2 * ceil(C / lanes) + tree + 1                    checked: refused past the budget
//  avg_pool2d, max_pool2d        kh * (kw + 1) (window; max_pool2d's is constant)  checked: refused past the budget
//  avg_pool2d_backward,          windows covering an input, per axis              checked: refused past the budget
//    max_pool2d_backward         ceil(k / s): wh * (ww + 1)
//  avg_pool3d, max_pool3d        kd * (kh * (kw + 1) + 1)                          checked: refused past the budget
//  *_pool3d_backward             the same over windows covering an input           checked: refused past the budget
//  conv2d_im2col, conv2d_col2im  repeats(planes) * (kh * (kw + 1) + 1)             checked: refused past the budget
//  conv3d_vol2col                out_w                                             checked: refused past the budget
//  conv3d_col2vol                in_w + kd * (kh * (kw * (out_w + 1) + 1) + 1)     checked: refused past the budget
//  lrn, lrn_backward             channels (window: constant SIZE, unrolled)        checked: refused past the budget
//  upsample_backward             fd * (fh * (fw + 1) + 1)                          checked: refused past the budget
// Not growing with the input: permute (rank <= 8), upsample (2 x 2), the element-
// wise, optimiser, dropout, concat, slice and recurrent cell kernels (no loops;
// the recurrent time loop runs on the host, one launch per step); benchmark_fma
// (benchmark only, the host picks its iterations).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "core/error.h"

namespace medrepro {

// Back-edges one invocation may take, all its loops together: half of llvmpipe's
// 65,535, so that the handful of fixed loops around the counted ones (tree steps,
// grid-stride turns) and any miscount stay clear of it.
inline constexpr uint64_t kMaxLoopIterationsPerInvocation = 32768;

// Steps of a shared-memory tree that halves (rounding up) `lanes` partial sums to one.
inline uint32_t tree_steps(uint32_t lanes) {
  uint32_t steps = 0;
  for (uint32_t width = lanes; width > 1; width = (width + 1) / 2) ++steps;
  return steps;
}

// Turns of a grid-stride loop over `items` by `groups` workgroups.
inline uint64_t grid_repeats(uint64_t items, uint64_t groups) { return groups == 0 ? 0 : (items + groups - 1) / groups; }

// Items one workgroup of `lanes` may reduce in a strided walk followed by
// `fixed` further back-edges (its shared-memory trees) within the budget. A
// reduction over more is cut into chunks of this many, one workgroup each, whose
// results a second launch combines in chunk order.
inline uint64_t items_per_workgroup(uint32_t lanes, uint64_t fixed) {
  return (kMaxLoopIterationsPerInvocation - fixed) * lanes;
}

// Back-edges of nested loops with these trip counts, outermost first: each turn of
// an outer loop runs the inner loop anew (a + a * b + a * b * c ...).
inline uint64_t nested_loop_iterations(std::initializer_list<uint64_t> trips) {
  uint64_t total = 0, runs = 1;
  for (uint64_t trip : trips) {
    runs *= trip;
    total += runs;
  }
  return total;
}

// Refuses a launch of `kernel` whose invocations may take more than
// kMaxLoopIterationsPerInvocation back-edges: a driver like lavapipe would cut
// its loops short and return wrong numbers without an error. `what` names the
// work (op and shape) and what to make smaller.
inline void bound_loop_iterations(std::string_view kernel, uint64_t iterations, const std::string& what) {
  if (iterations <= kMaxLoopIterationsPerInvocation) return;
  throw DeviceLimitExceeded(std::string(kernel) + ": " + what + " needs " + std::to_string(iterations) +
                            " loop iterations in one shader invocation, more than the " +
                            std::to_string(kMaxLoopIterationsPerInvocation) +
                            " allowed (CPU drivers such as lavapipe stop longer loops without an error); "
                            "use smaller inputs");
}

}  // namespace medrepro
