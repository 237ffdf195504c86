#include "core/ops/conv3d.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/autograd.h"
#include "core/device.h"
#include "core/kernels.h"
#include "core/loop_budget.h"
#include "core/ops/checks.h"
#include "core/ops/column_grid.h"
#include "core/ops/gemm.h"

namespace medrepro {
namespace {

constexpr uint64_t kDefaultColumnBudget = 64ull << 20;
uint64_t column_budget = kDefaultColumnBudget;

// How the work is split so that one chunk's columns fit the budget: `images`
// whole images at a time or, when one image is too large (images == 1), slices
// of `depths` output depths.
struct ChunkPlan {
  int64_t images = 1;
  int64_t depths = 1;
  int64_t slice_positions(const ConvVolumeGeometry& g) const { return depths * g.out[1] * g.out[2]; }
  int64_t column_elements(const ConvVolumeGeometry& g) const { return images * g.rows() * slice_positions(g); }
};

// The plan for column buffers of bytes_for(depths) bytes per image for `depths`
// consecutive output depths: as many whole images as the budget holds, else the
// most depths of one image that it holds (at least one, within the device limit).
template <class BytesFor>
ChunkPlan plan_chunks(const ConvVolumeGeometry& g, BytesFor bytes_for) {
  const uint64_t device_limit = Context::get().limits().max_storage_buffer_range;
  const uint64_t budget = std::min(column_budget, device_limit);
  if (bytes_for(1) > device_limit || bytes_for(1) / sizeof(float) > 0xffffffffu) {
    fail("conv3d, conv_transpose: the columns of one output depth slice (" + format_bytes(bytes_for(1)) +
         ") exceed this device's maxStorageBufferRange of " + format_bytes(device_limit));
  }
  const uint64_t per_image = bytes_for(g.out[0]);
  if (per_image <= budget) return {std::clamp<int64_t>(int64_t(budget / per_image), 1, g.batch), g.out[0]};
  int64_t depths = 1;
  while (depths < g.out[0] && bytes_for(depths + 1) <= budget) ++depths;
  return {1, depths};
}

// vol2col's columns: rows x (depths x OH x OW) floats per image.
ChunkPlan plan_chunks(const ConvVolumeGeometry& g) {
  const uint64_t per_depth = uint64_t(g.rows()) * uint64_t(g.out[1] * g.out[2]) * sizeof(float);
  return plan_chunks(g, [per_depth](int64_t depths) { return uint64_t(depths) * per_depth; });
}

// Calls step(first_image, images, first_depth, depths) for every chunk, in order.
template <class Step>
void for_each_chunk(const ConvVolumeGeometry& g, const ChunkPlan& plan, Step step) {
  for (int64_t first = 0; first < g.batch; first += plan.images) {
    for (int64_t depth = 0; depth < g.out[0]; depth += plan.depths) {
      step(first, std::min(plan.images, g.batch - first), depth, std::min(plan.depths, g.out[0] - depth));
    }
  }
}

// Mirrors the push-constant block of shaders/conv3d_vol2col.comp and conv3d_col2vol.comp.
struct ColumnPush {
  uint32_t images, channels, in_d, in_h, in_w;
  uint32_t kernel_d, kernel_h, kernel_w;
  uint32_t stride_d, stride_h, stride_w;
  int32_t pad_d, pad_h, pad_w;
  uint32_t dilation_d, dilation_h, dilation_w;
  uint32_t out_d, out_h, out_w;
  uint32_t first_depth, depths;
  uint32_t x_offset;
  float beta;
  uint32_t has_bias;
};

ColumnPush column_push(const ConvVolumeGeometry& g, int64_t first_image, int64_t images, int64_t first_depth,
                       int64_t depths) {
  auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  return {.images = u(images),
          .channels = u(g.channels),
          .in_d = u(g.in[0]),
          .in_h = u(g.in[1]),
          .in_w = u(g.in[2]),
          .kernel_d = u(g.kernel[0]),
          .kernel_h = u(g.kernel[1]),
          .kernel_w = u(g.kernel[2]),
          .stride_d = u(g.stride[0]),
          .stride_h = u(g.stride[1]),
          .stride_w = u(g.stride[2]),
          .pad_d = g.padding[0],
          .pad_h = g.padding[1],
          .pad_w = g.padding[2],
          .dilation_d = u(g.dilation[0]),
          .dilation_h = u(g.dilation[1]),
          .dilation_w = u(g.dilation[2]),
          .out_d = u(g.out[0]),
          .out_h = u(g.out[1]),
          .out_w = u(g.out[2]),
          .first_depth = u(first_depth),
          .depths = u(depths),
          .x_offset = u(first_image * g.input_image()),
          .beta = 0.0f,
          .has_bias = 0};
}

void vol2col(const Tensor& x, const Tensor& columns, const ConvVolumeGeometry& g, int64_t first_image,
             int64_t images, int64_t first_depth, int64_t depths) {
  bound_loop_iterations("conv3d_vol2col", uint64_t(g.out[2]), "an output row of " + std::to_string(g.out[2]));
  launch_linear("conv3d_vol2col", {x.read(), columns.write()},
                column_push(g, first_image, images, first_depth, depths),
                uint64_t(images) * uint64_t(g.rows()) * uint64_t(depths) * uint64_t(g.out[1]));
}

// The first depth slice of an image honours beta and adds the bias; later slices add to it.
void col2vol(const Tensor& columns, const Tensor& channel_bias, const Tensor& dx, const ConvVolumeGeometry& g,
             int64_t first_image, int64_t images, int64_t first_depth, int64_t depths, float beta) {
  ColumnPush push = column_push(g, first_image, images, first_depth, depths);
  const bool first_slice = first_depth == 0;
  push.beta = first_slice ? beta : 1.0f;
  push.has_bias = first_slice && channel_bias.defined() ? 1u : 0u;
  // Without a bias, binding 1 still needs a buffer: the columns', never read through it.
  const Tensor& bias = channel_bias.defined() ? channel_bias : columns;
  const auto u = [](int64_t v) { return uint64_t(v); };
  bound_loop_iterations("conv3d_col2vol",
                        u(g.in[2]) + nested_loop_iterations({u(g.kernel[0]), u(g.kernel[1]), u(g.kernel[2]), u(g.out[2])}),
                        "a kernel of " + std::to_string(g.kernel[0]) + "x" + std::to_string(g.kernel[1]) + "x" +
                            std::to_string(g.kernel[2]) + " over output rows of " + std::to_string(g.out[2]));
  launch_linear("conv3d_col2vol", {columns.read(), bias.read(), dx.write()}, push,
                uint64_t(images) * uint64_t(g.channels * g.in[0] * g.in[1]));
}

// ---------------------------------------------------------------- slab path
// Where kernel taps along depth are adjacent input depths (dilation 1 along
// depth), each input depth slice is unfolded once into 2-D columns, a "slab"
// (shaders/conv3d_unfold.comp), and output depth od reads the KD slabs from
// od * stride - pad on as one [KD * C * KH * KW, OH * OW] matrix. One GEMM per
// image then computes every output depth (a batch over od, folded into columns),
// with KD times less column memory and unfolding than vol2col.

bool slab_path(const ConvVolumeGeometry& g) { return g.dilation[0] == 1 && !g.pointwise(); }

struct SlabLayout {
  int64_t taps = 0;        // KH * KW
  int64_t slab_rows = 0;   // channels * taps
  int64_t row_length = 0;  // OH * OW rounded up to a multiple of 4 (whole texels for the GEMM)
  int64_t k = 0;           // KD * slab_rows: the GEMM depth
  int64_t k_padded = 0;    // rows of the GEMM-layout weight, a multiple of 4

