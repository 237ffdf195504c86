#include "core/ops/conv2d.h"

#include <algorithm>
#include <string>

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

// Sizes of one convolution. "rows" and "positions" are the GEMM view: the
// weight is [out_channels, rows] and one image's columns are [rows, positions].
struct Geometry {
  int64_t batch, channels, height, width;
  int64_t out_channels, kernel_h, kernel_w;
  int64_t out_h, out_w;
  Conv2dOptions options;

  int64_t rows() const { return channels * kernel_h * kernel_w; }
  int64_t positions() const { return out_h * out_w; }
  // Row lengths of one image's columns [rows, positions] and of their transpose,
  // padded to multiples of 4 so that the GEMM reads whole texels.
  int64_t padded_positions() const { return (positions() + 3) / 4 * 4; }
  int64_t padded_rows() const { return (rows() + 3) / 4 * 4; }
  // Floats of one image's columns and of their transpose; a column buffer holds either.
  int64_t columns_of_image() const { return rows() * padded_positions(); }
  int64_t rows_of_image() const { return positions() * padded_rows(); }
  int64_t column_image() const { return std::max(columns_of_image(), rows_of_image()); }
  int64_t input_image() const { return channels * height * width; }
  int64_t output_image() const { return out_channels * positions(); }
  // A 1x1 kernel with stride 1 and no padding: each image already is its column matrix.
  bool pointwise() const {
    const Conv2dOptions& o = options;
    return kernel_h == 1 && kernel_w == 1 && o.stride_h == 1 && o.stride_w == 1 && o.pad_h == 0 && o.pad_w == 0;
  }
};

Geometry make_geometry(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& o) {
  expect_rank(x, 4, "conv2d", "input");
  expect_rank(weight, 4, "conv2d", "weight");
  const std::string both = "input " + to_string(x.shape()) + " and weight " + to_string(weight.shape());
  if (o.stride_h < 1 || o.stride_w < 1 || o.dilation_h < 1 || o.dilation_w < 1 || o.pad_h < 0 || o.pad_w < 0) {
    fail("conv2d: stride " + std::to_string(o.stride_h) + "x" + std::to_string(o.stride_w) + ", dilation " +
         std::to_string(o.dilation_h) + "x" + std::to_string(o.dilation_w) + " must be positive and padding " +
         std::to_string(o.pad_h) + "x" + std::to_string(o.pad_w) + " non-negative (" + both + ")");
  }
  Geometry g{x.dim(0), x.dim(1), x.dim(2), x.dim(3), weight.dim(0), weight.dim(2), weight.dim(3), 0, 0, o};
  if (x.numel() == 0 || weight.numel() == 0) fail("conv2d: empty " + both);
  if (weight.dim(1) != g.channels) {
    fail("conv2d: " + both + " disagree on input channels (" + std::to_string(g.channels) + " vs " +
         std::to_string(weight.dim(1)) + "; groups are not supported)");
  }
  const int64_t span_h = int64_t(o.dilation_h) * (g.kernel_h - 1) + 1;
  const int64_t span_w = int64_t(o.dilation_w) * (g.kernel_w - 1) + 1;
  const int64_t padded_h = g.height + 2 * int64_t(o.pad_h), padded_w = g.width + 2 * int64_t(o.pad_w);
  if (span_h > padded_h || span_w > padded_w) {
    fail("conv2d: kernel spanning " + std::to_string(span_h) + "x" + std::to_string(span_w) +
         " (with dilation) is larger than the padded input " + std::to_string(padded_h) + "x" +
         std::to_string(padded_w) + " (" + both + ")");
  }
  g.out_h = (padded_h - span_h) / o.stride_h + 1;
  g.out_w = (padded_w - span_w) / o.stride_w + 1;
  if (bias.defined() && bias.shape() != Shape{g.out_channels}) {
    fail("conv2d: bias " + to_string(bias.shape()) + " does not match weight " + to_string(weight.shape()));
  }
  count32(x, "conv2d");
  // The column kernels split positions with float reciprocals, exact below 2^22.
  if (g.height * g.width >= (int64_t(1) << 22) || g.out_h * g.out_w >= (int64_t(1) << 22)) {
    fail("conv2d: images of " + both + " exceed 2^22 pixels");
  }
  if (g.batch * g.output_image() > int64_t(0xffffffffu)) fail("conv2d: output of " + both + " too large");
  return g;
}

