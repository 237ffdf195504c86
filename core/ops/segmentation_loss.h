#pragma once
// Weighted cross-entropy over a per-voxel channel softmax, for segmentation networks
// (Wong et al. 2018, "Building medical image classifiers with very limited data using
// segmentation networks", Eq. 1-2).
#include <cstdint>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace medrepro {

enum class SegmentationReduction {
  // sum_v w[y_v] * -log p_v[y_v] / sum_v w[y_v]: PyTorch's CrossEntropyLoss(weight, reduction
  // "mean"). The default: the loss scale does not change with the batch or volume size.
  WeightedMean,
  // sum_v w[y_v] * -log p_v[y_v]: Eq. 1 of the paper, literally (over the whole batch).
  Sum,
};

// logits [N, C, ...spatial] (rank >= 2; rank 2 is plain classification, one voxel per item);
// labels [N, ...spatial] holding class indices as floats (exact integers 0..C-1);
// class_weights [C], optional (undefined: every class weighs 1). Returns shape [1].
// The softmax is taken over C at every voxel v, from the channel maximum, so large logits
// stay finite. A zero total weight gives NaN with WeightedMean, as in PyTorch.
// A label that is not an integer in [0, C) is not reported from the device (that would need
// a host round trip); it is never used as an index, and the loss and the whole gradient become NaN.
// Backward, dloss read on the device: dlogits[n, c, v] = (p_v[c] - [c == y_v]) * w[y_v] / D * dloss,
// D = sum_v w[y_v] (WeightedMean) or 1 (Sum). Only logits receive a gradient.
// The reductions run in a fixed order: bit-reproducible on a given device.
Tensor weighted_cross_entropy_nd(const Tensor& logits, const Tensor& labels, const Tensor& class_weights = Tensor(),
                                 SegmentationReduction reduction = SegmentationReduction::WeightedMean);

// Label weights of Eq. 2, w_l = (sum_k f_k / f_l)^0.5, with f_l the number of voxels of label l
// in the training segmentations (or of images of class l, for classification): frequent labels
// weigh less, and the square root tempers the ratios. Eq. 2 is undefined for a label that never
// occurs (f_l = 0); such a label gets weight 0 here (it contributes nothing if it ever appears).
// Computed in double on the host, once per training set.
std::vector<float> wong_label_weights(std::span<const double> counts);

// f_l for Eq. 2: how many of `labels` equal l, for l in [0, classes); fails on any value that
// is not an integer in range. Host-side, for label volumes as the data loader holds them.
std::vector<double> label_counts(std::span<const float> labels, int64_t classes);

}  // namespace medrepro
