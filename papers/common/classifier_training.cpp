#include "papers/common/classifier_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <span>

#include "core/autograd.h"
#include "core/checkpoint.h"
#include "core/error.h"
#include "core/init.h"
#include "core/loss_log.h"
#include "papers/common/batch_gradients.h"
#include "papers/common/divergence.h"
#include "papers/common/json.h"
#include "papers/common/progress.h"
#include "papers/common/schedule_state.h"

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

report::Json epoch_records_to_json(const std::vector<EpochRecord>& records) {
  report::Json out = report::Json::Array{};
  for (const EpochRecord& r : records) {
    out.push(report::Json()
                 .set("epoch", r.epoch)
                 .set("train_loss", r.train_loss)
                 .set("val_loss", r.val_loss)
                 .set("val_accuracy", r.val_accuracy)
                 .set("seconds", r.seconds)
                 .set("learning_rate", r.learning_rate));
  }
  return out;
}

std::vector<EpochRecord> epoch_records_from_json(const report::Json& json) {
  std::vector<EpochRecord> records;
  for (const report::Json& r : json.array()) {
    records.push_back({static_cast<int>(r["epoch"].number()), r["train_loss"].number(), r["val_loss"].number(),
                       r["val_accuracy"].number(), r["seconds"].number(),
                       r.contains("learning_rate") ? r["learning_rate"].number() : 0.0});
  }
  return records;
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
  const MetricMode monitored_mode = config.monitor == Monitor::ValidationLoss ? MetricMode::Min : MetricMode::Max;
  std::optional<ReduceLROnPlateau> plateau;
  if (config.plateau) {
    PlateauOptions options = *config.plateau;
    options.mode = monitored_mode;
    plateau.emplace(optimizer->learning_rate(), options);
  }
  std::optional<EarlyStopping> stopper;
  if (config.early_stopping) {
    EarlyStoppingOptions options = *config.early_stopping;
    options.mode = monitored_mode;
    stopper.emplace(options);
  }
  std::optional<Checkpoint> best_weights;  // the model at the monitored metric's best epoch

  TrainingResult result;
  int epochs_done = 0;
  if (!config.checkpoint_path.empty() && std::filesystem::exists(config.checkpoint_path)) {
    const Checkpoint state = load_checkpoint(config.checkpoint_path);
    if (state.metadata.count("run") == 0 || state.metadata.at("run") != config.name) {
      fail("Checkpoint " + config.checkpoint_path + " belongs to another run ('" +
           (state.metadata.count("run") ? state.metadata.at("run") : std::string("?")) + "', not '" + config.name +
           "'); delete it or choose another output directory");
    }
    restore_training_state(state, model, optimizer.get());
    epochs_done = std::stoi(state.metadata.at("epochs_done"));
    result.epochs = epoch_records_from_json(report::Json::parse(state.metadata.at("records"), config.checkpoint_path));
    restore_schedules(state, plateau, stopper, best_weights, *optimizer);
    result.resumed = true;
  }

  const size_t batches = (train.size() + config.batch_size - 1) / config.batch_size;
  Rng order_rng(config.seed ^ 0x6f726465722d726eull);
  std::vector<size_t> order = train;
  std::vector<float> inputs, targets;
  LossLog losses(config.name + " training loss");
  model.train();
  double training_since_checkpoint = 0;
  BatchGradients gradients;
  int reported_micro_batches = 1;
  try {
    for (int epoch = 0; epoch < config.epochs; ++epoch) {
      if (stopper && stopper->should_stop()) {
        result.stopped_early = true;
        break;
      }
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
        const size_t count = std::min(config.batch_size, order.size() - start);
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
          const double remaining = (double(batches - b - 1) / double(b + 1)) * elapsed +
                                   double(config.epochs - epoch - 1) * elapsed * double(batches) / double(b + 1);
          const double run_fraction = double(size_t(epoch) * batches + b + 1) / double(size_t(config.epochs) * batches);
          std::fprintf(stderr, "\r[%s] epoch %d/%d batch %zu/%zu loss %.4f %.0f img/s ETA %s%s    ",
                       config.name.c_str(), epoch + 1, config.epochs, b + 1, batches,
                       drained.empty() ? 0.0 : double(drained.back().second), rate,
                       format_duration(remaining).c_str(),
                       config.plan_progress ? config.plan_progress(run_fraction).c_str() : "");
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
      result.epochs.push_back(record);
      const std::string after_epoch = " after epoch " + std::to_string(epoch + 1) + " (step " + std::to_string(step - 1) + ")";
      if (!std::isfinite(validation.loss)) {  // finite training losses, outputs that overflow: diverged too
        throw NonFiniteLoss(config.name + " validation loss is " + (std::isnan(validation.loss) ? "NaN" : "Inf") +
                                after_epoch,
                            step - 1);
      }
      if (const auto blow_up = finite_blow_up(record.train_loss, loss.chance_loss())) {
        throw NonFiniteLoss(config.name + " " + *blow_up + after_epoch, step - 1);
      }
      const double monitored = config.monitor == Monitor::ValidationLoss ? validation.loss : validation.accuracy;
      if (plateau) optimizer->set_learning_rate(static_cast<float>(plateau->step(monitored)));
      if (stopper) {
        stopper->step(monitored);
        if (stopper->improved() && config.restore_best_weights) best_weights = capture_training_state(model, nullptr);
      }
      training_since_checkpoint += record.seconds;
      if (!config.checkpoint_path.empty() && training_since_checkpoint >= config.checkpoint_interval_seconds) {
        training_since_checkpoint = 0;
        Checkpoint state = capture_training_state(model, optimizer.get());
        state.metadata["run"] = config.name;
        state.metadata["epochs_done"] = std::to_string(epoch + 1);
        state.metadata["records"] = epoch_records_to_json(result.epochs).dump(0);
        save_schedules(state, plateau, stopper, best_weights);
        save_checkpoint(config.checkpoint_path, state);
      }
    }
  } catch (const NonFiniteLoss& diverged) {
    result.diverged_at_step = diverged.step;
    result.divergence = diverged.what();
  }
  std::fprintf(stderr, "\n");
  for (const EpochRecord& r : result.epochs) result.train_seconds += r.seconds;
  if (result.diverged_at_step) {
    std::fprintf(stderr, "[%s] diverged: %s\n", config.name.c_str(), result.divergence.c_str());
    return result;  // the weights are no longer finite: nothing to test
  }
  if (stopper) {
    result.stopped_early = result.stopped_early || stopper->should_stop();
    result.best_epoch = int(stopper->best_epoch()) + 1;
    if (best_weights) restore_training_state(*best_weights, model, nullptr);
  }
  result.test = evaluate(model, examples, test, config.evaluation_batch_size, true, loss);
  return result;
}

}  // namespace medrepro::papers