// Images per im2col chunk: as many as the budget allows, at least one.
int64_t images_per_chunk(const Geometry& g) {
  const uint64_t device_limit = Context::get().limits().max_storage_buffer_range;
  const uint64_t per_image = uint64_t(g.column_image()) * sizeof(float);
  if (per_image > device_limit || per_image / sizeof(float) > 0xffffffffu) {
    fail("conv2d: the columns of one image (" + format_bytes(per_image) + ") exceed this device's " +
         "maxStorageBufferRange of " + format_bytes(device_limit));
  }
  const uint64_t budget = std::min(column_budget, device_limit);
  return std::clamp<int64_t>(int64_t(budget / per_image), 1, g.batch);
}

// Mirrors the push-constant block of shaders/conv2d_im2col.comp and conv2d_col2im.comp.
struct ColumnPush {
  uint32_t planes, height, width;
  uint32_t kernel_h, kernel_w, stride_h, stride_w;
  int32_t pad_h, pad_w;
  uint32_t dilation_h, dilation_w, out_h, out_w;
  uint32_t x_offset;
  float beta;
  float inv_out_w, inv_stride_h, inv_stride_w, inv_width;
  uint32_t channels, row_length;
  float inv_channels;
};

ColumnPush column_push(const Geometry& g, int64_t first_image, int64_t images, int64_t row_length, float beta) {
  const Conv2dOptions& o = g.options;
  auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  auto inverse = [](int64_t v) { return static_cast<float>(1.0 / double(v)); };
  return {.planes = u(images * g.channels),
          .height = u(g.height),
          .width = u(g.width),
          .kernel_h = u(g.kernel_h),
          .kernel_w = u(g.kernel_w),
          .stride_h = u(o.stride_h),
          .stride_w = u(o.stride_w),
          .pad_h = o.pad_h,
          .pad_w = o.pad_w,
          .dilation_h = u(o.dilation_h),
          .dilation_w = u(o.dilation_w),
          .out_h = u(g.out_h),
          .out_w = u(g.out_w),
          .x_offset = u(first_image * g.input_image()),
          .beta = beta,
          .inv_out_w = inverse(g.out_w),
          .inv_stride_h = inverse(o.stride_h),
          .inv_stride_w = inverse(o.stride_w),
          .inv_width = inverse(g.width),
          .channels = u(g.channels),
          .row_length = u(row_length),
          .inv_channels = inverse(g.channels)};
}

// Launches a column kernel over (position, plane) of the chunk (core/ops/column_grid.h).
void launch_columns(const char* shader, std::initializer_list<Access> bindings, const ColumnPush& push,
                    int64_t positions) {
  const ColumnGrid grid = plan_column_grid(shader, uint64_t(positions), push.planes);
  bound_loop_iterations(shader, grid.plane_repeats * (nested_loop_iterations({push.kernel_h, push.kernel_w}) + 1),
                        "a kernel of " + std::to_string(push.kernel_h) + "x" + std::to_string(push.kernel_w) +
                            " over " + std::to_string(push.planes) + " planes");
  // col2im's ACCUMULATES follows the six geometry constants; the other column kernels ignore it.
  launch_grid(shader, bindings, push, grid.local, grid.groups,
              {push.kernel_h, push.kernel_w, push.stride_h, push.stride_w, push.dilation_h, push.dilation_w,
               accumulates(push.beta), grid.position_lanes});
}

// Whether `t` can be read through an R32F texel buffer (else the _storage kernel
// variants, also used when GemmTuning asks for the storage path, for tests).
bool texel_readable(const Tensor& t) {
  if (gemm_tuning().path == GemmPath::Storage) return false;
  return fits_texel_buffer(t.range(), BindingKind::TexelR32F);
}

