#pragma once
// Deterministic volume and image transforms: trilinear resizing (and resampling
// the slice count to a fixed depth), nearest-neighbour resizing of label maps,
// crop/pad, intensity normalisation, grey -> multi-channel replication.
// Images are Grids of depth 1 (volume.h); raw-pointer forms work on C-order
// [depth][height][width] arrays.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "datasets/volume.h"

namespace medrepro::datasets {

// --- resizing -----------------------------------------------------------------

// Trilinear resampling, align_corners=false (PyTorch F.interpolate(mode="trilinear",
// align_corners=False) and the bilinear convention of batch.h along each axis):
// output index o reads the source at (o + 0.5) * in / out - 0.5, clamped to
// [0, in - 1]. An axis whose size does not change is copied exactly.
void resize_trilinear(const float* source, int source_depth, int source_height, int source_width, float* destination,
                      int depth, int height, int width);
// Spacing is scaled so that the physical extent stays the same.
Volume resize_trilinear(const Volume& volume, int depth, int height, int width);

// Pereira et al. interpolate every volume to a fixed number of slices (24):
// linear along the depth axis only, align_corners=false; in-plane pixels are untouched.
Volume resample_depth(const Volume& volume, int depth);

// Nearest neighbour for label maps: output index o takes source index
// min(floor((o + 0.5) * in / out), in - 1) (PyTorch mode="nearest-exact").
LabelVolume resize_nearest(const LabelVolume& labels, int depth, int height, int width);

// --- crop / pad ---------------------------------------------------------------

// Output voxel (z, y, x) = input (z + start_z, y + start_y, x + start_x) where
// that lies inside the input, else `fill`. Starts may be negative (padding
// before) or exceed the input (padding after). Spacing is kept.
Volume crop_pad(const Volume& volume, int depth, int height, int width, int start_z, int start_y, int start_x,
                float fill = 0.0f);
LabelVolume crop_pad(const LabelVolume& labels, int depth, int height, int width, int start_z, int start_y,
                     int start_x, uint8_t fill = 0);
// Centred: start = (in - out) / 2 truncated toward zero on each axis, so an odd
// leftover is cropped or padded after: cropping 4 -> 3 keeps 0..2, padding
// 3 -> 5 puts the input at 1..3, padding 3 -> 4 at 0..2 (torchvision's CenterCrop padding).
int centre_start(int in, int out);
Volume centre_crop_pad(const Volume& volume, int depth, int height, int width, float fill = 0.0f);
LabelVolume centre_crop_pad(const LabelVolume& labels, int depth, int height, int width, uint8_t fill = 0);
// 2D, on a height x width plane.
void crop_pad_2d(const float* source, int source_height, int source_width, float* destination, int height, int width,
                 int start_y, int start_x, float fill = 0.0f);

// --- intensity ----------------------------------------------------------------

// Linear map of [min, max] to [low, high]; a constant input becomes `low`.
void normalize_min_max(std::span<float> values, float low = 0.0f, float high = 1.0f);
// (v - mean) / std with the population std (divide by n); a constant input becomes 0.
void normalize_z_score(std::span<float> values);
// Mean and std over the voxels where mask != 0; those voxels are normalised,
// the others set to `outside`. Error if the sizes differ or the mask is empty.
void normalize_z_score_masked(std::span<float> values, std::span<const uint8_t> mask, float outside = 0.0f);

// --- channels -----------------------------------------------------------------

// [channels][plane] copies of one grey plane, for networks that expect RGB input.
void replicate_channels(const float* plane, size_t plane_size, int channels, float* destination);
std::vector<float> replicate_channels(std::span<const float> plane, int channels = 3);

}  // namespace medrepro::datasets
