#pragma once
// RoI max pooling (Girshick 2015, Fast R-CNN), as torchvision.ops.roi_pool
// computes it, for Rezaei et al.'s detector: each region of interest is cut into
// pooled_h x pooled_w bins on the feature map and each bin max-pooled.
#include <cstdint>

#include "core/tensor.h"

namespace medrepro {

// x [N, C, H, W]; rois [R, 5] rows (batch index, x1, y1, x2, y2) in input-image
// coordinates, which spatial_scale maps onto the feature map (1/16 for a stride-16
// backbone). Corners are rounded half away from zero; a RoI is at least 1 x 1 cell;
// bin (ph, pw) covers rows floor(ph * h / pooled_h) .. ceil((ph + 1) * h / pooled_h)
// of the RoI's h rows (likewise columns), clipped to the map. Returns
// [R, C, pooled_h, pooled_w]; an empty bin gives 0, and so does every bin of a RoI
// whose batch index is not an image of x (the RoIs stay on the device: not reported).
// Backward reaches x only: each element gathers dy of the bins whose maximum it
// was (the first in row order on ties), in a fixed order, without atomics.
Tensor roi_max_pool(const Tensor& x, const Tensor& rois, int64_t pooled_h, int64_t pooled_w,
                    float spatial_scale = 1.0f);

}  // namespace medrepro
