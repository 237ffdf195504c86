#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// C = alpha * A * B + bias + beta * C over strided views (core/ops/gemm.h).
//
// Register-blocked: each invocation keeps a TILE_M x TILE_N block of C in
// registers and reads A and B straight from memory, TILE_M + TILE_N loads per
// TILE_M * TILE_N multiply-adds. No shared memory: on CPU drivers (lavapipe)
// shared-memory tiling is slow, and GPUs cache these loads well. An invocation
// owns TILE_M consecutive rows, so a short C (few rows) leaves whole rows of
// invocations idle instead of computing duplicates; its TILE_N columns are
// interleaved with its neighbours' (step: the workgroup width), so loads of B
// and stores of C are contiguous across invocations when the column stride is 1.
layout(constant_id = 3) const uint TILE_M = 8;  // set from GemmTiling (core/ops/gemm.h)
layout(constant_id = 4) const uint TILE_N = 8;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) buffer C { float c[]; };
layout(std430, binding = 3) readonly buffer Bias { float bias[]; };

const uint BIAS_NONE = 0u, BIAS_PER_ROW = 1u, BIAS_PER_COLUMN = 2u;

layout(push_constant) uniform Push {
  uint m, n, k, batch;
  uint a_offset, a_row, a_col, a_batch;
  uint b_offset, b_row, b_col, b_batch;
  uint c_offset, c_row, c_col, c_batch;
  uint bias_offset, bias_mode, sum_over_batch;
  float alpha, beta;
  uint slice;  // sum over the batch: entries per slice; slice z sums entries z * slice.. into C + z * c_batch
} p;

// The block of C of rows row0.. row0 + TILE_M - 1 and columns col0, col0 + col_step, ...
void compute_block(uint batch_index, uint row0, uint col0) {
  const uint col_step = gl_WorkGroupSize.x;
  float acc[TILE_M][TILE_N];
  for (uint i = 0; i < TILE_M; ++i)
    for (uint j = 0; j < TILE_N; ++j) acc[i][j] = 0.0;

  const uint first = p.sum_over_batch != 0u ? batch_index * p.slice : batch_index;
  const uint last = p.sum_over_batch != 0u ? min(first + p.slice, p.batch) : batch_index + 1u;
  for (uint batch_entry = first; batch_entry < last; ++batch_entry) {
    // Rows and columns past the edge read the last valid one (any in-bounds value
    // would do): the inner loop stays branch-free and the stores are guarded.
    uint a_index[TILE_M];
    uint b_index[TILE_N];
    for (uint i = 0; i < TILE_M; ++i) {
      uint row = min(row0 + i, p.m - 1u);
      a_index[i] = p.a_offset + batch_entry * p.a_batch + row * p.a_row;
    }
    for (uint j = 0; j < TILE_N; ++j) {
      uint col = min(col0 + j * col_step, p.n - 1u);
      b_index[j] = p.b_offset + batch_entry * p.b_batch + col * p.b_col;
    }
    for (uint kk = 0; kk < p.k; ++kk) {
      float a_value[TILE_M];
      float b_value[TILE_N];
      for (uint i = 0; i < TILE_M; ++i) {
        a_value[i] = a[a_index[i]];
        a_index[i] += p.a_col;
      }
      for (uint j = 0; j < TILE_N; ++j) {
        b_value[j] = b[b_index[j]];
        b_index[j] += p.b_row;
      }
      for (uint i = 0; i < TILE_M; ++i)
        for (uint j = 0; j < TILE_N; ++j) acc[i][j] = fma(a_value[i], b_value[j], acc[i][j]);
    }
  }

  // Epilogue. Bias loads are hoisted out of the element loop (clamped like the
  // operand loads); beta == 0 must not read C, which may hold garbage or NaN.
  float row_bias[TILE_M];
  float col_bias[TILE_N];
  for (uint i = 0; i < TILE_M; ++i)
    row_bias[i] = p.bias_mode == BIAS_PER_ROW ? bias[p.bias_offset + min(row0 + i, p.m - 1u)] : 0.0;
  for (uint j = 0; j < TILE_N; ++j)
    col_bias[j] = p.bias_mode == BIAS_PER_COLUMN ? bias[p.bias_offset + min(col0 + j * col_step, p.n - 1u)] : 0.0;
  const uint c_base = p.c_offset + batch_index * p.c_batch;  // with a sum over the batch: the slice
  const bool overwrite = p.beta == 0.0;
  for (uint i = 0; i < TILE_M; ++i) {
    const uint row = row0 + i;
    for (uint j = 0; j < TILE_N; ++j) {
      const uint col = col0 + j * col_step;
      if (row < p.m && col < p.n) {
        const uint index = c_base + row * p.c_row + col * p.c_col;
        const float value = p.alpha * acc[i][j] + row_bias[i] + col_bias[j];
        c[index] = overwrite ? value : value + p.beta * c[index];
      }
    }
  }
}

void main() {
  const uint block_rows = TILE_M * gl_WorkGroupSize.y;
  const uint block_cols = TILE_N * gl_WorkGroupSize.x;
  const uint batches = p.sum_over_batch != 0u ? (p.batch + p.slice - 1u) / p.slice : p.batch;
  // Grid-stride loops: the host caps the grid at maxComputeWorkGroupCount.
  for (uint z = gl_WorkGroupID.z; z < batches; z += gl_NumWorkGroups.z) {
    for (uint by = gl_WorkGroupID.y * block_rows; by < p.m; by += gl_NumWorkGroups.y * block_rows) {
      for (uint bx = gl_WorkGroupID.x * block_cols; bx < p.n; bx += gl_NumWorkGroups.x * block_cols) {
        uint row0 = by + gl_LocalInvocationID.y * TILE_M, col0 = bx + gl_LocalInvocationID.x;
        if (row0 < p.m && col0 < p.n) compute_block(z, row0, col0);
      }
    }
  }
}
