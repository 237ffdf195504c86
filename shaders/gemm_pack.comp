#version 450
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
// Copies a strided matrix view (core/ops/gemm.h MatrixView, per batch entry)
// into row-major rows: element (entry, row, col) goes to
//   packed[entry * out_entry + row * out_row + col],
// either one padded matrix per entry (out_row a multiple of 4 floats, so that
// the texel kernel, shaders/gemm_blocked.comp, reads it four values at a time)
// or the entries side by side along each row (out_entry = cols: a sum over the
// batch as one product). Padding is left unwritten: the kernels never use it.
// One invocation per row walks its columns with no integer division per element.
layout(std430, binding = 0) readonly buffer Source { float source[]; };
layout(std430, binding = 1) writeonly buffer Packed { float packed[]; };
layout(push_constant) uniform Push {
  uint batch, rows, cols;
  uint offset, row_stride, col_stride, batch_stride;
  uint out_row, out_entry;
} p;

void main() {
  const uint index = linear_index();  // batch entry * rows + row
  if (index >= p.batch * p.rows) return;
  const uint entry = index / p.rows, row = index - entry * p.rows;
  uint from = p.offset + entry * p.batch_stride + row * p.row_stride;
  const uint to = entry * p.out_entry + row * p.out_row;
  for (uint col = 0; col < p.cols; ++col, from += p.col_stride) packed[to + col] = source[from];
}
