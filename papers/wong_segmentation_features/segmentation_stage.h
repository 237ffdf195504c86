#pragma once
// The segmentation pre-training of the Wong et al. analogue: voxelmorph slices
// labelled two ways on the same images, the paper's MANUAL arm (here ASEG:
// FreeSurfer's automatic labels mapped onto the paper's structures) and its
// THRESHOLD arm (KMEANS: five intensity clusters of the training slices), as
// segmentation cases for papers/common/segmentation_training.h; and Dice per
// label on the held-out slabs, pixels pooled over slices as the notes specify.
#include <string>
#include <vector>

#include "datasets/volume.h"
#include "papers/common/segments.h"
#include "papers/wong_segmentation_features/preprocess.h"

namespace medrepro::wong {

enum class LabelSource { Aseg, KMeans };
inline constexpr int kThresholdClusters = 5;

struct SegmentationData {
  std::vector<papers::SegmentationCase> cases;  // one per slice, size x size, CLAHE images
  SlabSplit split;                              // indices into cases
  std::vector<std::string> label_names;         // label l's name; its size is N_s
  std::vector<double> cluster_centres;          // KMeans: on the CLAHE scale, ascending
};

// Slices of the volume holding >= 2% brain, prepared at size x size; held-out slabs of
// 20% per axis with a 2-slice gap; labels from `source` (k-means fitted on the
// training slices' pixels only).
SegmentationData brain_segmentation_data(const datasets::Volume& t1, const datasets::LabelVolume& aseg, int size,
                                         LabelSource source);

// Eq. 2's label weights from the training slices' label counts.
std::vector<float> training_label_weights(const SegmentationData& data);

struct LabelDice {
  std::string name;
  size_t true_voxels = 0;  // in the held-out slices
  double dice = 0;         // pooled over the held-out slices; 1 when the label is absent and never predicted
};
// Each non-background label's Dice over `cases` (pixels pooled) between `predicted` and the truth.
std::vector<LabelDice> pooled_dice(const std::vector<papers::SegmentationCase>& cases, const std::vector<size_t>& which,
                                   const std::vector<datasets::LabelVolume>& predicted,
                                   const std::vector<std::string>& label_names);

}  // namespace medrepro::wong
