#pragma once
// The grid of a convolution column kernel (shaders/column_lanes.glsl): shared
// by conv2d's im2col/im2row/col2im and conv3d's slab unfold.
#include <array>
#include <cstdint>

namespace medrepro {

struct ColumnGrid {
  std::array<uint32_t, 3> local{1, 1, 1}, groups{1, 1, 1};
  uint32_t position_lanes = 0;  // the POSITION_LANES constant (0: positions along x)
  uint64_t plane_repeats = 1;   // planes one invocation loops over
};

// x covers `positions` with a workgroup width that wastes little of the last
// group, y the planes, several per workgroup where the width is below a linear
// workgroup. Images with fewer positions than a subgroup (the last layers of
// small inputs: 1x1, 2x2) instead give each lane along x a position and a plane
// (POSITION_LANES), so that none of the lanes a CPU driver runs side by side idles.
// Fails naming `shader` when the positions exceed one grid row.
ColumnGrid plan_column_grid(const char* shader, uint64_t positions, uint64_t planes);

}  // namespace medrepro
