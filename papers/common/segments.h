#pragma once
// Dense segmentation data: cases of co-registered channels with a label map,
// windows (segments) sampled from them for training, and tiled inference over a
// whole case. One geometry serves fully convolutional networks ("same" padding:
// the output window is the input window) and networks of valid convolutions
// (DeepMedic, two-path CNNs: the input window is the output window plus a margin
// on each side). A 2D network works on single slices: its windows have depth 1
// and its tensors no depth axis.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/nn/module.h"
#include "datasets/augment.h"
#include "datasets/volume.h"

namespace medrepro::papers {

struct SegmentationCase {
  std::string id;
  std::vector<datasets::Volume> channels;  // one or more, the same shape
  datasets::LabelVolume labels;            // the same shape; empty for a case only predicted
};

// Extents in voxels, ordered depth, height, width.
using Extent3 = std::array<int, 3>;

struct SegmentGeometry {
  bool volumetric = true;  // false: [N, C, H, W] tensors of single slices (output and margin depth 0 / 1)
  Extent3 output{1, 1, 1};  // the window the network labels
  Extent3 margin{0, 0, 0};  // voxels its valid convolutions consume on each side, per axis
  Extent3 input() const {
    return {output[0] + 2 * margin[0], output[1] + 2 * margin[1], output[2] + 2 * margin[2]};
  }
  void check() const;  // fails on a window a 2D network cannot have, or empty ones
};

// One training window: a case and the corner of its output window (inside the case).
struct Segment {
  size_t case_index = 0;
  Extent3 corner{0, 0, 0};
  bool operator==(const Segment&) const = default;
};

// Draws `count` windows from `cases` (indices into `all`), uniform over cases: with
// probability `foreground_fraction` centred on a uniformly drawn voxel of label > 0
// (the classes segmentation papers balance for; cases without one draw uniformly),
// otherwise at a uniformly drawn corner. The same seed gives the same windows.
std::vector<Segment> sample_segments(const std::vector<SegmentationCase>& all, const std::vector<size_t>& cases,
                                     const SegmentGeometry& geometry, size_t count, double foreground_fraction,
                                     uint64_t seed);

// inputs [N, C, (D,) H, W] of the input windows (0 outside the case); labels [N, (D,) H, W]
// of the output windows, class indices as floats. With augmentation (margin 0 only: the
// input and output windows must coincide), each window gets the transform drawn from
// (augment_seed, its position in `segments`), the same for its channels and labels.
void extract_segments(const std::vector<SegmentationCase>& all, const std::vector<Segment>& segments,
                      const SegmentGeometry& geometry, std::vector<float>& inputs, std::vector<float>& labels,
                      const datasets::AugmentOptions& augment = {}, uint64_t augment_seed = 0);

// The network's labels for every voxel of a case: output windows tile the case
// (the last window of an axis shifted back to end at its edge), `windows_per_batch`
// at a time, each voxel labelled by the class of its highest output. Evaluation
// mode, no gradients.
datasets::LabelVolume predict_case(nn::Module& model, const SegmentationCase& segmentation_case,
                                   const SegmentGeometry& geometry, size_t windows_per_batch = 8);

}  // namespace medrepro::papers
