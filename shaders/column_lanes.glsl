// Which image position and planes an invocation of a convolution column kernel
// (conv2d_im2col.comp, conv2d_col2im.comp) works on; core/ops/conv2d.cpp
// launch_columns chooses the layout.
//   POSITION_LANES 0: grid x covers the positions, y the planes (a grid-stride
//     loop past the device's limit).
//   POSITION_LANES = P, a power of two: images with fewer positions than a
//     subgroup; lane x of a workgroup takes position x % P of plane x / P, so
//     that lanes along x (the ones CPU drivers run side by side) all have work.
layout(constant_id = 10) const uint POSITION_LANES = 0;

struct ColumnLanes {
  uint position, first_plane, plane_step;
};

ColumnLanes column_lanes() {
  if (POSITION_LANES == 0u) {
    return ColumnLanes(gl_GlobalInvocationID.x, gl_GlobalInvocationID.y, gl_NumWorkGroups.y * gl_WorkGroupSize.y);
  }
  const uint planes_per_group = gl_WorkGroupSize.x / POSITION_LANES;
  return ColumnLanes(gl_LocalInvocationID.x % POSITION_LANES,
                     gl_WorkGroupID.y * planes_per_group + gl_LocalInvocationID.x / POSITION_LANES,
                     gl_NumWorkGroups.y * planes_per_group);
}