  explicit SlabLayout(const ConvVolumeGeometry& g)
      : taps(g.kernel[1] * g.kernel[2]),
        slab_rows(g.channels * taps),
        row_length((g.out[1] * g.out[2] + 3) / 4 * 4),
        k(g.kernel[0] * slab_rows),
        k_padded((k + 3) / 4 * 4) {}
  int64_t slab_floats() const { return slab_rows * row_length; }
  // Slabs that `depths` consecutive output depths read.
  int64_t slabs_for(const ConvVolumeGeometry& g, int64_t depths) const {
    return (depths - 1) * g.stride[0] + g.kernel[0];
  }
};

// The slabs that `depths` output depths read, per image.
ChunkPlan plan_slab_chunks(const ConvVolumeGeometry& g, const SlabLayout& s) {
  const uint64_t slab_bytes = uint64_t(s.slab_floats()) * sizeof(float);
  return plan_chunks(g, [&](int64_t depths) { return uint64_t(s.slabs_for(g, depths)) * slab_bytes; });
}

// Mirrors the push-constant block of shaders/conv3d_unfold.comp.
struct UnfoldPush {
  FastDivisor slabs_divisor, channels_divisor, out_w_divisor;
  uint32_t planes;
  uint32_t slabs, channels, in_d, in_h, in_w;
  int32_t first_depth;
  int32_t pad_h, pad_w;
  uint32_t out_h, out_w, row_length;
  uint32_t x_offset;
};

// Slabs of images first_image.. for output depths first_depth.. (`depths` of them).
void unfold_slabs(const ConvVolumeGeometry& g, const SlabLayout& s, const Tensor& x, const Tensor& slabs,
                  int64_t first_image, int64_t images, int64_t first_depth, int64_t depths) {
  auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  const int64_t slab_count = s.slabs_for(g, depths);
  UnfoldPush push{.slabs_divisor = fast_divisor(u(slab_count)),
                  .channels_divisor = fast_divisor(u(g.channels)),
                  .out_w_divisor = fast_divisor(u(g.out[2])),
                  .planes = u(images * g.channels * slab_count),
                  .slabs = u(slab_count),
                  .channels = u(g.channels),
                  .in_d = u(g.in[0]),
                  .in_h = u(g.in[1]),
                  .in_w = u(g.in[2]),
                  .first_depth = int32_t(first_depth * g.stride[0] - g.padding[0]),
                  .pad_h = g.padding[1],
                  .pad_w = g.padding[2],
                  .out_h = u(g.out[1]),
                  .out_w = u(g.out[2]),
                  .row_length = u(s.row_length),
                  .x_offset = u(first_image * g.input_image())};
  const bool texel_reads =
      gemm_tuning().path != GemmPath::Storage && fits_texel_buffer(x.range(), BindingKind::TexelR32F);
  const char* shader = texel_reads ? "conv3d_unfold" : "conv3d_unfold_storage";
  const uint64_t quads = uint64_t(g.out[1] * g.out[2] + 3) / 4;  // four positions per invocation
  const ColumnGrid grid = plan_column_grid(shader, quads, push.planes);
  // Per plane the taps' nested loops; per invocation also the four positions of its quad.
  const uint64_t per_plane = nested_loop_iterations({uint64_t(g.kernel[1]), uint64_t(g.kernel[2])}) + 1;
  bound_loop_iterations(shader, grid.plane_repeats * per_plane + 4,
                        "a kernel of " + std::to_string(g.kernel[1]) + "x" + std::to_string(g.kernel[2]) +
                            " over " + std::to_string(push.planes) + " planes");
  launch_grid(shader, {texel_reads ? texels(x.range()) : x.read(), slabs.write()}, push, grid.local, grid.groups,
              {u(g.kernel[1]), u(g.kernel[2]), u(g.stride[1]), u(g.stride[2]), u(g.dilation[1]), u(g.dilation[2]),
               0u, grid.position_lanes});
}

// Mirrors the push-constant block of shaders/conv3d_weight_layout.comp.
struct WeightLayoutPush {
  uint32_t out_channels, channels, kernel_d, kernel_taps;
  uint32_t k_padded;
  uint32_t mode;
  float beta;
};
enum WeightLayoutMode : uint32_t { kToGemm = 0, kToGemmFlipped = 1, kFromGemm = 2 };

void move_weight(const ConvVolumeGeometry& g, const SlabLayout& s, const Tensor& source, const Tensor& target,
                 WeightLayoutMode mode, float beta, uint64_t count) {
  const WeightLayoutPush push{uint32_t(g.out_channels), uint32_t(g.channels), uint32_t(g.kernel[0]),
                              uint32_t(s.taps), uint32_t(s.k_padded), mode, beta};
  launch_linear("conv3d_weight_layout", {source.read(), target.write()}, push, count);
}

// weight [O, C, KD, KH, KW] as the slab GEMM's A: [O, k_padded], columns (kd, c, kh, kw).
Tensor gemm_weight(const ConvVolumeGeometry& g, const SlabLayout& s, const Tensor& weight) {
  Tensor out = Tensor::empty({g.out_channels, s.k_padded});
  move_weight(g, s, weight, out, kToGemm, 0.0f, uint64_t(out.numel()));
  return out;
}

// Unfolds x chunk by chunk and calls visit(image, first_depth, depths, window) for
// every image of every chunk, in order: window is the batch over the chunk's
// output depths of [k, OH * OW] matrices, the slabs output depth od reads.
template <class Visit>
void for_each_slab_window(const ConvVolumeGeometry& g, const SlabLayout& s, const Tensor& x, Visit visit) {
  const ChunkPlan plan = plan_slab_chunks(g, s);
  const int64_t chunk_image = s.slabs_for(g, plan.depths) * s.slab_floats();
  Tensor slabs = Tensor::empty({plan.images * chunk_image});
  for_each_chunk(g, plan, [&](int64_t first, int64_t images, int64_t depth, int64_t depths) {
    unfold_slabs(g, s, x, slabs, first, images, depth, depths);
    for (int64_t i = 0; i < images; ++i) {
      visit(first + i, depth, depths,
            MatrixView{slabs, i * chunk_image, s.row_length, 1, g.stride[0] * s.slab_floats()});
    }
  });
}

// out = conv(x, A) + bias + beta * out, with the weight already as the slab GEMM's A.
void slab_forward(const ConvVolumeGeometry& g, const Tensor& x, const Tensor& a, const Tensor& bias,
                  const Tensor& out, float beta) {
  const SlabLayout s(g);
  const int64_t plane = g.out[1] * g.out[2];
  Gemm step;  // out_n [O, depths x plane] = A [O, k] x slab window_n(od) [k, plane], batched over od
  step.m = g.out_channels;
  step.n = plane;
  step.k = s.k;
  step.a = MatrixView::row_major(a, s.k_padded);
  step.beta = beta;
  if (bias.defined()) {
    step.bias_mode = GemmBias::PerRow;
    step.bias = bias;
  }
  for_each_slab_window(g, s, x, [&](int64_t image, int64_t depth, int64_t depths, const MatrixView& window) {
    step.batch = depths;
    step.b = window;
    step.c = MatrixView{out, image * g.output_image() + depth * plane, g.positions(), 1, plane};
    gemm(step);
  });
}

// dW^T [k, O] = sum over images and output depths of window_n(od) [k, plane] x dy_n(od)^T [plane, O],
// then + beta * dW in the weight's own layout. dy's slices are first copied
// transposed, so that the GEMM reads both operands four values at a time along
// their rows (reading the window along k instead runs at about half the rate).
void slab_backward_weight(const ConvVolumeGeometry& g, const Tensor& dy, const Tensor& x, const Tensor& dweight,
                          float beta) {
  const SlabLayout s(g);
  const int64_t plane = g.out[1] * g.out[2];
  Tensor gemm_grad = Tensor::empty({g.out_channels, s.k_padded});
  Gemm step;
  step.m = s.k;
  step.n = g.out_channels;
  step.k = plane;
  step.c = MatrixView::row_major(gemm_grad, s.k_padded).transposed();
  step.sum_over_batch = true;
  bool first_product = true;
  for_each_slab_window(g, s, x, [&](int64_t image, int64_t depth, int64_t depths, const MatrixView& window) {
    const MatrixView dy_slices{dy, image * g.output_image() + depth * plane, 1, g.positions(), plane};
    step.batch = depths;
    step.a = window;
    step.b = aligned_copy(dy_slices, plane, g.out_channels, depths);
    step.beta = first_product ? 0.0f : 1.0f;  // later images and chunks add to the first
    first_product = false;
    gemm(step);
  });
  move_weight(g, s, gemm_grad, dweight, kFromGemm, beta, uint64_t(dweight.numel()));
}

// The data gradient of a stride-1, dilation-1 convolution is itself a
// convolution: of dy, with the kernel flipped and its channel axes swapped, and
// padding K - 1 - pad. That runs on the slab path when every pad <= K - 1.
bool flipped_data_gradient(const ConvVolumeGeometry& g, ConvVolumeGeometry& flipped) {
  for (size_t axis = 0; axis < 3; ++axis) {
    if (g.stride[axis] != 1 || g.dilation[axis] != 1 || g.padding[axis] > g.kernel[axis] - 1) return false;
    if (g.out[axis] + g.kernel[axis] - 1 - 2 * g.padding[axis] != g.in[axis]) return false;
  }
  flipped = g;
  flipped.channels = g.out_channels;
  flipped.out_channels = g.channels;
  flipped.in = g.out;
  flipped.out = g.in;
  for (size_t axis = 0; axis < 3; ++axis) flipped.padding[axis] = int(g.kernel[axis] - 1) - g.padding[axis];
  return !flipped.pointwise();
}

MatrixView weight_matrix(const Tensor& weight, const ConvVolumeGeometry& g) {
  return MatrixView::row_major(weight, g.rows());
}

// Images first_image.. of a [N, channels, positions] tensor as a batch of
// [channels, depths * plane] matrices starting at output depth first_depth.
MatrixView volume_matrices(const Tensor& t, int64_t channels, int64_t positions, int64_t plane, int64_t first_image,
                           int64_t first_depth) {
  return MatrixView{t, first_image * channels * positions + first_depth * plane, positions, 1, channels * positions};
}

// The columns of a chunk covering `depths` output depths: one [rows, depths * plane] matrix per image.
MatrixView column_matrices(const Tensor& columns, const ConvVolumeGeometry& g, int64_t depths) {
  const int64_t cols = depths * g.out[1] * g.out[2];
  return MatrixView::row_major(columns, cols).batched(g.rows() * cols);
}

std::string describe(const Conv3dOptions& o) {
  auto triple = [](const std::array<int, 3>& v) {
    return std::to_string(v[0]) + "x" + std::to_string(v[1]) + "x" + std::to_string(v[2]);
  };
  return "stride " + triple(o.stride) + ", padding " + triple(o.padding) + ", dilation " + triple(o.dilation);
}

ConvVolumeGeometry make_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv3dOptions& o) {
  expect_rank(x, 5, "conv3d", "input");
  expect_rank(weight, 5, "conv3d", "weight");
  const std::string both = "input " + to_string(x.shape()) + " and weight " + to_string(weight.shape());
  for (int axis = 0; axis < 3; ++axis) {
    if (o.stride[axis] < 1 || o.dilation[axis] < 1 || o.padding[axis] < 0) {
      fail("conv3d: " + describe(o) + ": stride and dilation must be positive and padding non-negative (" + both +
           ")");
    }
  }
  if (x.numel() == 0 || weight.numel() == 0) fail("conv3d: empty " + both);
  ConvVolumeGeometry g;
  g.batch = x.dim(0);
  g.channels = x.dim(1);
  g.out_channels = weight.dim(0);
  g.stride = o.stride;
  g.padding = o.padding;
  g.dilation = o.dilation;
  if (weight.dim(1) != g.channels) {
    fail("conv3d: " + both + " disagree on input channels (" + std::to_string(g.channels) + " vs " +
         std::to_string(weight.dim(1)) + "; groups are not supported)");
  }
  for (int axis = 0; axis < 3; ++axis) {
    g.in[size_t(axis)] = x.dim(2 + axis);
    g.kernel[size_t(axis)] = weight.dim(2 + axis);
    const int64_t span = int64_t(o.dilation[size_t(axis)]) * (g.kernel[size_t(axis)] - 1) + 1;
    const int64_t padded = g.in[size_t(axis)] + 2 * int64_t(o.padding[size_t(axis)]);
    if (span > padded) {
      fail("conv3d: kernel spanning " + std::to_string(span) + " (with dilation) along axis " +
           std::to_string(2 + axis) + " is larger than the padded input " + std::to_string(padded) + " (" + both +
           ", " + describe(o) + ")");
    }
    g.out[size_t(axis)] = (padded - span) / o.stride[size_t(axis)] + 1;
  }
  if (bias.defined() && bias.shape() != Shape{g.out_channels}) {
    fail("conv3d: bias " + to_string(bias.shape()) + " does not match weight " + to_string(weight.shape()));
  }
  count32(x, "conv3d");
  if (g.batch * g.output_image() > int64_t(0xffffffffu)) fail("conv3d: output of " + both + " too large");
  return g;
}

}  // namespace

