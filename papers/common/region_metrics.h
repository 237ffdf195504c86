#pragma once
// Overlap of a predicted and a true label region in one case (one volume or
// image), on the host in double precision. A region is a set of labels: BRATS's
// whole tumour is {1, 2, 3, 4}, its core {1, 3, 4} and the enhancing tumour {4}.
// Labels are one per voxel, flattened; an optional mask (nonzero = counts, e.g.
// the brain) leaves the other voxels out of every count.
//
// Empty regions (stated because papers and challenges differ):
// - Dice = 2 TP / (2 TP + FP + FN) is 1 when both regions are empty: nothing
//   to find and nothing claimed is perfect agreement (the BraTS convention);
//   an empty truth with any predicted voxel gives 0.
// - sensitivity = TP / (TP + FN) is NaN when the true region is empty,
//   PPV = TP / (TP + FP) is NaN when the predicted region is empty, and
//   specificity = TN / (TN + FP) (true specificity, over voxels outside the true
//   region) is NaN when every counted voxel is inside it. NaN means "undefined
//   for this case"; averages over cases must skip or report it, not hide it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace medrepro::metrics {

struct RegionScores {
  size_t true_positive = 0, false_positive = 0, false_negative = 0, true_negative = 0;
  double dice = 0, sensitivity = 0, ppv = 0, specificity = 0;
};

// truth, predicted (and mask, unless empty) must have one entry per voxel;
// region must not be empty.
RegionScores region_scores(std::span<const int> truth, std::span<const int> predicted, std::span<const int> region,
                           std::span<const uint8_t> mask = {});
RegionScores region_scores(std::span<const uint8_t> truth, std::span<const uint8_t> predicted,
                           std::span<const int> region, std::span<const uint8_t> mask = {});

// The four scores from counts, with the conventions above.
RegionScores region_scores_from_counts(size_t true_positive, size_t false_positive, size_t false_negative,
                                       size_t true_negative);

}  // namespace medrepro::metrics
