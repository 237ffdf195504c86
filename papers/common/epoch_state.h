#pragma once
// What the training loops carry from epoch to epoch besides the weights: the
// epoch records, the learning-rate plateau, early stopping and the best epoch's
// weights; the end-of-epoch checkpoint of all of it (with the model and the
// optimiser), from which an interrupted run resumes to decide as the
// uninterrupted one would; and the rules that end a run as diverged.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/checkpoint.h"
#include "core/nn/module.h"
#include "core/optim.h"
#include "core/schedules.h"
#include "papers/common/json.h"

namespace medrepro::papers {

struct EpochRecord {
  int epoch = 0;
  double train_loss = 0;  // mean over the epoch's batches, final classifier only
  double val_loss = 0, val_accuracy = 0;
  double seconds = 0;     // training time of this epoch (without validation)
  double learning_rate = 0;  // at the epoch's last step
};

// Per-epoch metrics to and from JSON (checkpoints, run files).
report::Json epoch_records_to_json(const std::vector<EpochRecord>& records);
std::vector<EpochRecord> epoch_records_from_json(const report::Json& json);

struct EpochStateOptions {
  std::string name;  // the run's, stored in the checkpoint: another run's checkpoint is refused
  MetricMode mode = MetricMode::Min;  // of the monitored metric, for the plateau and early stopping
  std::optional<PlateauOptions> plateau;
  std::optional<EarlyStoppingOptions> early_stopping;
  bool restore_best_weights = true;
  std::string checkpoint_path;  // empty: no checkpoints
  // A checkpoint is written at the end of an epoch once this much training time has
  // passed since the last one (0: after every epoch).
  double checkpoint_interval_seconds = 0;
};

class EpochState {
 public:
  EpochState(EpochStateOptions options, Optimizer& optimizer);

  // Restores the model, optimiser, schedules and records from the checkpoint, if
  // there is one; returns whether there was.
  bool resume(nn::Module& model);
  int epochs_done() const { return int(records_.size()); }
  bool should_stop() const { return stopper_ && stopper_->should_stop(); }

  // Records a finished epoch. Then a validation loss that is not finite, or a mean
  // training loss that blew up far beyond `chance_loss` (papers/common/divergence.h),
  // ends the run: NonFiniteLoss naming `last_step`. Otherwise the plateau and early
  // stopping step on `monitored`, the best weights are kept, and the checkpoint is
  // written when due.
  void end_epoch(nn::Module& model, const EpochRecord& record, double monitored, double chance_loss,
                 int64_t last_step);

  // After training that did not diverge: the best epoch's weights back into the model.
  void finish(nn::Module& model);

  const std::vector<EpochRecord>& records() const { return records_; }
  double train_seconds() const;
  int best_epoch() const;  // 1-based, with early stopping; 0 without

 private:
  EpochStateOptions options_;
  Optimizer& optimizer_;
  std::optional<ReduceLROnPlateau> plateau_;
  std::optional<EarlyStopping> stopper_;
  std::optional<Checkpoint> best_weights_;  // the model at the monitored metric's best epoch
  std::vector<EpochRecord> records_;
  double training_since_checkpoint_ = 0;
};

}  // namespace medrepro::papers