bool ConvVolumeGeometry::pointwise() const {
  for (size_t axis = 0; axis < 3; ++axis) {
    // in != out: a transposed convolution whose output_padding added a border.
    if (kernel[axis] != 1 || stride[axis] != 1 || padding[axis] != 0 || in[axis] != out[axis]) return false;
  }
  return true;
}

void conv_volume_forward(const ConvVolumeGeometry& g, const Tensor& x, const Tensor& weight, const Tensor& bias,
                         const Tensor& out, float beta) {
  Gemm step;  // out_n [O, P] = W [O, rows] x columns_n [rows, P] + bias + beta * out_n
  step.m = g.out_channels;
  step.k = g.rows();
  step.a = weight_matrix(weight, g);
  step.beta = beta;
  if (bias.defined()) {
    step.bias_mode = GemmBias::PerRow;
    step.bias = bias;
  }
  const int64_t plane = g.out[1] * g.out[2];
  if (g.pointwise()) {
    step.batch = g.batch;
    step.n = g.positions();
    step.b = volume_matrices(x, g.channels, g.positions(), plane, 0, 0);
    step.c = volume_matrices(out, g.out_channels, g.positions(), plane, 0, 0);
    gemm(step);
    return;
  }
  if (slab_path(g)) {
    slab_forward(g, x, gemm_weight(g, SlabLayout(g), weight), bias, out, beta);
    return;
  }
  const ChunkPlan plan = plan_chunks(g);
  Tensor columns = Tensor::empty({plan.column_elements(g)});
  for_each_chunk(g, plan, [&](int64_t first, int64_t images, int64_t depth, int64_t depths) {
    vol2col(x, columns, g, first, images, depth, depths);
    step.batch = images;
    step.n = depths * plane;
    step.b = column_matrices(columns, g, depths);
    step.c = volume_matrices(out, g.out_channels, g.positions(), plane, first, depth);
    gemm(step);
  });
}

