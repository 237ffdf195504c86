#pragma once
// Slices as the networks see them (the notes' preprocessing): each plane padded
// to a centred square canvas (224 x 224: the largest voxelmorph plane), shrunk
// to size x size, images bilinearly in steps of at most 2x (one bilinear step
// without antialiasing would skip pixels when shrinking more), labels by nearest
// neighbour; images then CLAHE-normalised to [0, 1] (the paper's 0..255 / 255).
// And the held-out slabs on which segmentation Dice is measured.
#include <vector>

#include "datasets/clahe.h"
#include "datasets/volume.h"
#include "papers/wong_segmentation_features/brain_labels.h"

namespace medrepro::wong {

inline constexpr int kSliceCanvas = 224;

datasets::Volume prepare_image(const datasets::Volume& plane, int canvas, int size,
                               const datasets::ClaheOptions& clahe = {});
datasets::LabelVolume prepare_labels(const datasets::LabelVolume& plane, int canvas, int size);

// Per axis, the centred run of `fraction` of that axis's slices is held out; the
// `gap` slices on each side of it are left out of both sets (neighbouring slices
// are nearly identical). Returns indices into `slices`, held-out first.
struct SlabSplit {
  std::vector<size_t> held_out, train;
};
SlabSplit held_out_slabs(const std::vector<BrainSlice>& slices, double fraction, int gap);

}  // namespace medrepro::wong
