#include "core/ops/loss.h"

#include <algorithm>
#include <string>

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

// Matches shaders/cross_entropy_reduce.comp.
struct ReducePush {
  uint32_t rows, chunk;
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

// loss = sum(row_loss) / sum(row_weight) and denominator = sum(row_weight). Rows past
// one workgroup's loop budget are summed in chunks, whose sums are reduced again
// as rows (fixed order, the same bits on every run).
void reduce_rows(const Tensor& row_loss, const Tensor& row_weight, uint32_t rows, const Tensor& loss,
                 const Tensor& denominator) {
  const uint32_t local = reduction_workgroup_size();
  const uint64_t trees = 2 * (tree_steps(local) + 1);  // one for the losses, one for the weights
  const uint32_t chunk = static_cast<uint32_t>(std::min<uint64_t>(rows, items_per_workgroup(local, trees)));
  const uint32_t chunks = ceil_div(rows, chunk);
  bound_loop_iterations("cross_entropy_reduce", (uint64_t(chunk) + local - 1) / local + trees,
                        std::to_string(rows) + " rows");
  if (chunks == 1) {
    launch_grid("cross_entropy_reduce", {row_loss.read(), row_weight.read(), loss.write(), denominator.write()},
                ReducePush{rows, chunk}, {local, 1, 1}, {1, 1, 1});
    return;
  }
  const Tensor chunk_loss = Tensor::empty({int64_t(chunks)}), chunk_weight = Tensor::empty({int64_t(chunks)});
  launch_grid("cross_entropy_reduce", {row_loss.read(), row_weight.read(), chunk_loss.write(), chunk_weight.write()},
              ReducePush{rows, chunk}, {local, 1, 1}, {chunks, 1, 1});
  reduce_rows(chunk_loss, chunk_weight, chunks, loss, denominator);
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
  // Per row, two strided walks over the classes, each followed by a tree.
  bound_loop_iterations("cross_entropy", 2 * ((uint64_t(columns) + local - 1) / local) + 2 * (tree_steps(local) + 1),
                        std::to_string(columns) + " classes");
  launch_grid("cross_entropy",
              {logits.read(), targets.read(), weights.read(), row_stats.write(), row_loss.write(), row_weight.write()},
              RowsColumns{rows, columns}, {local, 1, 1}, linear_groups(rows, 1));
  reduce_rows(row_loss, row_weight, rows, loss, denominator);

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
