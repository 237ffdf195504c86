#version 450
// variant: gemm_blocked_ak_bk -DA_MODE=0 -DB_MODE=1
// variant: gemm_blocked_ak_bs -DA_MODE=0 -DB_MODE=2
// variant: gemm_blocked_am_bn -DA_MODE=1 -DB_MODE=0
// variant: gemm_blocked_am_bk -DA_MODE=1 -DB_MODE=1
// variant: gemm_blocked_am_bs -DA_MODE=1 -DB_MODE=2
// variant: gemm_blocked_as_bn -DA_MODE=2 -DB_MODE=0
// variant: gemm_blocked_as_bk -DA_MODE=2 -DB_MODE=1
// variant: gemm_blocked_as_bs -DA_MODE=2 -DB_MODE=2
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// C = alpha * A * B + bias + beta * C over strided views (core/ops/gemm.h),
// reading A and B through texel buffers, four values of k per loop iteration.
//
// A workgroup owns TILE_M rows of C (the same for all its invocations) and
// TILE_N * workgroup-width columns; each invocation keeps a TILE_M x TILE_N
// block of C in registers. This is the fast path on CPU drivers: lavapipe reads
// texel buffers with vector gathers (a storage-buffer read with a different
// address per invocation is a scalar loop there), an RGBA texel brings four
// values per gather, and work per loop iteration amortises its per-iteration
// costs (execution masks, spills of the block around the gathers).
//
// How each operand is read is fixed at compile time (kernel variants):
//   A_MODE 0: A contiguous along k (col stride 1): one RGBA texel = 4 k of a row
//          1: A contiguous along m (row stride 1): one RGBA texel = 4 rows of a k
//          2: any strides: one R32F texel per value
//   B_MODE 0: B contiguous along n: one RGBA texel = 4 columns of a k
//          1: B contiguous along k: one RGBA texel = 4 k of a column
//          2: any strides: one R32F texel per value
// The vector modes take offsets and strides in texels (the host checks that
// they are multiples of 4 floats); TILE_M (A_MODE 1) and TILE_N (B_MODE 0) are
// then multiples of 4.
//
// Folded batch (p.folded = 1, A shared by the batch, no sum over it): the
// columns of all batch entries form one wide C, column j being column j % w of
// entry j / w (w = p.entry_columns), so a thin C per entry (few columns, as in
// convolutions of small images) still fills whole blocks. w is n, or in B_MODE 0
// n rounded up to a multiple of 4 (B's rows are padded to whole texels there, so
// a texel never straddles two entries); columns n..w-1 are computed from the
// padding and never stored.
//
// Sum over the batch in slices (p.slice entries each, core/ops/gemm.cpp): slice
// z sums its entries into C + z * c_batch; shaders/gemm_reduce.comp adds the
// slices up in order.
//
// Every element of C is summed over k in increasing order with fma, like
// shaders/gemm.comp: every variant, tiling, orientation and folding gives the
// same bits as the storage-buffer kernel.
#ifndef A_MODE
#define A_MODE 0
#endif
#ifndef B_MODE
#define B_MODE 0
#endif

layout(constant_id = 3) const uint TILE_M = 8;
layout(constant_id = 4) const uint TILE_N = 8;
// Compile-time copies of p.beta != 0 and p.bias_mode: CPU drivers evaluate both
// sides of a select, so a run-time test would still read C and the bias.
layout(constant_id = 5) const bool READ_C = false;
layout(constant_id = 6) const uint BIAS_MODE = 0;
// 1: B_MODE 0 and C contiguous along n with offset, strides and n multiples of 4:
// whole texel groups are stored as vec4 (a compile-time choice, for the same reason).
layout(constant_id = 7) const bool C_VEC4 = false;

