#include "papers/common/segmentation_training.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/autograd.h"
#include "core/error.h"
#include "core/loss_log.h"
#include "papers/common/epoch_state.h"
#include "papers/common/progress.h"

namespace medrepro::papers {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Each epoch draws its own windows and transforms from the run's seed, so a resumed run draws the same.
uint64_t epoch_seed(uint64_t seed, int epoch) { return (seed ^ 0x7365676d656e7473ull) * 0x100000001b3ull + uint64_t(epoch) + 1; }
uint64_t validation_seed(uint64_t seed) { return (seed ^ 0x76616c6964617465ull) * 0x100000001b3ull; }

Shape window_shape(size_t count, int64_t channels, const SegmentGeometry& geometry, bool input) {
  const Extent3 window = input ? geometry.input() : geometry.output;
  Shape shape{int64_t(count)};
  if (channels > 0) shape.push_back(channels);
  if (geometry.volumetric) shape.push_back(window[0]);
  shape.push_back(window[1]);
  shape.push_back(window[2]);
  return shape;
}

struct Batch {
  Tensor inputs, labels;
};

Batch make_batch(const std::vector<SegmentationCase>& cases, const std::vector<Segment>& segments,
                 const SegmentationConfig& config, uint64_t augment_seed) {
  std::vector<float> inputs, labels;
  extract_segments(cases, segments, config.geometry, inputs, labels, config.augment, augment_seed);
  const int64_t channels = int64_t(cases.at(segments.front().case_index).channels.size());
  return {Tensor::from_host(window_shape(segments.size(), channels, config.geometry, true), inputs),
          Tensor::from_host(window_shape(segments.size(), -1, config.geometry, false), labels)};
}

struct WindowScore {
  double loss = 0, voxel_accuracy = 0;
};

WindowScore validate(nn::Module& model, const std::vector<SegmentationCase>& cases,
                     const std::vector<Segment>& windows, const SegmentationConfig& config, const Tensor& weights) {
  WindowScore score;
  if (windows.empty()) return score;
  NoGradGuard no_grad;
  model.eval();
  size_t correct = 0, voxels = 0;
  for (size_t first = 0; first < windows.size(); first += config.batch_size) {
    const std::vector<Segment> part(windows.begin() + ptrdiff_t(first),
                                    windows.begin() + ptrdiff_t(std::min(windows.size(), first + config.batch_size)));
    const Batch batch = make_batch(cases, part, config, 0);
    const Tensor logits = model(batch.inputs);
    score.loss += double(weighted_cross_entropy_nd(logits, batch.labels, weights, config.reduction).item()) *
                  double(part.size());
    const std::vector<float> scores = logits.to_host(), labels = batch.labels.to_host();
    const size_t classes = size_t(logits.shape()[1]), per_window = labels.size() / part.size();
    for (size_t n = 0; n < part.size(); ++n) {
      for (size_t v = 0; v < per_window; ++v) {
        const float* at = scores.data() + n * classes * per_window + v;
        size_t best = 0;
        for (size_t k = 1; k < classes; ++k) {
          if (at[k * per_window] > at[best * per_window]) best = k;
        }
        correct += float(best) == labels[n * per_window + v];
      }
    }
    voxels += labels.size();
  }
  model.train();
  score.loss /= double(windows.size());
  score.voxel_accuracy = 100.0 * double(correct) / double(voxels);
  return score;
}

}  // namespace

