#include "papers/common/classifier_training.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <span>

#include "core/autograd.h"
#include "core/error.h"
#include "core/init.h"
#include "core/loss_log.h"
#include "papers/common/batch_gradients.h"
#include "papers/common/epoch_state.h"
#include "papers/common/progress.h"

namespace medrepro::papers {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Tensor input_tensor(const std::vector<float>& inputs, size_t count, const Examples& examples) {
  Shape shape{static_cast<int64_t>(count)};
  for (int64_t extent : examples.input_shape()) shape.push_back(extent);
  return Tensor::from_host(shape, inputs);
}

// Each epoch augments with its own draws, the same in a resumed run.
uint64_t epoch_augment_seed(uint64_t seed, int epoch) {
  return (seed ^ 0x6175676d656e7421ull) * 0x100000001b3ull + uint64_t(epoch) + 1;
}

// How many labels have their probability on their target's side of 0.5.
size_t agreeing_labels(const float* probabilities, const float* targets, size_t labels) {
  size_t agree = 0;
  for (size_t k = 0; k < labels; ++k) agree += (probabilities[k] >= 0.5f) == (targets[k] >= 0.5f);
  return agree;
}

}  // namespace

OptimizerFactory sgd_optimizer(SgdOptions options) {
  return [options](std::vector<nn::Parameter*> parameters) -> std::unique_ptr<Optimizer> {
    return std::make_unique<Sgd>(std::move(parameters), options);
  };
}

OptimizerFactory adam_optimizer(AdamOptions options) {
  return [options](std::vector<nn::Parameter*> parameters) -> std::unique_ptr<Optimizer> {
    return std::make_unique<Adam>(std::move(parameters), options);
  };
}

OptimizerFactory rmsprop_optimizer(RmsPropOptions options) {
  return [options](std::vector<nn::Parameter*> parameters) -> std::unique_ptr<Optimizer> {
    return std::make_unique<RmsProp>(std::move(parameters), options);
  };
}

BatchLoss batch_loss(const TrainingConfig& config, size_t classes) {
  try {
    return BatchLoss(config.loss, classes, config.class_weights, config.pos_weight);
  } catch (const Error& e) {
    fail(config.name + ": " + e.what());
  }
}

Evaluation evaluate(Classifier& model, const Examples& examples, const std::vector<size_t>& items, size_t batch_size,
                    bool keep_predictions, const BatchLoss& loss) {
  Evaluation result;
  if (items.empty()) return result;
  NoGradGuard no_grad;
  const bool was_training = model.training();
  model.eval();
  std::vector<float> inputs, targets;
  const size_t width = examples.target_width();
  size_t correct = 0;
  for (size_t start = 0; start < items.size();) {
    const size_t count = std::min(batch_size, items.size() - start);
    const std::span<const size_t> batch(items.data() + start, count);
    examples.batch(batch, 0, inputs, targets);
    Tensor logits;
    try {
      logits = model(input_tensor(inputs, count, examples));
    } catch (const DeviceLimitExceeded&) {
      if (count == 1) throw;
      batch_size = (count + 1) / 2;  // too large for the device's buffers: the same examples in smaller batches
      continue;
    }
    result.loss += double(loss(logits, loss.targets(targets, count)).item()) * double(count);
    const std::vector<float> outputs = loss.outputs(logits);
    const size_t classes = outputs.size() / count;
    for (size_t i = 0; i < count; ++i) {
      const float* row = outputs.data() + i * classes;
      Prediction p{batch[i], -1, -1, {row, row + classes}, {}};
      if (examples.multi_label()) {
        p.targets.assign(targets.begin() + ptrdiff_t(i * width), targets.begin() + ptrdiff_t((i + 1) * width));
        correct += agreeing_labels(row, p.targets.data(), classes);
      } else {
        p.predicted = static_cast<int>(std::max_element(row, row + classes) - row);
        p.truth = static_cast<int>(targets[i]);
        correct += p.predicted == p.truth;
      }
      if (keep_predictions) result.predictions.push_back(std::move(p));
    }
    start += count;
  }
  model.train(was_training);
  result.loss /= double(items.size());
  result.accuracy = 100.0 * double(correct) / double(items.size() * (examples.multi_label() ? width : 1));
  return result;
}

Evaluation evaluate(Classifier& model, const datasets::ImageSet& set, const std::vector<size_t>& items,
                    const datasets::BatchOptions& input, size_t batch_size, bool keep_predictions,
                    const std::vector<float>& class_weights) {
  return evaluate(model, ImageExamples(set, input), items, batch_size, keep_predictions,
                  BatchLoss(LossKind::SoftmaxCrossEntropy, set.class_names.size(), class_weights));
}

TrainingResult train_classifier(Classifier& model, const datasets::ImageSet& set, const std::vector<size_t>& train,
                                const std::vector<size_t>& val, const std::vector<size_t>& test,
                                const TrainingConfig& config) {
  return train_classifier(model, ImageExamples(set, config.input), train, val, test, config);
}

