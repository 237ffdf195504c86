#pragma once
// Host-side training schedules fed one validation metric per epoch: learning-rate
// reduction on a plateau and early stopping. They only decide; the caller applies the
// rate (optimiser.set_learning_rate) or stops the loop.
#include <cstdint>

namespace medrepro {

enum class MetricMode {
  Min,  // lower is better (a loss)
  Max,  // higher is better (an accuracy, a Dice score)
};

enum class ThresholdMode {
  Relative,  // improvement means beating best by best * threshold
  Absolute,  // improvement means beating best by threshold
};

// PyTorch's torch.optim.lr_scheduler.ReduceLROnPlateau, step by step:
//   better(metric): Min/Relative: metric < best * (1 - threshold);  Min/Absolute: metric < best - threshold;
//                   Max/Relative: metric > best * (1 + threshold);  Max/Absolute: metric > best + threshold.
//   step(metric): if better: best = metric, bad_epochs = 0, else bad_epochs += 1;
//                 if in cooldown: cooldown_remaining -= 1, bad_epochs = 0;
//                 if bad_epochs > patience: rate = max(rate * factor, min_lr) (only when that lowers
//                 it by more than eps), cooldown_remaining = cooldown, bad_epochs = 0.
// best starts at +inf (Min) or -inf (Max); a NaN metric is never better.
struct PlateauOptions {
  MetricMode mode = MetricMode::Min;
  double factor = 0.1;
  int patience = 10;
  double threshold = 1e-4;
  ThresholdMode threshold_mode = ThresholdMode::Relative;
  int cooldown = 0;
  double min_lr = 0.0;
  double eps = 1e-8;
};

class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(double initial_rate, PlateauOptions options = {});

  // Feeds one epoch's metric; returns the learning rate for the next epoch.
  double step(double metric);
  double learning_rate() const { return rate_; }
  bool reduced_last_step() const { return reduced_; }

  // State, for checkpoints.
  struct State {
    double rate = 0, best = 0;
    int bad_epochs = 0, cooldown_remaining = 0;
    int64_t epochs = 0;
  };
  State state() const { return {rate_, best_, bad_epochs_, cooldown_remaining_, epochs_}; }
  void restore(const State& state);

 private:
  bool better(double metric) const;

  PlateauOptions options_;
  double rate_;
  double best_;
  int bad_epochs_ = 0;
  int cooldown_remaining_ = 0;
  int64_t epochs_ = 0;
  bool reduced_ = false;
};

// Stops training once the metric has not improved for `patience` epochs in a row (Keras'
// EarlyStopping; Pereira et al. use patience 8 on a validation metric). Improvement means
// metric < best - min_delta (Min) or metric > best + min_delta (Max); the first metric always
// improves. A NaN metric never does.
struct EarlyStoppingOptions {
  MetricMode mode = MetricMode::Min;
  int patience = 8;
  double min_delta = 0.0;
};

class EarlyStopping {
 public:
  explicit EarlyStopping(EarlyStoppingOptions options = {});

  // Feeds one epoch's metric; true when training should stop now.
  bool step(double metric);
  bool should_stop() const { return bad_epochs_ >= options_.patience; }
  // Whether the last metric was a new best (the moment to keep the weights).
  bool improved() const { return improved_; }
  double best() const { return best_; }
  int64_t best_epoch() const { return best_epoch_; }  // 0-based; -1 before any improvement
  int bad_epochs() const { return bad_epochs_; }
  int64_t epochs() const { return epochs_; }
  // State, for checkpoints.
  struct State {
    double best = 0;
    int64_t best_epoch = -1;
    int bad_epochs = 0;
    int64_t epochs = 0;
  };
  State state() const { return {best_, best_epoch_, bad_epochs_, epochs_}; }
  void restore(const State& state);

 private:
  EarlyStoppingOptions options_;
  double best_;
  int64_t best_epoch_ = -1;
  int bad_epochs_ = 0;
  int64_t epochs_ = 0;
  bool improved_ = false;
};

}  // namespace medrepro