SegmentationResult train_segmenter(nn::Module& model, const std::vector<SegmentationCase>& cases,
                                   const std::vector<size_t>& train, const std::vector<size_t>& val,
                                   const SegmentationConfig& config) {
  if (train.empty()) fail(config.name + ": no training cases");
  if (config.batch_size == 0 || config.segments_per_epoch == 0) fail(config.name + ": empty batches or epochs");
  if (config.classes < 2) fail(config.name + ": a segmentation needs at least two labels");
  if (!config.class_weights.empty() && config.class_weights.size() != config.classes) {
    fail(config.name + ": " + std::to_string(config.class_weights.size()) + " class weights for " +
         std::to_string(config.classes) + " labels");
  }
  config.geometry.check();
  const std::vector<nn::Parameter*> trained = model.trainable_parameters();
  const std::unique_ptr<Optimizer> optimizer =
      config.make_optimizer ? config.make_optimizer(trained) : sgd_optimizer(config.sgd)(trained);
  const Tensor weights = config.class_weights.empty()
                             ? Tensor()
                             : Tensor::from_host({int64_t(config.classes)}, config.class_weights);
  EpochState state({config.name, MetricMode::Min, config.plateau, config.early_stopping,
                    config.restore_best_weights, config.checkpoint_path, config.checkpoint_interval_seconds},
                   *optimizer);
  SegmentationResult result;
  result.resumed = state.resume(model);

  const std::vector<Segment> validation_windows =
      val.empty() ? std::vector<Segment>{}
                  : sample_segments(cases, val, config.geometry, config.validation_segments,
                                    config.foreground_fraction, validation_seed(config.seed));
  // The loss of a uniform guess: per voxel, or summed over a batch's voxels (Sum, unit weights).
  const Extent3 out = config.geometry.output;
  const double chance = std::log(double(config.classes)) *
                        (config.reduction == SegmentationReduction::Sum
                             ? double(config.batch_size) * double(out[0]) * double(out[1]) * double(out[2])
                             : 1.0);
  const size_t batches = (config.segments_per_epoch + config.batch_size - 1) / config.batch_size;
  LossLog losses(config.name + " training loss");
  model.train();
  try {
    for (int epoch = state.epochs_done(); epoch < config.epochs; ++epoch) {
      if (state.should_stop()) break;
      const uint64_t seed = epoch_seed(config.seed, epoch);
      const std::vector<Segment> windows = sample_segments(cases, train, config.geometry, config.segments_per_epoch,
                                                           config.foreground_fraction, seed);
      const auto epoch_start = Clock::now();
      auto last_print = epoch_start;
      double loss_sum = 0;
      size_t loss_count = 0;
      int64_t step = int64_t(epoch) * int64_t(batches);
      for (size_t b = 0; b < batches; ++b, ++step) {
        const size_t first = b * config.batch_size;
        const std::vector<Segment> part(
            windows.begin() + ptrdiff_t(first),
            windows.begin() + ptrdiff_t(std::min(windows.size(), first + config.batch_size)));
        const Batch batch = make_batch(cases, part, config, seed + b * 0x10000 + 1);
        model.set_training_step(step);
        optimizer->zero_grad();
        const Tensor loss = weighted_cross_entropy_nd(model(batch.inputs), batch.labels, weights, config.reduction);
        loss.backward();
        optimizer->step();
        losses.record(loss.detach(), step);
        if (seconds_since(last_print) > 2.0 || b + 1 == batches) {
          const auto drained = losses.drain();
          for (const auto& [s, value] : drained) loss_sum += value;
          loss_count += drained.size();
          last_print = Clock::now();
          const RunPace pace = run_pace(epoch, config.epochs, b, batches, seconds_since(epoch_start));
          std::fprintf(stderr, "\r[%s] epoch %d/%d batch %zu/%zu loss %.4f ETA %s%s    ", config.name.c_str(),
                       epoch + 1, config.epochs, b + 1, batches, drained.empty() ? 0.0 : double(drained.back().second),
                       format_duration(pace.remaining_seconds).c_str(),
                       config.plan_progress ? config.plan_progress(pace.fraction).c_str() : "");
        }
      }
      EpochRecord record;
      record.epoch = epoch + 1;
      record.seconds = seconds_since(epoch_start);
      record.train_loss = loss_sum / double(std::max<size_t>(loss_count, 1));
      record.learning_rate = optimizer->learning_rate();
      const WindowScore validation = validate(model, cases, validation_windows, config, weights);
      record.val_loss = validation.loss;
      record.val_accuracy = validation.voxel_accuracy;
      state.end_epoch(model, record, validation.loss, chance, step - 1);
    }
  } catch (const NonFiniteLoss& diverged) {
    result.diverged_at_step = diverged.step;
    result.divergence = diverged.what();
  }
  std::fprintf(stderr, "\n");
  result.epochs = state.records();
  result.train_seconds = state.train_seconds();
  if (result.diverged_at_step) {
    std::fprintf(stderr, "[%s] diverged: %s\n", config.name.c_str(), result.divergence.c_str());
    return result;
  }
  result.stopped_early = state.should_stop();
  result.best_epoch = state.best_epoch();
  state.finish(model);
  return result;
}

}  // namespace medrepro::papers
