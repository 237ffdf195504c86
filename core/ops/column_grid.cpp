#include "core/ops/column_grid.h"

#include <algorithm>
#include <bit>
#include <string>

#include "core/device.h"
#include "core/error.h"
#include "core/kernels.h"
#include "core/loop_budget.h"

namespace medrepro {

ColumnGrid plan_column_grid(const char* shader, uint64_t positions, uint64_t planes) {
  const DeviceLimits& limits = Context::get().limits();
  const uint64_t group_size = linear_workgroup_size();
  const uint64_t lane_group = std::min<uint64_t>(std::max<uint32_t>(limits.subgroup_size, 1), group_size);
  uint64_t width = lane_group, local_y = 1, planes_per_group = 1, groups_x = 1;
  ColumnGrid grid;
  if (positions < lane_group) {
    grid.position_lanes = static_cast<uint32_t>(std::bit_ceil(positions));
    width = group_size;
    planes_per_group = group_size / grid.position_lanes;
  } else {
    for (uint64_t w = width * 2; w <= group_size; w *= 2) {
      if ((positions + w - 1) / w * w - positions <= positions / 8) width = w;
    }
    local_y = planes_per_group = std::min<uint64_t>(group_size / width, limits.max_workgroup_size[1]);
    groups_x = ceil_div(positions, width);
    if (groups_x > limits.max_workgroup_count[0]) fail(std::string(shader) + ": image too large for one grid row");
  }
  const uint32_t groups_y = std::min(ceil_div(planes, planes_per_group), limits.max_workgroup_count[1]);
  grid.local = {static_cast<uint32_t>(width), static_cast<uint32_t>(local_y), 1};
  grid.groups = {static_cast<uint32_t>(groups_x), groups_y, 1};
  grid.plane_repeats = grid_repeats(planes, uint64_t(groups_y) * planes_per_group);
  return grid;
}

}  // namespace medrepro
