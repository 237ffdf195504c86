#include "core/ops/loss.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Row and batch reductions use one shared float per invocation.
uint32_t reduction_workgroup_size() {
  const uint32_t shared_floats = Context::get().limits().max_shared_memory_bytes / sizeof(float);
  return std::min(linear_workgroup_size(), shared_floats);
}

struct RowsColumns {
  uint32_t rows;
  uint32_t columns;
};

struct Rows {
  uint32_t rows;
};

struct BackwardPush {
  uint32_t count;
  uint32_t columns;
  float beta;
};

void check_shapes(const Tensor& logits, const Tensor& targets, const Tensor& class_weights) {
  expect_rank(logits, 2, "cross_entropy", "logits");
  if (logits.dim(0) < 1 || logits.dim(1) < 1) {
    fail("cross_entropy: logits " + to_string(logits.shape()) + " need at least one row and one class");
  }
  if (targets.shape() != Shape{logits.dim(0)}) {
    fail("cross_entropy: targets " + to_string(targets.shape()) + " do not match logits " +
         to_string(logits.shape()) + " (expected [N])");
  }
  if (class_weights.defined() && class_weights.shape() != Shape{logits.dim(1)}) {
    fail("cross_entropy: class_weights " + to_string(class_weights.shape()) + " do not match logits " +
         to_string(logits.shape()) + " (expected [C])");
  }
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& targets, const Tensor& class_weights) {
  check_shapes(logits, targets, class_weights);
  const uint32_t count = count32(logits, "cross_entropy");
  const uint32_t rows = static_cast<uint32_t>(logits.dim(0));
  const uint32_t columns = static_cast<uint32_t>(logits.dim(1));
  // Unit weights make the weighted mean the plain mean (sum of N ones is exact).
  const Tensor weights = class_weights.defined() ? class_weights.detach() : Tensor::full({logits.dim(1)}, 1.0f);

  const Tensor row_stats = Tensor::empty({logits.dim(0), 2});  // (max, log-sum-exp - max) per row
  const Tensor row_loss = Tensor::empty({logits.dim(0)});
  const Tensor row_weight = Tensor::empty({logits.dim(0)});
  const Tensor denominator = Tensor::empty({1});
  Tensor loss = Tensor::empty({1});
  const uint32_t local = reduction_workgroup_size();
  // Per row, two strided walks over the classes, each followed by a tree; then
  // one workgroup walks the rows and runs two trees.
  const uint64_t tree = tree_steps(local) + 1;
  bound_loop_iterations("cross_entropy", 2 * ((uint64_t(columns) + local - 1) / local) + 2 * tree,
                        std::to_string(columns) + " classes");
  bound_loop_iterations("cross_entropy_reduce", (uint64_t(rows) + local - 1) / local + 2 * tree,
                        std::to_string(rows) + " rows");
  launch_grid("cross_entropy",
              {logits.read(), targets.read(), weights.read(), row_stats.write(), row_loss.write(), row_weight.write()},
              RowsColumns{rows, columns}, {local, 1, 1}, linear_groups(rows, 1));
  launch_grid("cross_entropy_reduce", {row_loss.read(), row_weight.read(), loss.write(), denominator.write()},
              Rows{rows}, {local, 1, 1}, {1, 1, 1});

  record(loss, "cross_entropy", {logits},
         [x = logits.detach(), t = targets.detach(), weights, row_stats, denominator, count, columns](
             const Tensor& grad, GradientSink& sink) {
           GradTarget target = sink.target(0);
           launch_linear("cross_entropy_backward",
                         {x.read(), t.read(), weights.read(), row_stats.read(), denominator.read(), grad.read(),
                          target.grad.write()},
                         BackwardPush{count, columns, target.beta}, count);
         });
  return loss;
}

}  // namespace medrepro
