#include "core/ops/gemm.h"

#include <algorithm>
#include <string>

#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"

namespace medrepro {
namespace {

GemmTiling current_tiling;

// Mirrors the push-constant block of shaders/gemm.comp.
struct GemmPush {
  uint32_t m, n, k, batch;
  uint32_t a_offset, a_row, a_col, a_batch;
  uint32_t b_offset, b_row, b_col, b_batch;
  uint32_t c_offset, c_row, c_col, c_batch;
  uint32_t bias_offset, bias_mode, sum_over_batch;
  float alpha, beta;
};

// Kernels index with 32-bit unsigned integers.
uint32_t index32(int64_t value, const char* what) {
  if (value < 0 || value > int64_t(0xffffffffu)) {
    fail(std::string("gemm: ") + what + " " + std::to_string(value) + " is negative or exceeds 32 bits");
  }
  return static_cast<uint32_t>(value);
}

std::string describe_view(const MatrixView& v, int64_t rows, int64_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols) + " at offset " + std::to_string(v.offset) +
         " with strides (row " + std::to_string(v.row_stride) + ", col " + std::to_string(v.col_stride) +
         ", batch " + std::to_string(v.batch_stride) + ")";
}

// Every element the kernel may touch must lie inside the tensor.
void check_view(const MatrixView& v, int64_t rows, int64_t cols, int64_t batch, const char* name) {
  if (!v.tensor.defined()) fail(std::string("gemm: operand ") + name + " is undefined");
  if (v.offset < 0 || v.row_stride < 0 || v.col_stride < 0 || v.batch_stride < 0) {
    fail(std::string("gemm: operand ") + name + " view " + describe_view(v, rows, cols) + " has a negative entry");
  }
  const int64_t last = v.offset + (batch - 1) * v.batch_stride + (rows - 1) * v.row_stride + (cols - 1) * v.col_stride;
  if (last >= v.tensor.numel()) {
    fail(std::string("gemm: operand ") + name + " view " + describe_view(v, rows, cols) + " over " +
         std::to_string(batch) + " batch entries reaches element " + std::to_string(last) +
         " of a tensor of shape " + to_string(v.tensor.shape()));
  }
  index32(last, "operand index");
}

}  // namespace

GemmTiling gemm_tiling() { return current_tiling; }

void set_gemm_tiling(const GemmTiling& tiling) {
  const DeviceLimits& limits = Context::get().limits();
  const bool tiles_ok = tiling.tile_m >= 1 && tiling.tile_m <= 16 && tiling.tile_n >= 1 && tiling.tile_n <= 16;
  const bool group_ok = tiling.local_x >= 1 && tiling.local_y >= 1 && tiling.local_x <= limits.max_workgroup_size[0] &&
                        tiling.local_y <= limits.max_workgroup_size[1] &&
                        uint64_t(tiling.local_x) * tiling.local_y <= limits.max_workgroup_invocations;
  if (!tiles_ok || !group_ok) {
    fail("set_gemm_tiling: tiles " + std::to_string(tiling.tile_m) + "x" + std::to_string(tiling.tile_n) +
         " (1..16 each) with workgroup " + std::to_string(tiling.local_x) + "x" + std::to_string(tiling.local_y) +
         " do not fit this device");
  }
  current_tiling = tiling;
}