void conv_volume_backward_data(const ConvVolumeGeometry& g, const Tensor& dy, const Tensor& weight,
                               const Tensor& channel_bias, const Tensor& dx, float beta) {
  Gemm step;  // columns_n [rows, P] = W^T [rows, O] x dy_n [O, P], then dx_n = col2vol(columns_n)
  step.m = g.rows();
  step.k = g.out_channels;
  step.a = weight_matrix(weight, g).transposed();
  const int64_t plane = g.out[1] * g.out[2];
  if (g.pointwise()) {  // the columns are dx itself
    step.batch = g.batch;
    step.n = g.positions();
    step.b = volume_matrices(dy, g.out_channels, g.positions(), plane, 0, 0);
    step.c = volume_matrices(dx, g.channels, g.positions(), plane, 0, 0);
    step.beta = beta;
    if (channel_bias.defined()) {
      step.bias_mode = GemmBias::PerRow;
      step.bias = channel_bias;
    }
    gemm(step);
    return;
  }
  ConvVolumeGeometry flipped;
  if (flipped_data_gradient(g, flipped)) {
    const SlabLayout s(flipped);
    Tensor a = Tensor::empty({flipped.out_channels, s.k_padded});
    move_weight(g, s, weight, a, kToGemmFlipped, 0.0f, uint64_t(a.numel()));
    slab_forward(flipped, dy, a, channel_bias, dx, beta);
    return;
  }
  const ChunkPlan plan = plan_chunks(g);
  Tensor columns = Tensor::empty({plan.column_elements(g)});
  for_each_chunk(g, plan, [&](int64_t first, int64_t images, int64_t depth, int64_t depths) {
    step.batch = images;
    step.n = depths * plane;
    step.b = volume_matrices(dy, g.out_channels, g.positions(), plane, first, depth);
    step.c = column_matrices(columns, g, depths);
    gemm(step);
    col2vol(columns, channel_bias, dx, g, first, images, depth, depths, beta);
  });
}

