#include "core/ops/gemm.h"

#include <algorithm>
#include <string>

#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/loop_budget.h"

namespace medrepro {
namespace {

GemmTiling current_tiling;
GemmTuning current_tuning;

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

bool is_cpu_device() { return Context::get().info().type == "CPU"; }

uint64_t round_up(uint64_t value, uint64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

std::string describe_product(const Gemm& g) {
  return "a product of m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " over " + std::to_string(g.batch) + (g.sum_over_batch ? " summed" : "") + " batch entries";
}

// Worst-case loop back-edges of one invocation of either GEMM kernel: grid-stride
// turns over the blocks a capped grid leaves, times the batch entries a block sums
// (`slice` of them in a sum over the batch), each a loop over k (the blocked
// kernel's runs over k / 4 and the rest, fewer).
uint64_t product_iterations(const Gemm& g, uint32_t slice, std::array<uint32_t, 3> groups,
                            std::array<uint64_t, 3> blocks) {
  uint64_t repeats = 1;
  for (size_t d = 0; d < 3; ++d) repeats *= grid_repeats(blocks[d], groups[d]);
  const uint64_t entries = g.sum_over_batch ? std::min<uint64_t>(slice, uint64_t(g.batch)) : 1;
  return repeats * (entries * (uint64_t(g.k) + 1) + 1);
}

// ---------------------------------------------------------------- storage-buffer kernel

// Mirrors the push-constant block of shaders/gemm.comp.
struct GemmPush {
  uint32_t m, n, k, batch;
  uint32_t a_offset, a_row, a_col, a_batch;
  uint32_t b_offset, b_row, b_col, b_batch;
  uint32_t c_offset, c_row, c_col, c_batch;
  uint32_t bias_offset, bias_mode, sum_over_batch;
  float alpha, beta;
  uint32_t slice;
};

// `slice`: with a sum over the batch, entries per partial sum (C + s * c_batch for slice s).
void storage_gemm(const Gemm& g, uint32_t slice) {
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
  push.slice = slice;

  const GemmTiling& t = current_tiling;
  const uint32_t* max_groups = Context::get().limits().max_workgroup_count;
  const uint32_t batches = g.sum_over_batch ? ceil_div(push.batch, slice) : push.batch;
  // The shader loops over whatever the capped grid does not cover.
  const std::array<uint32_t, 3> groups{std::min(ceil_div(push.n, uint64_t(t.tile_n) * t.local_x), max_groups[0]),
                                       std::min(ceil_div(push.m, uint64_t(t.tile_m) * t.local_y), max_groups[1]),
                                       std::min(batches, max_groups[2])};
  bound_loop_iterations("gemm", product_iterations(g, slice, groups, {ceil_div(push.n, uint64_t(t.tile_n) * t.local_x),
                                                                  ceil_div(push.m, uint64_t(t.tile_m) * t.local_y),
                                                                  batches}),
                        describe_product(g));
  // Without a bias, binding 3 still needs a buffer: A's, which is never read through it.
  const Tensor& bias = g.bias_mode != GemmBias::None ? g.bias : g.a.tensor;
  launch_grid("gemm", {g.a.tensor.read(), g.b.tensor.read(), g.c.tensor.write(), bias.read()}, push,
              {t.local_x, t.local_y, 1}, groups, {t.tile_m, t.tile_n});
}

// ---------------------------------------------------------------- texel-buffer kernel

// Mirrors the push-constant block of shaders/gemm_blocked.comp.
struct BlockedPush {
  uint32_t m, n, k, batch;
  uint32_t a_offset, a_row, a_col, a_batch;
  uint32_t b_offset, b_row, b_col, b_batch;
  uint32_t c_offset, c_row, c_col, c_batch;
  uint32_t bias_offset, bias_mode, sum_over_batch;
  float alpha, beta;
  uint32_t folded, columns;
  float inv_entry_columns;
  uint32_t slice;
  uint32_t entry_columns;
};

// How the blocked kernel reads an operand: its A_MODE / B_MODE.
enum class Read {
  AlongK,      // contiguous along k, one RGBA texel = 4 values of k
  AlongOther,  // contiguous along m (A) or n (B), one RGBA texel = 4 rows / columns
  Scalar,      // one R32F texel per value, any strides
};

struct OperandRead {
  Read read = Read::Scalar;
  uint32_t offset = 0, row = 0, col = 0, batch = 0;  // texels in the vector modes, floats otherwise
};

bool multiple_of_4(int64_t x) { return x % 4 == 0; }

// The read of a rows x cols operand (k along its columns for A, along its rows
// for B). Strides that no index reaches (a single row, column or batch entry)
// do not count, so that they need not be multiples of 4.
OperandRead plan_read(const MatrixView& v, int64_t rows, int64_t cols, int64_t batch, bool k_along_cols) {
  const int64_t row = rows == 1 ? 0 : v.row_stride, col = cols == 1 ? 0 : v.col_stride;
  const int64_t batch_stride = batch == 1 ? 0 : v.batch_stride;
  const bool base_ok = multiple_of_4(v.offset) && multiple_of_4(batch_stride);
  auto texels = [](int64_t floats) { return static_cast<uint32_t>(floats / 4); };
  if (base_ok && (cols == 1 || v.col_stride == 1) && multiple_of_4(row)) {
    return {k_along_cols ? Read::AlongK : Read::AlongOther, texels(v.offset), texels(row), 1, texels(batch_stride)};
  }
  if (base_ok && (rows == 1 || v.row_stride == 1) && multiple_of_4(col)) {
    return {k_along_cols ? Read::AlongOther : Read::AlongK, texels(v.offset), 1, texels(col), texels(batch_stride)};
  }
  auto u = [](int64_t x) { return static_cast<uint32_t>(x); };
  return {Read::Scalar, u(v.offset), u(row), u(col), u(batch_stride)};
}

BindingKind texel_kind(Read read) { return read == Read::Scalar ? BindingKind::TexelR32F : BindingKind::TexelRGBA32F; }

// A texel view covers the whole tensor.
bool texel_readable(const Tensor& t, BindingKind kind) { return fits_texel_buffer(t.range(), kind); }

// C^T = B^T A^T: the same products (bit for bit), rows and columns exchanged.
Gemm transposed_problem(const Gemm& g) {
  Gemm t = g;
  t.m = g.n;
  t.n = g.m;
  t.a = g.b.transposed();
  t.b = g.a.transposed();
  t.c = g.c.transposed();
  if (g.bias_mode == GemmBias::PerRow) t.bias_mode = GemmBias::PerColumn;
  if (g.bias_mode == GemmBias::PerColumn) t.bias_mode = GemmBias::PerRow;
  return t;
}

// Columns of a folded C are split with a float quotient, exact enough below 2^22.
constexpr uint64_t kMaxFoldedColumns = 1ull << 22;
// Scratch tensors (packed operand copies, partial sums over batch slices), at most this large.
constexpr uint64_t kMaxPackedBytes = 64ull << 20;
// B read along k is slower than along n (an invocation's columns lie far apart in
// memory), so a B that this many rows of C reuse is copied into rows along n.
constexpr int64_t kRepackAlongKRows = 64;

// The blocked kernel's view of a problem in one orientation.
struct Blocked {
  Gemm g;
  bool folded = false;
  uint64_t entry_columns = 0;  // folded: columns per batch entry (n, padded to 4 where B is read along n)
  uint64_t columns = 0;        // of the (folded) C
  uint32_t tile_m = 8, tile_n = 8, lanes = 8;
  double cost = 0;  // multiply-adds, including the padding of partial blocks, and stores
};

// Whether C can be stored a texel group (4 columns) at a time: B read along n
// (an invocation holds 4 adjacent columns) and C contiguous along n with offset
// and the strides in use multiples of 4.
bool vec4_stores(const Gemm& g, Read b_read, bool folded, uint32_t slice) {
  const bool c_batch_used = folded || (g.batch > 1 && !g.sum_over_batch) || (g.sum_over_batch && slice < g.batch);
  return b_read == Read::AlongOther && g.c.col_stride == 1 && multiple_of_4(g.n) && multiple_of_4(g.c.offset) &&
         (g.m == 1 || multiple_of_4(g.c.row_stride)) && (!c_batch_used || multiple_of_4(g.c.batch_stride));
}

// Defaults measured with tests/benchmark.cpp on lavapipe: 8x8 blocks with one
// subgroup (8 invocations) per workgroup; 4 rows only for C with at most 4 rows,
// 4 columns where that pads less. GPUs: smaller blocks, wider workgroups.
// A sweep of every tile_m x tile_n in {4, 8, 12, 16}^2 on GEMM 1024 NN (lavapipe,
// 2-core Zen 4, session 3) gave 35-51 GFLOP/s for all blocks up to 16x8 and 2-5
// GFLOP/s from 12x16 on (the block no longer fits in registers): the texel
// gathers, not the block size, bound this kernel there. Reading A through one
// gather per 8 rows and subgroupShuffle gave 50-53 at 8x4 and 16x4, within the
// sweep's noise of the default; not adopted.
Blocked plan_blocked(const Gemm& g, Read b_read, uint32_t slice) {
  const GemmTuning& tuning = current_tuning;
  const DeviceLimits& limits = Context::get().limits();
  const bool cpu = is_cpu_device();
  Blocked p;
  p.g = g;
  // Folding needs one A for the whole batch. B read along n gives each entry
  // whole texels of columns, the last one partly padding.
  p.entry_columns = b_read == Read::AlongOther ? round_up(uint64_t(g.n), 4) : uint64_t(g.n);
  p.folded = tuning.fold_batch && !g.sum_over_batch && g.batch > 1 && g.a.batch_stride == 0 &&
             uint64_t(g.batch) * p.entry_columns < kMaxFoldedColumns;
  p.columns = p.folded ? uint64_t(g.batch) * p.entry_columns : uint64_t(g.n);
  p.lanes = tuning.lanes ? tuning.lanes : cpu ? std::max<uint32_t>(limits.subgroup_size, 1) : 64;
  p.lanes = std::min({p.lanes, limits.max_workgroup_size[0], limits.max_workgroup_invocations});
  p.tile_m = tuning.tile_m ? tuning.tile_m : cpu && g.m > 4 ? 8 : 4;
  p.tile_n = tuning.tile_n ? tuning.tile_n : cpu ? 8 : 4;
  if (!tuning.tile_n && round_up(p.columns, 4ull * p.lanes) < round_up(p.columns, uint64_t(p.tile_n) * p.lanes)) {
    p.tile_n = 4;
  }
  const uint64_t batches = p.folded || g.sum_over_batch ? 1 : uint64_t(g.batch);
  const double padded_outputs = double(round_up(uint64_t(g.m), p.tile_m)) *
                                double(round_up(p.columns, uint64_t(p.tile_n) * p.lanes)) * double(batches);
  // A scalar store costs about as much as 16 multiply-adds on lavapipe, a vec4 store a quarter less per value.
  const double store_cost = vec4_stores(g, b_read, p.folded, slice) ? 12 : 16;
  p.cost = padded_outputs * (double(g.k) + store_cost);
  return p;
}

// Mirrors the push-constant block of shaders/gemm_pack.comp.
struct PackPush {
  uint32_t batch, rows, cols;
  uint32_t offset, row_stride, col_stride, batch_stride;
  uint32_t out_row, out_entry;
};

// Copies `entries` rows x cols matrices of v into `packed`: element (entry, row,
// col) to entry * out_entry + row * out_row + col.
void record_pack(const MatrixView& v, int64_t rows, int64_t cols, int64_t entries, const Tensor& packed,
                 int64_t out_row, int64_t out_entry) {
  const PackPush push{uint32_t(entries),
                      uint32_t(rows),
                      uint32_t(cols),
                      index32(v.offset, "offset"),
                      index32(v.row_stride, "row stride"),
                      index32(v.col_stride, "column stride"),
                      index32(v.batch_stride, "batch stride"),
                      index32(out_row, "packed row"),
                      index32(out_entry, "packed entry")};
  bound_loop_iterations("gemm_pack", uint64_t(cols), "a copy of rows of " + std::to_string(cols) + " values");
  launch_linear("gemm_pack", {v.tensor.read(), packed.write()}, push, uint64_t(entries) * uint64_t(rows));
}


bool packing_pays(int64_t rows, int64_t cols, int64_t batch, int64_t reuse) {
  if (!current_tuning.pack) return false;
  // One pass over the operand (a scalar loop per element on CPU drivers) against
  // four times fewer texel reads in a product that reads it `reuse` times.
  return reuse >= 16 && uint64_t(rows) * uint64_t(round_up(uint64_t(cols), 4)) * uint64_t(batch) * 4 <= kMaxPackedBytes;
}

// Which operands the blocked kernel first copies into aligned rows (where that
// pays): those that allow only scalar reads, and a B read along k that many rows
// of C reuse. `columns`: of the (folded) C, how often A is reused.
struct Packing {
  bool a = false, b = false;
  uint64_t elements = 0;  // copied
};
Packing packing_for(const Gemm& g, uint64_t columns) {
  const Read a = plan_read(g.a, g.m, g.k, g.batch, true).read, b = plan_read(g.b, g.k, g.n, g.batch, false).read;
  const int64_t a_entries = g.a.batch_stride == 0 ? 1 : g.batch, b_entries = g.b.batch_stride == 0 ? 1 : g.batch;
  Packing packing;
  // gemm_pack loops over a row of the copy (k of A, n of B): longer rows stay unpacked.
  const int64_t pack_budget = int64_t(kMaxLoopIterationsPerInvocation);
  packing.a = a == Read::Scalar && g.k <= pack_budget && packing_pays(g.m, g.k, a_entries, int64_t(columns));
  packing.b = (b == Read::Scalar || (b == Read::AlongK && g.m >= kRepackAlongKRows)) && g.n <= pack_budget &&
              packing_pays(g.k, g.n, b_entries, g.m);
  if (packing.a) packing.elements += uint64_t(g.m) * uint64_t(g.k) * uint64_t(a_entries);
  if (packing.b) packing.elements += uint64_t(g.k) * uint64_t(g.n) * uint64_t(b_entries);
  return packing;
}

// A copied element costs about as much as 64 multiply-adds of the blocked kernel
// on lavapipe (a per-lane loop of scalar stores, as in the kernel's own stores).
constexpr double kPackCost = 64;

bool blocked_gemm(const Gemm& problem, uint32_t slice) {
  const DeviceLimits& limits = Context::get().limits();
  if (current_tuning.path == GemmPath::Storage || !limits.texel_buffers) return false;

  // Orientation: the one whose blocks are fuller and whose stores and copies are
  // cheaper (ties keep C as it is). A B that will be packed is read along n.
  auto plan_orientation = [slice](const Gemm& g) {
    const bool pack_b = packing_for(g, 0).b;
    Blocked plan = plan_blocked(g, pack_b ? Read::AlongOther : plan_read(g.b, g.k, g.n, g.batch, false).read, slice);
    plan.cost += kPackCost * double(packing_for(g, plan.columns).elements);
    return plan;
  };
  Blocked plan = plan_orientation(problem);
  if (current_tuning.transpose) {
    Blocked other = plan_orientation(transposed_problem(problem));
    if (other.cost < plan.cost) plan = other;
  }
  Gemm g = plan.g;

  // Operands that only allow scalar reads are repacked where that pays; the
  // others must be readable as texels where they are.
  OperandRead a = plan_read(g.a, g.m, g.k, g.batch, true);
  OperandRead b = plan_read(g.b, g.k, g.n, g.batch, false);
  const Packing packing = packing_for(g, plan.columns);
  const bool pack_a = packing.a, pack_b = packing.b;
  // Without a bias, binding 3 still needs a texel view: any operand's, never read through it.
  Tensor bias = g.bias;
  if (g.bias_mode == GemmBias::None) {
    bias = texel_readable(g.c.tensor, BindingKind::TexelR32F) ? g.c.tensor : g.a.tensor;
  }
  if ((!pack_a && !texel_readable(g.a.tensor, texel_kind(a.read))) ||
      (!pack_b && !texel_readable(g.b.tensor, texel_kind(b.read))) || !texel_readable(bias, BindingKind::TexelR32F)) {
    return false;
  }
  if (pack_a) {
    g.a = aligned_copy(g.a, g.m, g.k, g.batch);
    a = plan_read(g.a, g.m, g.k, g.batch, true);
  }
  if (pack_b) {
    g.b = aligned_copy(g.b, g.k, g.n, g.batch);
    b = plan_read(g.b, g.k, g.n, g.batch, false);
    plan = plan_blocked(g, b.read, slice);  // reading B along n may change whether the batch folds
  }
  const BindingKind a_kind = texel_kind(a.read), b_kind = texel_kind(b.read);

  BlockedPush push{};
  push.m = index32(g.m, "m");
  push.n = index32(g.n, "n");
  push.k = index32(g.k, "k");
  push.batch = index32(g.batch, "batch");
  push.a_offset = a.offset;
  push.a_row = a.row;
  push.a_col = a.col;
  push.a_batch = a.batch;
  push.b_offset = b.offset;
  push.b_row = b.row;
  push.b_col = b.col;
  push.b_batch = b.batch;
  push.c_offset = index32(g.c.offset, "offset");
  push.c_row = index32(g.c.row_stride, "row stride");
  push.c_col = index32(g.c.col_stride, "column stride");
  push.c_batch = index32(g.c.batch_stride, "batch stride");
  push.bias_offset = index32(g.bias_offset, "bias offset");
  push.bias_mode = static_cast<uint32_t>(g.bias_mode);
  push.sum_over_batch = g.sum_over_batch ? 1u : 0u;
  push.alpha = g.alpha;
  push.beta = g.beta;
  push.folded = plan.folded ? 1u : 0u;
  push.columns = index32(int64_t(plan.columns), "columns");
  push.entry_columns = index32(int64_t(plan.entry_columns), "columns");
  push.inv_entry_columns = static_cast<float>(1.0 / double(plan.entry_columns));
  const bool c_vec4 = vec4_stores(g, b.read, plan.folded, slice);
  push.slice = slice;

  // Kernel variant by how A and B are read (shaders/gemm_blocked.comp).
  static const char* const a_suffix[] = {"ak", "am", "as"};
  static const char* const b_suffix[] = {"bk", "bn", "bs"};
  std::string name = std::string("gemm_blocked_") + a_suffix[int(a.read)] + "_" + b_suffix[int(b.read)];
  if (name == "gemm_blocked_ak_bn") name = "gemm_blocked";  // the source's default defines

  const uint32_t* max_groups = limits.max_workgroup_count;
  const uint32_t batches = g.sum_over_batch ? ceil_div(push.batch, slice) : plan.folded ? 1u : push.batch;
  const uint64_t block_columns = uint64_t(plan.tile_n) * plan.lanes;
  const std::array<uint32_t, 3> groups{std::min(ceil_div(push.m, plan.tile_m), max_groups[0]),
                                       std::min(ceil_div(plan.columns, block_columns), max_groups[1]),
                                       std::min(batches, max_groups[2])};
  bound_loop_iterations(name,
                        product_iterations(g, slice, groups,
                                           {ceil_div(push.m, plan.tile_m), ceil_div(plan.columns, block_columns), batches}),
                        describe_product(g));
  launch_grid(name, {texels(g.a.tensor.range(), a_kind), texels(g.b.tensor.range(), b_kind), g.c.tensor.write(),
                     texels(bias.range(), BindingKind::TexelR32F)},
              push, {plan.lanes, 1, 1}, groups,
              {plan.tile_m, plan.tile_n, g.beta != 0.0f ? 1u : 0u, static_cast<uint32_t>(g.bias_mode),
               c_vec4 ? 1u : 0u});
  return true;
}

void record_product(const Gemm& g, uint32_t slice) {
  if (!blocked_gemm(g, slice)) storage_gemm(g, slice);
}

// ---------------------------------------------------------------- sums over the batch in slices

// About how many blocks of C an m x n product has, and how many keep the device
// busy: the estimates that decide whether a sum over the batch is split or merged.
uint64_t blocks_of_c(int64_t m, int64_t n) {
  return uint64_t(ceil_div(uint64_t(m), 8)) * ceil_div(uint64_t(n), is_cpu_device() ? 64 : 256);
}
uint64_t parallel_blocks() { return is_cpu_device() ? 32 : 512; }

// Partial sums over slices of the batch give a sum over a long batch (conv2d
// weight gradients: batch x positions terms) parallel work and a working set
// that stays in cache. The partition depends only on the problem's sizes and
// the kind of device, so results are reproducible.
int64_t batch_slices(const Gemm& g) {
  if (!g.sum_over_batch || g.batch < 2) return 1;
  const uint64_t blocks = blocks_of_c(g.m, g.n), wanted_blocks = parallel_blocks();
  const uint64_t for_parallelism = (wanted_blocks + blocks - 1) / blocks;
  const uint64_t for_cache = uint64_t(g.batch) * uint64_t(g.k) / 4096;  // terms per partial sum
  int64_t slices = std::clamp<int64_t>(int64_t(std::max(for_parallelism, for_cache)), 1, g.batch);
  const uint64_t partial_bytes = uint64_t(g.m) * uint64_t(g.n) * sizeof(float);
  slices = std::min<int64_t>(slices, int64_t(std::max<uint64_t>(1, kMaxPackedBytes / partial_bytes)));
  // gemm_reduce loops over the slices, and a slice's entries times k stay within
  // one invocation's loop budget.
  const int64_t budget = int64_t(kMaxLoopIterationsPerInvocation);
  slices = std::min(slices, budget);
  const int64_t entries_per_slice = std::max<int64_t>(1, (budget - 1) / (g.k + 1));
  slices = std::max<int64_t>(slices, (g.batch + entries_per_slice - 1) / entries_per_slice);
  const int64_t per_slice = (g.batch + slices - 1) / slices;
  return (g.batch + per_slice - 1) / per_slice;
}

// Mirrors the push-constant block of shaders/gemm_reduce.comp.
struct ReducePush {
  uint32_t m, n, slices;
  uint32_t c_offset, c_row, c_col;
  uint32_t bias_offset, bias_mode;
  float alpha, beta;
};

void sliced_gemm(const Gemm& g, int64_t slices) {
  // Refused before the products of the slices are recorded.
  bound_loop_iterations("gemm_reduce", uint64_t(slices), describe_product(g));
  const int64_t per_slice = (g.batch + slices - 1) / slices;
  Tensor partials = Tensor::empty({slices, g.m, g.n});
  Gemm part = g;
  part.c = MatrixView::row_major(partials, g.n).batched(g.m * g.n);
  part.alpha = 1.0f;
  part.beta = 0.0f;
  part.bias_mode = GemmBias::None;
  part.bias = Tensor();
  part.bias_offset = 0;
  record_product(part, static_cast<uint32_t>(per_slice));

  const ReducePush push{index32(g.m, "m"), index32(g.n, "n"), static_cast<uint32_t>(slices),
                        index32(g.c.offset, "offset"), index32(g.c.row_stride, "row stride"),
                        index32(g.c.col_stride, "column stride"), index32(g.bias_offset, "bias offset"),
                        static_cast<uint32_t>(g.bias_mode), g.alpha, g.beta};
  const Tensor& bias = g.bias_mode != GemmBias::None ? g.bias : partials;
  launch_linear("gemm_reduce", {partials.read(), g.c.tensor.write(), bias.read()}, push,
                uint64_t(g.m) * uint64_t(g.n));
}

// A batch of one-column products with a shared A is one product, the entries'
// columns side by side (convolutions whose output is 1x1), with every element of
// C computed in the same order. One column per entry fills the kernels' blocks badly.
Gemm columns_side_by_side(const Gemm& g) {
  if (g.batch < 2 || g.sum_over_batch || g.n != 1 || g.a.batch_stride != 0 || g.bias_mode == GemmBias::PerColumn) {
    return g;
  }
  Gemm merged = g;
  merged.n = g.batch;
  merged.b.col_stride = g.b.batch_stride;
  merged.c.col_stride = g.c.batch_stride;
  merged.batch = 1;
  merged.b.batch_stride = merged.c.batch_stride = 0;
  return merged;
}

// Whether the batch entries of v lie one after another along k.
bool stacked_along_k(const MatrixView& v, int64_t k, bool k_along_cols) {
  return k == 1 || v.batch_stride == k * (k_along_cols ? v.col_stride : v.row_stride);
}

// Below this many terms per entry, a sum over the batch runs faster as one
// product: the kernel restarts its loop over k for every entry.
constexpr int64_t kShortSumTerms = 64;

// A sum over the batch whose B holds the entries one after another along k (the
// rows of conv2d's im2row columns; any B with k = 1) is one product over batch x k
// terms, summed in the same order, once A's entries also lie side by side along
// k: copied there unless they already are. Worth it for short sums per entry
// (conv2d weight gradients of small images, k = 1 ones), where the product keeps
// enough blocks of C to run in parallel (the slices of batch_slices no longer split it).
Gemm sum_as_one_product(const Gemm& g) {
  if (!g.sum_over_batch || g.batch < 2 || g.k >= kShortSumTerms || !stacked_along_k(g.b, g.k, false)) return g;
  Gemm merged = g;
  merged.k = g.k * g.batch;
  merged.batch = 1;
  merged.sum_over_batch = false;
  if (g.k == 1) merged.b.row_stride = g.b.batch_stride;
  merged.b.batch_stride = 0;
  if (stacked_along_k(g.a, g.k, true)) {
    if (g.k == 1) merged.a.col_stride = g.a.batch_stride;
    merged.a.batch_stride = 0;
    return merged;
  }
  const int64_t lead = int64_t(round_up(uint64_t(merged.k), 4));
  if (!current_tuning.pack || blocks_of_c(g.m, g.n) < parallel_blocks() ||
      uint64_t(g.m) * uint64_t(lead) * 4 > kMaxPackedBytes) {
    return g;
  }
  Tensor packed = Tensor::empty({g.m, lead});
  record_pack(g.a, g.m, g.k, g.batch, packed, lead, g.k);
  merged.a = MatrixView::row_major(packed, lead);
  return merged;
}

// Terms of k one product's invocations sum, within the loop budget with room for
// the loop over batch entries around the one over k; a multiple of 4, so that parts of operands read
// four values of k at a time stay aligned.
int64_t k_per_product(int64_t k) {
  const int64_t longest = int64_t(kMaxLoopIterationsPerInvocation - 2) / 4 * 4;
  return std::min(k, longest);
}

}  // namespace

MatrixView aligned_copy(const MatrixView& v, int64_t rows, int64_t cols, int64_t batch) {
  const int64_t entries = v.batch_stride == 0 ? 1 : batch;
  const int64_t padded = int64_t(round_up(uint64_t(cols), 4));
  Tensor packed = Tensor::empty({entries, rows, padded});
  record_pack(v, rows, cols, entries, packed, padded, rows * padded);
  return MatrixView::row_major(packed, padded).batched(entries == 1 ? 0 : rows * padded);
}

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

GemmTuning gemm_tuning() { return current_tuning; }

void set_gemm_tuning(const GemmTuning& tuning) {
  const DeviceLimits& limits = Context::get().limits();
  auto tile_ok = [](uint32_t t) { return t == 0 || t == 4 || t == 8 || t == 12 || t == 16; };
  const bool lanes_ok =
      tuning.lanes <= limits.max_workgroup_size[0] && tuning.lanes <= limits.max_workgroup_invocations;
  if (!tile_ok(tuning.tile_m) || !tile_ok(tuning.tile_n) || !lanes_ok) {
    fail("set_gemm_tuning: tiles " + std::to_string(tuning.tile_m) + "x" + std::to_string(tuning.tile_n) +
         " (0 or 4, 8, 12, 16 each) with " + std::to_string(tuning.lanes) + " lanes do not fit this device");
  }
  current_tuning = tuning;
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
  index32(g.m, "m");
  index32(g.n, "n");
  index32(g.batch, "batch");

  const Gemm product = sum_as_one_product(columns_side_by_side(g));
  // A k longer than one invocation may loop over is split into products over
  // consecutive parts of k, each added to C in turn (a fixed order).
  const int64_t part_k = k_per_product(product.k);
  for (int64_t k0 = 0; k0 < product.k; k0 += part_k) {
    Gemm part = product;
    part.k = std::min(part_k, product.k - k0);
    part.a.offset += k0 * product.a.col_stride;
    part.b.offset += k0 * product.b.row_stride;
    if (k0 > 0) {
      part.beta = 1.0f;
      part.bias_mode = GemmBias::None;
      part.bias = Tensor();
      part.bias_offset = 0;
    }
    const int64_t slices = batch_slices(part);
    if (slices > 1) {
      sliced_gemm(part, slices);
    } else {
      record_product(part, static_cast<uint32_t>(part.batch));
    }
  }
}

// channel_sum's limit for one invocation per channel.
constexpr int64_t kColumnSumTerms = 16384;

void channel_sum(const Tensor& out, const Tensor& x, int64_t outer, int64_t channels, int64_t inner, float beta) {
  if (outer < 1 || channels < 1 || inner < 1 || x.numel() != outer * channels * inner || out.numel() != channels) {
    fail("channel_sum: input of shape " + to_string(x.shape()) + " viewed as [" + std::to_string(outer) + ", " +
         std::to_string(channels) + ", " + std::to_string(inner) + "] into output of shape " +
         to_string(out.shape()));
  }
  // The workgroup kernel's element index runs up to one plane past the last element.
  if (x.numel() + channels * inner > int64_t(0xffffffffu)) {
    fail("channel_sum: input of shape " + to_string(x.shape()) + " too large");
  }
  const DeviceLimits& limits = Context::get().limits();
  const uint32_t lanes = std::min(linear_workgroup_size(), limits.max_shared_memory_bytes / uint32_t(sizeof(float)));
  const uint64_t terms = uint64_t(outer) * uint64_t(inner);  // per channel
  const std::string what = "a sum of " + std::to_string(terms) + " terms per channel";
  const bool texel_reads = current_tuning.path != GemmPath::Storage && texel_readable(x, BindingKind::TexelR32F);
  // Few terms per channel, or inner 1 (neighbouring lanes read neighbouring
  // elements): one invocation per channel, no barriers, as long as its two
  // nested loops stay within the loop budget. Otherwise a workgroup per channel,
  // its lanes' partial sums combined in shared memory.
  const uint64_t column_iterations = uint64_t(outer) * uint64_t(inner + 1);
  if ((inner == 1 || outer * inner <= kColumnSumTerms) && column_iterations <= kMaxLoopIterationsPerInvocation) {
    struct {
      uint32_t outer, channels, inner;
      float beta;
    } push{static_cast<uint32_t>(outer), static_cast<uint32_t>(channels), static_cast<uint32_t>(inner), beta};
    bound_loop_iterations("column_sum", column_iterations, what);
    launch_linear(texel_reads ? "column_sum" : "column_sum_storage",
                  {texel_reads ? texels(x.range()) : x.read(), out.write()}, push, uint64_t(channels));
    return;
  }
  const uint32_t groups = std::min(static_cast<uint32_t>(channels), limits.max_workgroup_count[0]);
  const uint64_t repeats = grid_repeats(uint64_t(channels), groups);
  auto iterations = [&](uint64_t span) { return repeats * ((span + lanes - 1) / lanes + tree_steps(lanes) + 1); };
  // A channel longer than the loop budget allows is summed in spans, one per
  // workgroup row, whose partial sums are summed again in a fixed order.
  uint64_t span = terms;
  if (iterations(span) > kMaxLoopIterationsPerInvocation) {
    const uint64_t per_lane = kMaxLoopIterationsPerInvocation / repeats;
    if (per_lane <= tree_steps(lanes) + 1) bound_loop_iterations("channel_sum", iterations(1), what);
    span = (per_lane - tree_steps(lanes) - 1) * lanes;
  }
  const uint32_t spans = ceil_div(terms, span);
  if (spans > limits.max_workgroup_count[1]) bound_loop_iterations("channel_sum", iterations(terms), what);
  bound_loop_iterations("channel_sum", iterations(span), what);
  const Tensor partials = spans > 1 ? Tensor::empty({int64_t(spans), channels}) : out;
  struct {
    uint32_t outer, channels, inner;
    float beta;
    uint32_t span;
  } push{static_cast<uint32_t>(outer), static_cast<uint32_t>(channels), static_cast<uint32_t>(inner),
         spans > 1 ? 0.0f : beta, static_cast<uint32_t>(span)};
  if (texel_reads) {
    launch_grid("channel_sum", {texels(x.range()), partials.write()}, push, {lanes, 1, 1}, {groups, spans, 1});
  } else {
    launch_grid("channel_sum_storage", {x.read(), partials.write()}, push, {lanes, 1, 1}, {groups, spans, 1});
  }
  if (spans > 1) channel_sum(out, partials, spans, channels, 1, beta);
}

}  // namespace medrepro