void gemm(const Gemm& g) {
  if (g.m < 0 || g.n < 0 || g.k < 1 || g.batch < 0) {
    fail("gemm: sizes m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " batch=" + std::to_string(g.batch) + " are invalid (k must be positive)");
  }
  if (g.m == 0 || g.n == 0 || g.batch == 0) {
    if (g.sum_over_batch && g.batch == 0 && g.m * g.n > 0) fail("gemm: a sum over an empty batch is not supported");
    return;
  }
  check_view(g.a, g.m, g.k, g.batch, "A");
  check_view(g.b, g.k, g.n, g.batch, "B");
  check_view(g.c, g.m, g.n, g.sum_over_batch ? 1 : g.batch, "C");
  if (g.c.tensor.storage() == g.a.tensor.storage() || g.c.tensor.storage() == g.b.tensor.storage()) {
    fail("gemm: C must not share storage with A or B");
  }
  if (g.bias_mode != GemmBias::None) {
    if (!g.bias.defined()) fail("gemm: a bias mode was set without a bias tensor");
    const int64_t needed = g.bias_mode == GemmBias::PerRow ? g.m : g.n;
    if (g.bias_offset < 0 || g.bias_offset + needed > g.bias.numel()) {
      fail("gemm: bias of shape " + to_string(g.bias.shape()) + " from offset " + std::to_string(g.bias_offset) +
           " does not hold " + std::to_string(needed) + " values");
    }
  }

  GemmPush push{};
  push.m = index32(g.m, "m");
  push.n = index32(g.n, "n");
  push.k = index32(g.k, "k");
  push.batch = index32(g.batch, "batch");
  auto set_view = [](const MatrixView& v, uint32_t& offset, uint32_t& row, uint32_t& col, uint32_t& batch) {
    offset = index32(v.offset, "offset");
    row = index32(v.row_stride, "row stride");
    col = index32(v.col_stride, "column stride");
    batch = index32(v.batch_stride, "batch stride");
  };
  set_view(g.a, push.a_offset, push.a_row, push.a_col, push.a_batch);
  set_view(g.b, push.b_offset, push.b_row, push.b_col, push.b_batch);
  set_view(g.c, push.c_offset, push.c_row, push.c_col, push.c_batch);
  push.bias_offset = index32(g.bias_offset, "bias offset");
  push.bias_mode = static_cast<uint32_t>(g.bias_mode);
  push.sum_over_batch = g.sum_over_batch ? 1u : 0u;
  push.alpha = g.alpha;
  push.beta = g.beta;

  const GemmTiling& t = current_tiling;
  const uint32_t* max_groups = Context::get().limits().max_workgroup_count;
  // The shader loops over whatever the capped grid does not cover.
  const std::array<uint32_t, 3> groups{
      std::min(ceil_div(push.n, uint64_t(t.tile_n) * t.local_x), max_groups[0]),
      std::min(ceil_div(push.m, uint64_t(t.tile_m) * t.local_y), max_groups[1]),
      std::min(g.sum_over_batch ? 1u : push.batch, max_groups[2])};
  // Without a bias, binding 3 still needs a buffer: A's, which is never read through it.
  const Tensor& bias = g.bias_mode != GemmBias::None ? g.bias : g.a.tensor;
  launch_grid("gemm", {g.a.tensor.read(), g.b.tensor.read(), g.c.tensor.write(), bias.read()}, push,
              {t.local_x, t.local_y, 1}, groups, {t.tile_m, t.tile_n});
}

void channel_sum(const Tensor& out, const Tensor& x, int64_t outer, int64_t channels, int64_t inner, float beta) {
  if (outer < 1 || channels < 1 || inner < 1 || x.numel() != outer * channels * inner || out.numel() != channels) {
    fail("channel_sum: input of shape " + to_string(x.shape()) + " viewed as [" + std::to_string(outer) + ", " +
         std::to_string(channels) + ", " + std::to_string(inner) + "] into output of shape " +
         to_string(out.shape()));
  }
  if (x.numel() > int64_t(0xffffffffu)) fail("channel_sum: input of shape " + to_string(x.shape()) + " too large");
  const DeviceLimits& limits = Context::get().limits();
  const uint32_t lanes = std::min(linear_workgroup_size(), limits.max_shared_memory_bytes / uint32_t(sizeof(float)));
  struct {
    uint32_t outer, channels, inner;
    float beta;
  } push{static_cast<uint32_t>(outer), static_cast<uint32_t>(channels), static_cast<uint32_t>(inner), beta};
  const uint32_t groups = std::min(static_cast<uint32_t>(channels), limits.max_workgroup_count[0]);
  launch_grid("channel_sum", {x.read(), out.write()}, push, {lanes, 1, 1}, {groups, 1, 1});
}

}  // namespace medrepro