layout(binding = 0) uniform samplerBuffer a_texels;
layout(binding = 1) uniform samplerBuffer b_texels;
layout(std430, binding = 2) buffer C { float c[]; };
// The same buffer as vec4s, for the stores of whole texel groups (C_VEC4).
layout(std430, binding = 2) buffer C4 { vec4 c4[]; };
layout(binding = 3) uniform samplerBuffer bias_texels;

const uint BIAS_NONE = 0u, BIAS_PER_ROW = 1u, BIAS_PER_COLUMN = 2u;

layout(push_constant) uniform Push {
  uint m, n, k, batch;
  uint a_offset, a_row, a_col, a_batch;
  uint b_offset, b_row, b_col, b_batch;
  uint c_offset, c_row, c_col, c_batch;
  uint bias_offset, bias_mode, sum_over_batch;
  float alpha, beta;
  uint folded;    // 1: the batch is folded into the columns (see above)
  uint columns;   // columns of the (folded) C: n, or batch * n
  float inv_entry_columns;  // 1 / entry_columns, to split a folded column without an integer division
  uint slice;     // sum over the batch: entries per slice; slice z sums entries z * slice.. into C + z * c_batch
  uint entry_columns;  // folded: columns of C per entry (see above)
} p;

// Column of the (folded) C held in slot j of this invocation's block.
uint slot_column(uint col_base, uint j) {
#if B_MODE == 0
  // Slot j = 4 * group + component; groups interleave with the neighbours'.
  return col_base + ((j / 4u) * gl_WorkGroupSize.x + gl_LocalInvocationID.x) * 4u + (j % 4u);
#else
  return col_base + j * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
#endif
}

// Batch entry and column of C of a (folded) column; integer division is slow
// on CPU drivers, so a float quotient (exact enough below 2^24, checked by the
// host) is corrected by one step.
uvec2 split_column(uint column, uint batch_index) {
  if (p.folded == 0u) return uvec2(batch_index, column);
  const uint w = p.entry_columns;
  uint image = uint(float(column) * p.inv_entry_columns);
  int rest = int(column) - int(image * w);
  if (rest < 0) { image -= 1u; rest += int(w); }
  if (rest >= int(w)) { image += 1u; rest -= int(w); }
  return uvec2(image, uint(rest));
}

