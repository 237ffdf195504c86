#pragma once
// Low-level, history-free matrix kernels that the differentiable ops build on:
//
//   C = alpha * A * B + bias + beta * C       (per batch, or summed over the batch)
//
// Every operand is a strided view into a tensor's storage, so a transpose is just
// swapped strides and a batch of images is an offset plus a batch stride; nothing
// is copied. Results are bit-reproducible: each element of C is computed by one
// invocation in a fixed order (fma over k in increasing order, then alpha, bias,
// beta), and every kernel and tiling below gives the same bits.
//
// Two kernels: shaders/gemm_blocked.comp reads A and B through texel buffers
// (four floats per read where a stride is 1 and the others are multiples of 4)
// and is used wherever the device and the operands allow; shaders/gemm.comp
// reads storage buffers and is the fallback (no texel buffers, operands beyond
// maxTexelBufferElements, misaligned tensors).
#include <cstdint>

#include "core/tensor.h"

namespace medrepro {

// A matrix inside a tensor: element (batch, row, col) is stored at
//   offset + batch * batch_stride + row * row_stride + col * col_stride.
struct MatrixView {
  Tensor tensor;
  int64_t offset = 0;
  int64_t row_stride = 0;
  int64_t col_stride = 1;
  int64_t batch_stride = 0;  // 0: the same matrix for every batch entry

  // The row-major matrix with `cols` columns that starts `offset` elements into `tensor`.
  static MatrixView row_major(const Tensor& tensor, int64_t cols, int64_t offset = 0) {
    return {tensor, offset, cols, 1, 0};
  }
  MatrixView transposed() const { return {tensor, offset, col_stride, row_stride, batch_stride}; }
  MatrixView batched(int64_t stride) const { return {tensor, offset, row_stride, col_stride, stride}; }
};

enum class GemmBias {
  None,
  PerRow,     // bias[row] added to every column (conv2d: one value per output channel)
  PerColumn,  // bias[col] added to every row (linear: one value per output feature)
};

struct Gemm {
  int64_t m = 0, n = 0, k = 0;
  int64_t batch = 1;
  MatrixView a;  // m x k
  MatrixView b;  // k x n
  MatrixView c;  // m x n; read only when beta != 0
  float alpha = 1.0f;
  float beta = 0.0f;  // 0 overwrites C without reading it (it may hold garbage)
  GemmBias bias_mode = GemmBias::None;
  Tensor bias;  // m (PerRow) or n (PerColumn) values from bias_offset on
  int64_t bias_offset = 0;
  // One C for all batch entries: C = alpha * sum_b A_b * B_b + bias + beta * C.
  bool sum_over_batch = false;
};

// Records the kernel; validates sizes and that every view stays inside its tensor.
void gemm(const Gemm& g);

// A row-major copy of v's rows x cols matrices (`batch` of them, one where v's
// batch stride is 0) with rows padded to a multiple of 4, so that gemm reads it
// four values at a time along its rows: for an operand that only allows scalar
// reads, or one read along k, where the product reuses it enough to pay the copy.
MatrixView aligned_copy(const MatrixView& v, int64_t rows, int64_t cols, int64_t batch);

// out[c] = sum over (o, i) of x[(o * channels + c) * inner + i], plus beta * out[c],
// in a fixed order. Bias gradients: linear reduces dY [N, out] (inner 1), conv2d dY [N, O, H*W].
void channel_sum(const Tensor& out, const Tensor& x, int64_t outer, int64_t channels, int64_t inner, float beta);

// Register blocking of the storage-buffer kernel (shaders/gemm.comp): each
// invocation computes tile_m x tile_n elements of C; a workgroup is local_x x
// local_y invocations. Exposed for tuning and tests.
struct GemmTiling {
  uint32_t tile_m = 8, tile_n = 8;
  uint32_t local_x = 32, local_y = 1;
};
GemmTiling gemm_tiling();
void set_gemm_tiling(const GemmTiling& tiling);  // validated against the device's limits

// How gemm() chooses its kernel; for tests, benchmarks and tuning (the defaults
// are what the ops should use). Zero sizes mean "chosen per problem and device".
// Auto: the texel kernel wherever the device and operands allow, else storage.
// Storage also switches channel_sum and conv2d's column kernels to their
// storage-buffer variants (for tests and comparisons).
enum class GemmPath { Auto, Storage };
struct GemmTuning {
  GemmPath path = GemmPath::Auto;
  uint32_t tile_m = 0, tile_n = 0;  // texel kernel block per invocation: 4, 8, 12 or 16 each
  uint32_t lanes = 0;               // texel kernel workgroup width
  bool fold_batch = true;           // fold a batch that shares A into the columns of C
  bool transpose = true;            // compute C^T = B^T A^T when that fills the blocks better
  bool pack = true;                 // copy operands that allow only scalar reads into aligned rows
};
GemmTuning gemm_tuning();
void set_gemm_tuning(const GemmTuning& tuning);  // validated against the device's limits

}  // namespace medrepro