void conv_volume_backward_weight(const ConvVolumeGeometry& g, const Tensor& dy, const Tensor& x,
                                 const Tensor& dweight, float beta) {
  Gemm step;  // dW [O, rows] = sum_n dy_n [O, P] x columns_n^T [P, rows] + beta * dW
  step.m = g.out_channels;
  step.n = g.rows();
  step.c = weight_matrix(dweight, g);
  step.sum_over_batch = true;
  const int64_t plane = g.out[1] * g.out[2];
  if (g.pointwise()) {
    step.batch = g.batch;
    step.k = g.positions();
    step.a = volume_matrices(dy, g.out_channels, g.positions(), plane, 0, 0);
    step.b = volume_matrices(x, g.channels, g.positions(), plane, 0, 0).transposed();
    step.beta = beta;
    gemm(step);
    return;
  }
  if (slab_path(g)) {
    slab_backward_weight(g, dy, x, dweight, beta);
    return;
  }
  const ChunkPlan plan = plan_chunks(g);
  Tensor columns = Tensor::empty({plan.column_elements(g)});
  bool first_chunk = true;
  for_each_chunk(g, plan, [&](int64_t first, int64_t images, int64_t depth, int64_t depths) {
    vol2col(x, columns, g, first, images, depth, depths);
    step.batch = images;
    step.k = depths * plane;
    step.a = volume_matrices(dy, g.out_channels, g.positions(), plane, first, depth);
    step.b = column_matrices(columns, g, depths).transposed();
    step.beta = first_chunk ? beta : 1.0f;  // later chunks add to the first
    first_chunk = false;
    gemm(step);
  });
}