void compute_block(uint batch_index, uint row0, uint col_base) {
  // Push constants used in the loops are read once (CPU drivers reload them otherwise).
  const uint K = p.k, k4 = K / 4u, a_col = p.a_col, b_row = p.b_row;

  float acc[TILE_M][TILE_N];
  for (uint i = 0; i < TILE_M; ++i)
    for (uint j = 0; j < TILE_N; ++j) acc[i][j] = 0.0;

  const uint first = p.sum_over_batch != 0u ? batch_index * p.slice : batch_index;
  const uint last = p.sum_over_batch != 0u ? min(first + p.slice, p.batch) : batch_index + 1u;
  for (uint batch_entry = first; batch_entry < last; ++batch_entry) {
    // Where each row / column starts at k = 0 (texels in the vector modes, floats
    // otherwise). Rows and columns past the edge read the last valid one: the
    // loop stays branch-free and those results are never stored.
#if A_MODE == 1
    uint a_start[TILE_M / 4];
    for (uint g = 0; g < TILE_M / 4u; ++g)
      a_start[g] = p.a_offset + batch_entry * p.a_batch + min(row0 + 4u * g, p.m - 1u) / 4u;
#else
    uint a_start[TILE_M];
    for (uint i = 0; i < TILE_M; ++i)
      a_start[i] = p.a_offset + batch_entry * p.a_batch + min(row0 + i, p.m - 1u) * p.a_row;
#endif
#if B_MODE == 0
    uint b_start[TILE_N / 4];
    for (uint g = 0; g < TILE_N / 4u; ++g) {
      const uvec2 at = split_column(min(slot_column(col_base, 4u * g), p.columns - 1u), batch_entry);
      b_start[g] = p.b_offset + at.x * p.b_batch + min(at.y, p.n - 1u) / 4u;
    }
#else
    uint b_start[TILE_N];
    for (uint j = 0; j < TILE_N; ++j) {
      const uvec2 at = split_column(min(slot_column(col_base, j), p.columns - 1u), batch_entry);
      b_start[j] = p.b_offset + at.x * p.b_batch + at.y * p.b_col;
    }
#endif

    for (uint kb = 0; kb < k4; ++kb) {
      // a_frag[i][kk] = A(row0 + i, 4 kb + kk); b_frag[j][kk] = B(4 kb + kk, column of slot j).
      // All gathers first, then the arithmetic: on CPU drivers a gather is a call
      // around which the block is spilled.
      vec4 a_frag[TILE_M];
      vec4 b_frag[TILE_N];
#if A_MODE == 0
      for (uint i = 0; i < TILE_M; ++i) a_frag[i] = texelFetch(a_texels, int(a_start[i] + kb));
#elif A_MODE == 1
      for (uint kk = 0; kk < 4u; ++kk)
        for (uint g = 0; g < TILE_M / 4u; ++g) {
          const vec4 rows = texelFetch(a_texels, int(a_start[g] + (4u * kb + kk) * a_col));
          for (uint r = 0; r < 4u; ++r) a_frag[4u * g + r][kk] = rows[r];
        }
#else
      for (uint i = 0; i < TILE_M; ++i)
        for (uint kk = 0; kk < 4u; ++kk)
          a_frag[i][kk] = texelFetch(a_texels, int(a_start[i] + (4u * kb + kk) * a_col)).r;
#endif
#if B_MODE == 0
      for (uint kk = 0; kk < 4u; ++kk)
        for (uint g = 0; g < TILE_N / 4u; ++g) {
          const vec4 cols = texelFetch(b_texels, int(b_start[g] + (4u * kb + kk) * b_row));
          for (uint r = 0; r < 4u; ++r) b_frag[4u * g + r][kk] = cols[r];
        }
#elif B_MODE == 1
      for (uint j = 0; j < TILE_N; ++j) b_frag[j] = texelFetch(b_texels, int(b_start[j] + kb));
#else
      for (uint j = 0; j < TILE_N; ++j)
        for (uint kk = 0; kk < 4u; ++kk)
          b_frag[j][kk] = texelFetch(b_texels, int(b_start[j] + (4u * kb + kk) * b_row)).r;
#endif
      for (uint kk = 0; kk < 4u; ++kk)
        for (uint i = 0; i < TILE_M; ++i)
          for (uint j = 0; j < TILE_N; ++j) acc[i][j] = fma(a_frag[i][kk], b_frag[j][kk], acc[i][j]);
    }

    // The last k % 4 values, one at a time.
    for (uint kk = 4u * k4; kk < K; ++kk) {
      float a_value[TILE_M];
      float b_value[TILE_N];
#if A_MODE == 0
      for (uint i = 0; i < TILE_M; ++i) a_value[i] = texelFetch(a_texels, int(a_start[i] + kk / 4u))[kk % 4u];
#elif A_MODE == 1
      for (uint g = 0; g < TILE_M / 4u; ++g) {
        const vec4 rows = texelFetch(a_texels, int(a_start[g] + kk * a_col));
        for (uint r = 0; r < 4u; ++r) a_value[4u * g + r] = rows[r];
      }
#else
      for (uint i = 0; i < TILE_M; ++i) a_value[i] = texelFetch(a_texels, int(a_start[i] + kk * a_col)).r;
#endif
#if B_MODE == 0
      for (uint g = 0; g < TILE_N / 4u; ++g) {
        const vec4 cols = texelFetch(b_texels, int(b_start[g] + kk * b_row));
        for (uint r = 0; r < 4u; ++r) b_value[4u * g + r] = cols[r];
      }
#elif B_MODE == 1
      for (uint j = 0; j < TILE_N; ++j) b_value[j] = texelFetch(b_texels, int(b_start[j] + kk / 4u))[kk % 4u];
#else
      for (uint j = 0; j < TILE_N; ++j) b_value[j] = texelFetch(b_texels, int(b_start[j] + kk * b_row)).r;
#endif
      for (uint i = 0; i < TILE_M; ++i)
        for (uint j = 0; j < TILE_N; ++j) acc[i][j] = fma(a_value[i], b_value[j], acc[i][j]);
    }
  }

  // Epilogue; C is read only with beta != 0 (it may hold garbage or NaN
  // otherwise). Bias values are read once per row and column. Stores are the
  // costly part on CPU drivers (a scalar loop per component).
  float row_bias[TILE_M];
  for (uint i = 0; i < TILE_M; ++i) {
    row_bias[i] = 0.0;
    const uint row = min(row0 + i, p.m - 1u);
    if (BIAS_MODE == BIAS_PER_ROW) row_bias[i] = texelFetch(bias_texels, int(p.bias_offset + row)).r;
  }
  // With a sum over the batch, batch_index is the slice and C + slice * c_batch its partial sum.
  uvec2 at[TILE_N];
  float col_bias[TILE_N];
  for (uint j = 0; j < TILE_N; ++j) {
    at[j] = split_column(min(slot_column(col_base, j), p.columns - 1u), batch_index);
    col_bias[j] = 0.0;
    if (BIAS_MODE == BIAS_PER_COLUMN) col_bias[j] = texelFetch(bias_texels, int(p.bias_offset + at[j].y)).r;
  }
#if B_MODE == 0
  if (C_VEC4) {
    for (uint g = 0; g < TILE_N / 4u; ++g) {
      if (slot_column(col_base, 4u * g) >= p.columns) continue;
      const uint c_group = (p.c_offset + at[4u * g].x * p.c_batch + at[4u * g].y) / 4u;
      for (uint i = 0; i < TILE_M; ++i) {
        const uint row = row0 + i;
        if (row >= p.m) break;
        vec4 value;
        for (uint r = 0; r < 4u; ++r) value[r] = p.alpha * acc[i][4u * g + r] + row_bias[i] + col_bias[4u * g + r];
        const uint index = c_group + row * (p.c_row / 4u);
        if (READ_C) value += p.beta * c4[index];
        c4[index] = value;
      }
    }
    return;
  }
#endif
  for (uint j = 0; j < TILE_N; ++j) {
    if (slot_column(col_base, j) >= p.columns || at[j].y >= p.n) continue;
    const uint c_column = p.c_offset + at[j].x * p.c_batch + at[j].y * p.c_col;
    for (uint i = 0; i < TILE_M; ++i) {
      const uint row = row0 + i;
      if (row >= p.m) break;
      const uint index = c_column + row * p.c_row;
      float value = p.alpha * acc[i][j] + row_bias[i] + col_bias[j];
      if (READ_C) value += p.beta * c[index];
      c[index] = value;
    }
  }
}

void main() {
  const uint block_cols = TILE_N * gl_WorkGroupSize.x;
  const uint batches = p.sum_over_batch != 0u ? (p.batch + p.slice - 1u) / p.slice : p.folded != 0u ? 1u : p.batch;
  // Row blocks run along x, so that the workgroups a CPU driver runs one after
  // the other share their columns of B (in cache). Grid-stride loops: the host
  // caps the grid at maxComputeWorkGroupCount.
  for (uint z = gl_WorkGroupID.z; z < batches; z += gl_NumWorkGroups.z)
    for (uint col_base = gl_WorkGroupID.y * block_cols; col_base < p.columns;
         col_base += gl_NumWorkGroups.y * block_cols)
      for (uint row0 = gl_WorkGroupID.x * TILE_M; row0 < p.m; row0 += gl_NumWorkGroups.x * TILE_M)
        compute_block(z, row0, col_base);
}