// columns[i] = the column matrix of image first_image + i of x: [rows, padded_positions].
void im2col(const Tensor& x, const Tensor& columns, const Geometry& g, int64_t first_image, int64_t images) {
  const ColumnPush push = column_push(g, first_image, images, g.padded_positions(), 0.0f);
  if (texel_readable(x)) {
    launch_columns("conv2d_im2col", {texels(x.range()), columns.write()}, push, g.positions());
  } else {
    launch_columns("conv2d_im2col_storage", {x.read(), columns.write()}, push, g.positions());
  }
}

// rows[i] = the transposed column matrix of image first_image + i of x: [positions, padded_rows].
void im2row(const Tensor& x, const Tensor& rows, const Geometry& g, int64_t first_image, int64_t images) {
  const ColumnPush push = column_push(g, first_image, images, g.padded_rows(), 0.0f);
  if (texel_readable(x)) {
    launch_columns("conv2d_im2row", {texels(x.range()), rows.write()}, push, g.positions());
  } else {
    launch_columns("conv2d_im2row_storage", {x.read(), rows.write()}, push, g.positions());
  }
}

// dx[first_image + i] = the pixel-wise sum of columns[i] + beta * dx[first_image + i].
void col2im(const Tensor& columns, const Tensor& dx, const Geometry& g, int64_t first_image, int64_t images,
            float beta) {
  const ColumnPush push = column_push(g, first_image, images, g.padded_positions(), beta);
  if (texel_readable(columns)) {
    launch_columns("conv2d_col2im", {texels(columns.range()), dx.write()}, push, g.height * g.width);
  } else {
    launch_columns("conv2d_col2im_storage", {columns.read(), dx.write()}, push, g.height * g.width);
  }
}

// Calls step(first_image, images) for each chunk of the batch.
template <class Step>
void for_each_chunk(const Geometry& g, int64_t chunk, Step step) {
  for (int64_t first = 0; first < g.batch; first += chunk) step(first, std::min(chunk, g.batch - first));
}

MatrixView weight_matrix(const Tensor& weight, const Geometry& g) { return MatrixView::row_major(weight, g.rows()); }

// Images first_image.. of a [N, channels, positions] tensor as a batch of row-major matrices.
MatrixView image_matrices(const Tensor& t, int64_t channels, int64_t positions, int64_t first_image) {
  return MatrixView::row_major(t, positions, first_image * channels * positions).batched(channels * positions);
}

// A chunk's column buffer as a batch of [rows, positions] matrices with padded rows.
MatrixView column_matrices(const Tensor& columns, const Geometry& g) {
  return MatrixView::row_major(columns, g.padded_positions()).batched(g.columns_of_image());
}

void forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& out, const Geometry& g) {
  Gemm gemm_step;  // out_n [O, P] = W [O, rows] x columns_n [rows, P] + bias
  gemm_step.m = g.out_channels;
  gemm_step.n = g.positions();
  gemm_step.k = g.rows();
  gemm_step.a = weight_matrix(weight, g);
  if (bias.defined()) {
    gemm_step.bias_mode = GemmBias::PerRow;
    gemm_step.bias = bias;
  }
  if (g.pointwise()) {
    gemm_step.batch = g.batch;
    gemm_step.b = image_matrices(x, g.channels, g.positions(), 0);
    gemm_step.c = image_matrices(out, g.out_channels, g.positions(), 0);
    gemm(gemm_step);
    return;
  }
  const int64_t chunk = images_per_chunk(g);
  Tensor columns = Tensor::empty({chunk, g.column_image()});
  for_each_chunk(g, chunk, [&](int64_t first, int64_t images) {
    im2col(x, columns, g, first, images);
    gemm_step.batch = images;
    gemm_step.b = column_matrices(columns, g);
    gemm_step.c = image_matrices(out, g.out_channels, g.positions(), first);
    gemm(gemm_step);
  });
}