Conv3dOptions conv3d_options(int stride, int padding, int dilation) {
  return {{stride, stride, stride}, {padding, padding, padding}, {dilation, dilation, dilation}};
}

uint64_t volume_column_budget_bytes() { return column_budget; }

void set_volume_column_budget_bytes(uint64_t bytes) { column_budget = bytes ? bytes : kDefaultColumnBudget; }

Tensor conv3d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv3dOptions& options) {
  const ConvVolumeGeometry g = make_geometry(x, weight, bias, options);
  Tensor out = Tensor::empty({g.batch, g.out_channels, g.out[0], g.out[1], g.out[2]});
  conv_volume_forward(g, x, weight, bias, out, 0.0f);

  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  record(out, "conv3d", std::move(inputs),
         [x = x.detach(), weight = weight.detach(), g](const Tensor& grad, GradientSink& sink) {
           if (sink.needs(0)) {
             GradTarget t = sink.target(0);
             conv_volume_backward_data(g, grad, weight, Tensor(), t.grad, t.beta);
           }
           if (sink.needs(1)) {
             GradTarget t = sink.target(1);
             conv_volume_backward_weight(g, grad, x, t.grad, t.beta);
           }
           if (sink.needs(2)) {
             GradTarget t = sink.target(2);
             channel_sum(t.grad, grad, g.batch, g.out_channels, g.positions(), t.beta);
           }
         });
  return out;
}

}  // namespace medrepro
