#pragma once
// The dense segmentation loop shared by the segmentation papers: each epoch
// trains on freshly sampled windows of the training cases (papers/common/
// segments.h; a share centred on labelled voxels), in mini-batches, with a
// pluggable optimiser, the per-voxel weighted cross-entropy
// (core/ops/segmentation_loss.h), seeded augmentation, and the schedules of the
// classifier loop (plateau, early stopping with the best epoch's weights
// restored) watching the loss on a fixed set of validation windows. Checkpoints
// at the end of an epoch, from which an interrupted run resumes to the same
// numbers; a NaN, Inf or blown-up loss ends the run as diverged. Whole cases are
// then labelled by predict_case (tiled inference) and scored by the caller.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/nn/module.h"
#include "core/ops/segmentation_loss.h"
#include "core/schedules.h"
#include "datasets/augment.h"
#include "papers/common/classifier_training.h"
#include "papers/common/segments.h"

namespace medrepro::papers {

struct SegmentationConfig {
  std::string name;  // shown in progress lines, stored in checkpoints
  int epochs = 10;
  size_t classes = 2;                  // the network's output channels; labels below this
  SegmentGeometry geometry;
  size_t segments_per_epoch = 256;     // training windows drawn for each epoch
  size_t validation_segments = 64;     // drawn once (the same every epoch)
  size_t batch_size = 16;
  double foreground_fraction = 0.5;    // share of windows centred on a voxel of label > 0
  OptimizerFactory make_optimizer;     // empty: SGD with `sgd`
  SgdOptions sgd;
  std::vector<float> class_weights;    // per label (empty: 1 each)
  SegmentationReduction reduction = SegmentationReduction::WeightedMean;
  std::optional<PlateauOptions> plateau;               // on the validation loss
  std::optional<EarlyStoppingOptions> early_stopping;  // on the validation loss
  bool restore_best_weights = true;
  datasets::AugmentOptions augment;    // training windows only
  uint64_t seed = 1;                   // windows and augmentation
  std::string checkpoint_path;         // empty: no checkpoints
  double checkpoint_interval_seconds = 0;
  std::function<std::string(double)> plan_progress;  // as in TrainingConfig
};

struct SegmentationResult {
  // Per epoch: mean training loss, validation loss and voxel accuracy (percent) on the validation windows.
  std::vector<EpochRecord> epochs;
  double train_seconds = 0;
  bool resumed = false;
  int best_epoch = 0;  // with early stopping: the epoch (1-based) whose weights the model holds at the end
  bool stopped_early = false;
  std::optional<int64_t> diverged_at_step;  // as in TrainingResult
  std::string divergence;
};

SegmentationResult train_segmenter(nn::Module& model, const std::vector<SegmentationCase>& cases,
                                   const std::vector<size_t>& train, const std::vector<size_t>& val,
                                   const SegmentationConfig& config);

}  // namespace medrepro::papers