// dx_n [C, H, W] = col2im(W^T [rows, O] x dy_n [O, P]) + beta * dx_n
void backward_input(const Tensor& grad, const Tensor& weight, const GradTarget& t, const Geometry& g,
                    const Tensor& columns, int64_t chunk) {
  Gemm gemm_step;
  gemm_step.m = g.rows();
  gemm_step.n = g.positions();
  gemm_step.k = g.out_channels;
  gemm_step.a = weight_matrix(weight, g).transposed();
  if (g.pointwise()) {  // the columns are dx itself
    gemm_step.batch = g.batch;
    gemm_step.b = image_matrices(grad, g.out_channels, g.positions(), 0);
    gemm_step.c = image_matrices(t.grad, g.channels, g.positions(), 0);
    gemm_step.beta = t.beta;
    gemm(gemm_step);
    return;
  }
  for_each_chunk(g, chunk, [&](int64_t first, int64_t images) {
    gemm_step.batch = images;
    gemm_step.b = image_matrices(grad, g.out_channels, g.positions(), first);
    gemm_step.c = column_matrices(columns, g);
    gemm(gemm_step);
    col2im(columns, t.grad, g, first, images, t.beta);
  });
}

// dW [O, rows] = sum_n dy_n [O, P] x columns_n^T [P, rows] + beta * dW
void backward_weight(const Tensor& grad, const Tensor& x, const GradTarget& t, const Geometry& g,
                     const Tensor& columns, int64_t chunk) {
  Gemm gemm_step;
  gemm_step.m = g.out_channels;
  gemm_step.n = g.rows();
  gemm_step.k = g.positions();
  gemm_step.c = weight_matrix(t.grad, g);
  gemm_step.sum_over_batch = true;
  if (g.pointwise()) {
    gemm_step.batch = g.batch;
    gemm_step.a = image_matrices(grad, g.out_channels, g.positions(), 0);
    gemm_step.b = image_matrices(x, g.channels, g.positions(), 0).transposed();
    gemm_step.beta = t.beta;
    gemm(gemm_step);
    return;
  }
  // The columns transposed, so that the GEMM reads B along its rows (faster than along k).
  for_each_chunk(g, chunk, [&](int64_t first, int64_t images) {
    im2row(x, columns, g, first, images);
    gemm_step.batch = images;
    gemm_step.a = image_matrices(grad, g.out_channels, g.positions(), first);
    gemm_step.b = MatrixView::row_major(columns, g.padded_rows()).batched(g.rows_of_image());
    gemm_step.beta = first == 0 ? t.beta : 1.0f;  // later chunks add to the first
    gemm(gemm_step);
  });
}

}  // namespace

uint64_t conv2d_column_budget_bytes() { return column_budget; }

void set_conv2d_column_budget_bytes(uint64_t bytes) { column_budget = bytes ? bytes : kDefaultColumnBudget; }

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Conv2dOptions& options) {
  const Geometry g = make_geometry(x, weight, bias, options);
  Tensor out = Tensor::empty({g.batch, g.out_channels, g.out_h, g.out_w});
  forward(x, weight, bias, out, g);

  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  record(out, "conv2d", std::move(inputs),
         [x = x.detach(), weight = weight.detach(), g](const Tensor& grad, GradientSink& sink) {
           // One column buffer serves both gradients; the stream orders its reuse.
           Tensor columns;
           int64_t chunk = 0;
           if (!g.pointwise() && (sink.needs(0) || sink.needs(1))) {
             chunk = images_per_chunk(g);
             columns = Tensor::empty({chunk, g.column_image()});
           }
           if (sink.needs(0)) backward_input(grad, weight, sink.target(0), g, columns, chunk);
           if (sink.needs(1)) backward_weight(grad, x, sink.target(1), g, columns, chunk);
           if (sink.needs(2)) {
             GradTarget t = sink.target(2);
             channel_sum(t.grad, grad, g.batch, g.out_channels, g.positions(), t.beta);
           }
         });
  return out;
}

}  // namespace medrepro
