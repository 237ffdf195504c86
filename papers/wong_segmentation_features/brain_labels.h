#pragma once
// The segmentation pre-training data of the Wong et al. analogue: a T1 brain MRI
// with an automatic FreeSurfer aseg (../shared/datasets/voxelmorph_test_scan),
// its labels mapped onto the paper's brain structures (Table 1; left and right
// merged; the vermal lobules have no aseg label, so 16 of the 19), and 2D slices
// taken along all three axes, as the classification images mix orientations.
#include <array>
#include <string>
#include <vector>

#include "datasets/volume.h"

namespace medrepro::wong {

// Label 0 is background; 1..16 the paper's structures, in this order.
const std::vector<std::string>& brain_structure_names();
inline constexpr int kBrainLabels = 17;  // N_s

// Maps every aseg id to its structure (ids the mapping lists as background to 0);
// an id the mapping does not know is an error naming it (a label map of another
// atlas must not pass silently).
datasets::LabelVolume aseg_to_structures(const datasets::LabelVolume& aseg);

struct BrainSlice {
  int axis = 0;   // the axis cut across: 0 depth (z), 1 height (y), 2 width (x)
  int index = 0;  // position along it
  datasets::Volume image;          // one plane (depth 1)
  datasets::LabelVolume labels;    // the same plane
  double brain_fraction = 0;       // share of the plane's voxels with a label > 0
};

// Every plane along the three axes whose labelled share reaches `min_brain_fraction`.
std::vector<BrainSlice> brain_slices(const datasets::Volume& image, const datasets::LabelVolume& labels,
                                     double min_brain_fraction);

}  // namespace medrepro::wong
