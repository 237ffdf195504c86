#include "papers/common/epoch_state.h"

#include <cmath>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/loss_log.h"
#include "papers/common/divergence.h"

namespace medrepro::papers {
namespace {

constexpr const char* kBestWeightsPrefix = "best_weights/";

void save_schedules(Checkpoint& state, const std::optional<ReduceLROnPlateau>& plateau,
                    const std::optional<EarlyStopping>& stopper, const std::optional<Checkpoint>& best_weights) {
  if (plateau) {
    const auto p = plateau->state();
    state.metadata["plateau"] = report::Json()
                                    .set("rate", p.rate)
                                    .set("best", p.best)
                                    .set("bad_epochs", p.bad_epochs)
                                    .set("cooldown_remaining", p.cooldown_remaining)
                                    .set("epochs", p.epochs)
                                    .dump(0);
  }
  if (stopper) {
    const auto e = stopper->state();
    state.metadata["early_stopping"] = report::Json()
                                           .set("best", e.best)
                                           .set("best_epoch", e.best_epoch)
                                           .set("bad_epochs", e.bad_epochs)
                                           .set("epochs", e.epochs)
                                           .dump(0);
  }
  if (best_weights) {
    for (const auto& [name, tensor] : best_weights->tensors) state.tensors[kBestWeightsPrefix + name] = tensor;
  }
}

void restore_schedules(const Checkpoint& state, std::optional<ReduceLROnPlateau>& plateau,
                       std::optional<EarlyStopping>& stopper, std::optional<Checkpoint>& best_weights,
                       Optimizer& optimizer) {
  auto saved = [&](const char* key) {
    if (!state.metadata.count(key)) fail(std::string("The checkpoint has no ") + key + " state: it was written by a run with other settings");
    return report::Json::parse(state.metadata.at(key), key);
  };
  if (plateau) {
    const report::Json p = saved("plateau");
    plateau->restore({p["rate"].number(), p["best"].number(), int(p["bad_epochs"].number()),
                      int(p["cooldown_remaining"].number()), int64_t(p["epochs"].number())});
    optimizer.set_learning_rate(static_cast<float>(plateau->learning_rate()));
  }
  if (stopper) {
    const report::Json e = saved("early_stopping");
    stopper->restore({e["best"].number(), int64_t(e["best_epoch"].number()), int(e["bad_epochs"].number()),
                      int64_t(e["epochs"].number())});
  }
  const std::string prefix = kBestWeightsPrefix;
  for (const auto& [name, tensor] : state.tensors) {
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    if (!best_weights) best_weights.emplace();
    best_weights->tensors[name.substr(prefix.size())] = tensor;
  }
}

}  // namespace

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

EpochState::EpochState(EpochStateOptions options, Optimizer& optimizer)
    : options_(std::move(options)), optimizer_(optimizer) {
  if (options_.plateau) {
    PlateauOptions plateau = *options_.plateau;
    plateau.mode = options_.mode;
    plateau_.emplace(optimizer_.learning_rate(), plateau);
  }
  if (options_.early_stopping) {
    EarlyStoppingOptions stopping = *options_.early_stopping;
    stopping.mode = options_.mode;
    stopper_.emplace(stopping);
  }
}

bool EpochState::resume(nn::Module& model) {
  const std::string& path = options_.checkpoint_path;
  if (path.empty() || !std::filesystem::exists(path)) return false;
  const Checkpoint state = load_checkpoint(path);
  if (state.metadata.count("run") == 0 || state.metadata.at("run") != options_.name) {
    fail("Checkpoint " + path + " belongs to another run ('" +
         (state.metadata.count("run") ? state.metadata.at("run") : std::string("?")) + "', not '" + options_.name +
         "'); delete it or choose another output directory");
  }
  restore_training_state(state, model, &optimizer_);
  records_ = epoch_records_from_json(report::Json::parse(state.metadata.at("records"), path));
  if (std::stoi(state.metadata.at("epochs_done")) != epochs_done()) fail("Checkpoint " + path + ": its records and epoch count differ");
  restore_schedules(state, plateau_, stopper_, best_weights_, optimizer_);
  return true;
}

void EpochState::end_epoch(nn::Module& model, const EpochRecord& record, double monitored, double chance_loss,
                           int64_t last_step) {
  records_.push_back(record);
  const std::string after_epoch =
      " after epoch " + std::to_string(record.epoch) + " (step " + std::to_string(last_step) + ")";
  if (!std::isfinite(record.val_loss)) {  // finite training losses, outputs that overflow: diverged too
    throw NonFiniteLoss(options_.name + " validation loss is " + (std::isnan(record.val_loss) ? "NaN" : "Inf") +
                            after_epoch,
                        last_step);
  }
  if (const auto blow_up = finite_blow_up(record.train_loss, chance_loss)) {
    throw NonFiniteLoss(options_.name + " " + *blow_up + after_epoch, last_step);
  }
  if (plateau_) optimizer_.set_learning_rate(static_cast<float>(plateau_->step(monitored)));
  if (stopper_) {
    stopper_->step(monitored);
    if (stopper_->improved() && options_.restore_best_weights) best_weights_ = capture_training_state(model, nullptr);
  }
  training_since_checkpoint_ += record.seconds;
  if (!options_.checkpoint_path.empty() && training_since_checkpoint_ >= options_.checkpoint_interval_seconds) {
    training_since_checkpoint_ = 0;
    Checkpoint state = capture_training_state(model, &optimizer_);
    state.metadata["run"] = options_.name;
    state.metadata["epochs_done"] = std::to_string(epochs_done());
    state.metadata["records"] = epoch_records_to_json(records_).dump(0);
    save_schedules(state, plateau_, stopper_, best_weights_);
    save_checkpoint(options_.checkpoint_path, state);
  }
}

void EpochState::finish(nn::Module& model) {
  if (best_weights_) restore_training_state(*best_weights_, model, nullptr);
}

double EpochState::train_seconds() const {
  double seconds = 0;
  for (const EpochRecord& r : records_) seconds += r.seconds;
  return seconds;
}

int EpochState::best_epoch() const { return stopper_ ? int(stopper_->best_epoch()) + 1 : 0; }

}  // namespace medrepro::papers
