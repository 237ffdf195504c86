#include "core/ops/binary_loss.h"

#include <algorithm>
#include <string>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"
#include "core/ops/shape.h"

namespace medrepro {
namespace {

// Matches shaders/bce_with_logits.comp.
struct ForwardPush {
  uint32_t count, labels, has_pos_weight, chunk;
};

// Matches shaders/bce_with_logits_backward.comp.
struct BackwardPush {
  uint32_t count, labels, has_pos_weight;
  float inv_count, beta;
};

// The whole sum runs in one workgroup with one shared float per lane.
uint32_t reduction_workgroup_size() {
  const DeviceLimits& limits = Context::get().limits();
  return std::min({256u, limits.max_workgroup_invocations, limits.max_workgroup_size[0],
                   limits.max_shared_memory_bytes / uint32_t(sizeof(float))});
}

void check_shapes(const Tensor& logits, const Tensor& targets, const Tensor& pos_weight) {
  if (logits.rank() < 1) fail("bce_with_logits: logits must have rank >= 1, got shape " + to_string(logits.shape()));
  if (logits.numel() == 0) fail("bce_with_logits: empty logits " + to_string(logits.shape()));
  if (targets.shape() != logits.shape()) {
    fail("bce_with_logits: targets " + to_string(targets.shape()) + " do not match logits " +
         to_string(logits.shape()));
  }
  if (pos_weight.defined() && pos_weight.shape() != Shape{logits.dim(-1)}) {
    fail("bce_with_logits: pos_weight " + to_string(pos_weight.shape()) + " does not match logits " +
         to_string(logits.shape()) + " (expected [" + std::to_string(logits.dim(-1)) + "], the last axis)");
  }
}

}  // namespace

Tensor bce_with_logits(const Tensor& logits, const Tensor& targets, const Tensor& pos_weight) {
  check_shapes(logits, targets, pos_weight);
  const uint32_t count = count32(logits, "bce_with_logits");
  const uint32_t labels = static_cast<uint32_t>(logits.dim(-1));
  const bool weighted = pos_weight.defined();
  const Tensor weights = weighted ? pos_weight.detach() : Tensor::empty({1});  // placeholder when unweighted

  Tensor loss = Tensor::empty({1});
  const uint32_t lanes = reduction_workgroup_size();
  const uint64_t tree = tree_steps(lanes) + 1;
  // Past one workgroup's loop budget, chunks of the logits are summed by a
  // workgroup each and their sums summed again, in chunk order.
  const uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(count, items_per_workgroup(lanes, tree)));
  const uint32_t chunks = ceil_div(count, chunk);
  bound_loop_iterations("bce_with_logits", (uint64_t(chunk) + lanes - 1) / lanes + tree,
                        "a mean over " + std::to_string(count) + " logits");
  const Tensor chunk_sums = chunks > 1 ? Tensor::empty({int64_t(chunks)}) : loss;
  launch_grid("bce_with_logits", {logits.read(), targets.read(), weights.read(), chunk_sums.write()},
              ForwardPush{count, labels, weighted ? 1u : 0u, chunk}, {lanes, 1, 1}, {chunks, 1, 1});
  if (chunks > 1) sum_middle_axis(chunk_sums, loss, 1, chunks, 1, static_cast<float>(1.0 / double(count)));

  record(loss, "bce_with_logits", {logits},
         [x = logits.detach(), t = targets.detach(), weights, count, labels, weighted](const Tensor& grad,
                                                                                      GradientSink& sink) {
           GradTarget target = sink.target(0);
           const BackwardPush push{count, labels, weighted ? 1u : 0u, static_cast<float>(1.0 / double(count)),
                                   target.beta};
           launch_linear("bce_with_logits_backward", {x.read(), t.read(), weights.read(), grad.read(),
                                                      target.grad.write()},
                         push, count);
         });
  return loss;
}

}  // namespace medrepro
