#include "core/ops/softmax.h"

#include <algorithm>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"

namespace medrepro {
namespace {

// Row kernels use one workgroup per row and one shared float per invocation.
uint32_t row_workgroup_size() {
  const uint32_t shared_floats = Context::get().limits().max_shared_memory_bytes / sizeof(float);
  return std::min(linear_workgroup_size(), shared_floats);
}

struct Rows {
  uint32_t rows;
  uint32_t columns;
};

struct RowsBeta {
  uint32_t rows;
  uint32_t columns;
  float beta;
};

}  // namespace

Tensor softmax(const Tensor& logits) {
  if (logits.rank() < 1) fail("softmax: logits must have rank >= 1, got shape " + to_string(logits.shape()));
  const uint32_t count = count32(logits, "softmax");
  const uint32_t columns = static_cast<uint32_t>(logits.dim(-1));
  Tensor out = Tensor::empty(logits.shape());
  if (count == 0) return out;
  const uint32_t rows = count / columns;
  const uint32_t local = row_workgroup_size();
  // Per row: strided walks over the columns (three forward, two backward), each
  // but the last followed by a shared-memory tree.
  const uint64_t walk = (uint64_t(columns) + local - 1) / local, tree = tree_steps(local) + 1;
  const std::string what = "a softmax over " + std::to_string(columns) + " columns";
  bound_loop_iterations("softmax", 3 * walk + 2 * tree, what);
  bound_loop_iterations("softmax_backward", 2 * walk + tree, what);
  launch_grid("softmax", {logits.read(), out.write()}, Rows{rows, columns}, {local, 1, 1}, linear_groups(rows, 1));
  record(out, "softmax", {logits}, [y = out.detach(), rows, columns, local](const Tensor& grad, GradientSink& sink) {
    GradTarget t = sink.target(0);
    launch_grid("softmax_backward", {y.read(), grad.read(), t.grad.write()}, RowsBeta{rows, columns, t.beta},
                {local, 1, 1}, linear_groups(rows, 1));
  });
  return out;
}

}  // namespace medrepro