TrainingResult train_classifier(Classifier& model, const Examples& examples, const std::vector<size_t>& train,
                                const std::vector<size_t>& val, const std::vector<size_t>& test,
                                const TrainingConfig& config) {
  if (train.empty()) fail(config.name + ": empty training set");
  if (config.batch_size == 0) fail(config.name + ": batch size must be positive");
  if (config.step_schedule && config.plateau) fail(config.name + ": choose one learning-rate schedule, not two");
  if ((config.loss == LossKind::MultiLabelBce) != examples.multi_label()) {
    fail(config.name + ": " + loss_name(config.loss) + " needs " +
         (examples.multi_label() ? "one class per example, not multi-label examples" : "multi-label examples"));
  }
  const BatchLoss loss = batch_loss(config, examples.classes());
  const std::vector<nn::Parameter*> trained = model.trainable_parameters();  // frozen modules left out
  const std::unique_ptr<Optimizer> optimizer =
      config.make_optimizer ? config.make_optimizer(trained) : sgd_optimizer(config.sgd)(trained);
  EpochState state({config.name,
                    config.monitor == Monitor::ValidationLoss ? MetricMode::Min : MetricMode::Max,
                    config.plateau, config.early_stopping, config.restore_best_weights, config.checkpoint_path,
                    config.checkpoint_interval_seconds},
                   *optimizer);
  TrainingResult result;
  result.resumed = state.resume(model);
  const int epochs_done = state.epochs_done();

  size_t batches = (train.size() + config.batch_size - 1) / config.batch_size;
  if (config.fold_single_example_batch && batches > 1 && train.size() % config.batch_size == 1) --batches;
  Rng order_rng(config.seed ^ 0x6f726465722d726eull);
  std::vector<size_t> order = train;
  std::vector<float> inputs, targets;
  LossLog losses(config.name + " training loss");
  model.train();
  BatchGradients gradients;
  int reported_micro_batches = 1;
  try {
    for (int epoch = 0; epoch < config.epochs; ++epoch) {
      if (state.should_stop()) break;
      // Every epoch's shuffle is drawn, also for epochs a resumed run skips, so the batches match.
      for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[order_rng.below(i)]);
      if (epoch < epochs_done) continue;
      int64_t step = int64_t(epoch) * int64_t(batches);
      const auto epoch_start = Clock::now();
      auto last_print = epoch_start;
      double loss_sum = 0;
      size_t loss_count = 0;
      for (size_t b = 0; b < batches; ++b, ++step) {
        const size_t start = b * config.batch_size;
        const size_t count = b + 1 == batches ? order.size() - start : config.batch_size;
        examples.batch(std::span<const size_t>(order.data() + start, count), epoch_augment_seed(config.seed, epoch),
                       inputs, targets);
        if (config.step_schedule) optimizer->set_learning_rate(config.step_schedule->rate(step));
        optimizer->zero_grad();
        const Tensor main_loss = gradients.accumulate(model, input_tensor(inputs, count, examples),
                                                      loss.targets(targets, count), step, loss);
        optimizer->step();
        losses.record(main_loss, step);
        if (gradients.micro_batches() != reported_micro_batches) {
          reported_micro_batches = gradients.micro_batches();
          std::fprintf(stderr, "\n[%s] a batch of %zu exceeds this device's buffer limits: %d micro-batches per step\n",
                       config.name.c_str(), count, reported_micro_batches);
        }
        if (seconds_since(last_print) > 2.0 || b + 1 == batches) {
          const auto drained = losses.drain();
          for (const auto& [s, value] : drained) loss_sum += value;
          loss_count += drained.size();
          last_print = Clock::now();
          const double elapsed = seconds_since(epoch_start);
          const double rate = double(std::min(order.size(), (b + 1) * config.batch_size)) / elapsed;
          const RunPace pace = run_pace(epoch, config.epochs, b, batches, elapsed);
          std::fprintf(stderr, "\r[%s] epoch %d/%d batch %zu/%zu loss %.4f %.0f img/s ETA %s%s    ",
                       config.name.c_str(), epoch + 1, config.epochs, b + 1, batches,
                       drained.empty() ? 0.0 : double(drained.back().second), rate,
                       format_duration(pace.remaining_seconds).c_str(),
                       config.plan_progress ? config.plan_progress(pace.fraction).c_str() : "");
        }
      }
      EpochRecord record;
      record.epoch = epoch + 1;
      record.seconds = seconds_since(epoch_start);
      record.train_loss = loss_sum / double(std::max<size_t>(loss_count, 1));
      record.learning_rate = optimizer->learning_rate();
      const Evaluation validation = evaluate(model, examples, val, config.evaluation_batch_size, false, loss);
      record.val_loss = validation.loss;
      record.val_accuracy = validation.accuracy;
      state.end_epoch(model, record,
                      config.monitor == Monitor::ValidationLoss ? validation.loss : validation.accuracy,
                      loss.chance_loss(), step - 1);
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
    return result;  // the weights are no longer finite: nothing to test
  }
  result.stopped_early = state.should_stop();
  result.best_epoch = state.best_epoch();
  state.finish(model);
  result.test = evaluate(model, examples, test, config.evaluation_batch_size, true, loss);
  return result;
}

}  // namespace medrepro::papers
